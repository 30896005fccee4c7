// Server: what every FUSE request handler shares — the rcuvfs Task all operations
// run in, the node table, the cache timeouts and the descriptor accounting used by
// the leak check at exit.
//
// Credentials: every operation runs in one Task with root's credentials, and the
// mount uses `default_permissions`, so the kernel checks DAC against the attributes
// we return before a request reaches us (as it does for a local filesystem). New
// objects are created as root and then given to the requesting uid/gid (fuse_req_ctx)
// with fchownat on the new node's own descriptor. One Task's credentials are shared
// by all its threads, so switching them per request would race between concurrent
// requests; create-then-chown keeps every request thread-safe, and the kernel holds
// the parent directory locked for the whole create, so no other request can see the
// object in between.
#pragma once

#include "fuse/node_table.h"
#include "fuse/options.h"

#include <rcuvfs/changes.h>
#include <rcuvfs/task.h>

#include <atomic>
#include <cstdint>

namespace rcuvfs::fuse {

struct Server {
  Server(Task& task, const MountOptions& options, bool coherent)
      : task(task), nodes(task), opt(options), coherent(coherent) {}

  Task& task;
  NodeTable nodes;
  const MountOptions opt;
  // The namespace reports every change and the invalidator tells the kernel of each
  // one: the kernel may keep directory listings too (the readdir cache).
  const bool coherent;
  // Open file and directory handles (fi->fh) not yet released.
  std::atomic<int64_t> open_files{0};
  std::atomic<int64_t> open_dirs{0};
  // The highest rcuvfs descriptor ever handed out: the leak check probes 3..max_fd.
  std::atomic<int> max_fd{0};

  // The change origin (<rcuvfs/changes.h>) of the changes requests make: unique among
  // the live servers of the process.
  uint64_t origin() const { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(this)); }

  void note_fd(int fd) {
    int cur = max_fd.load(std::memory_order_relaxed);
    while (fd > cur && !max_fd.compare_exchange_weak(cur, fd, std::memory_order_relaxed)) {
    }
  }
};

}  // namespace rcuvfs::fuse
