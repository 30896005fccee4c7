// The state behind a public Task: credentials, umask, root/cwd and descriptors.
//
//   fs     FsContext (root + cwd), replaced as a whole by chdir/chroot (copy on
//          write under fs_lock) and read under RCU by every walk; the old one is
//          released after a grace period
//   cred   immutable Cred objects, replaced by set_cred and restrict_self (under
//          cred_lock), read under RCU; Cred::domain, the chain of security layers,
//          is immutable and shared by the copies a walk makes when it leaves RCU
//   files  the descriptor table (fd_table.h: which of it is read under RCU, and its
//          own leaf lock)
// Lock order (docs/locking.md): fs_lock and cred_lock are leaf locks (nothing else is
// taken under them except the RCU wrapper).
#pragma once

#include "core/fd_table.h"
#include "core/file.h"
#include "core/mount.h"

#include <rcuvfs/uapi.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace rcuvfs {
class Vfs;
}

namespace rcuvfs::core {

struct VfsState;

struct FsContext {
  Path root;  // references held
  Path cwd;   // references held
};

struct TaskState {
  VfsState* vfs = nullptr;
  Vfs* owner = nullptr;  // the public object, for Task::vfs()
  std::atomic<FsContext*> fs{nullptr};
  std::mutex fs_lock;
  std::atomic<const Cred*> cred{nullptr};
  std::mutex cred_lock;
  std::atomic<mode_t> umask{022};
  unsigned lookup_flags = 0;  // walk-mode flags added to stat/open walks (bench, tests)
  FdTable files;

  ~TaskState();

  // Replace root and/or cwd (references consumed; nullptr keeps the current one).
  void set_fs(const Path* root, const Path* cwd);
};

}  // namespace rcuvfs::core
