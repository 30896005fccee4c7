// Invalidator: keeps what the kernel caches of a mount (names, attributes, file data)
// in step with the namespace, so that the mount can let the kernel cache for good.
//
// Changes made through the mount need nothing: the kernel made them and updated its
// cache itself (those carry the server's change origin and are skipped). Every other
// change — the host's seen by hostfs, the embedding program's, another mount's — is
// read from the namespace's change feed on a thread of its own and sent to the kernel
// as FUSE invalidations:
//   a name made, removed or renamed   the entry in its directory, the directory's
//                                     attributes and cached listing, the object's
//                                     attributes (its link count, ctime)
//   attributes changed (IN_ATTRIB)    the object's attributes, and its entry under
//                                     the name the change came with (a racing
//                                     lookup's reply would keep the old ones)
//   data changed (IN_MODIFY, ...)     the same and the object's cached data
//   atime moved (IN_ACCESS)           the object's attributes
//   overflow (IN_Q_OVERFLOW)          every node's attributes and data, and every name
//                                     the kernel was given (NodeTable's records)
// The kernel takes its own locks for an invalidation and may wait for a request in
// flight, which the worker threads answer: the invalidations never run on a worker.
// Once the workers stop (a signal ended the session), a request nobody will read may
// hold what an invalidation waits for: stop() then aborts the connection, after which
// the kernel fails that request and the invalidation returns.
//
//   thread_, stream_   owned; the thread reads the stream until stop()
//   done_              guarded by done_mu_: the thread has returned
//   sent_, overflows_  written by the thread, read after it is joined
#pragma once

#include "fuse/server.h"

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <rcuvfs/changes.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <memory>
#include <thread>
#include <vector>

namespace rcuvfs::fuse {

class Invalidator {
 public:
  // Subscribes to `vfs`'s feed with a queue of `capacity` changes and starts the thread.
  Invalidator(Server& server, fuse_session* se, Vfs& vfs, size_t capacity);
  ~Invalidator();  // stop()
  Invalidator(const Invalidator&) = delete;
  Invalidator& operator=(const Invalidator&) = delete;

  // Ends the thread and waits for it (before the session's unmount: an invalidation
  // must not outlive the descriptor it writes to).
  void stop();
  uint64_t sent() const { return sent_; }
  uint64_t overflows() const { return overflows_; }

 private:
  void run();
  void apply(const std::vector<Change>& batch);
  void invalidate_everything();

  Server& s_;
  fuse_session* se_;
  std::unique_ptr<ChangeStream> stream_;
  std::atomic<bool> stopping_{false};
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
  uint64_t sent_ = 0;
  uint64_t overflows_ = 0;
};

}  // namespace rcuvfs::fuse
