// The state behind a public Task: credentials, umask, root/cwd and descriptors.
//
//   fs     FsContext (root + cwd), replaced as a whole by chdir/chroot (copy on
//          write under fs_lock) and read under RCU by every walk; the old one is
//          released after a grace period
//   cred   immutable Cred objects, replaced by set_cred and restrict_self (under
//          cred_lock), read under RCU; Cred::domain, the chain of security layers,
//          is immutable and shared by the copies a walk makes when it leaves RCU
//   fds    FdArray of atomic File pointers, read under RCU; slots written under
//          fd_lock; a grown array replaces the old one, which is freed after a
//          grace period
// Lock order: fs_lock and fd_lock are leaf locks (nothing else is taken under them
// except the RCU wrapper).
#pragma once

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

struct FdArray {
  size_t size;
  std::atomic<File*> slot[1];  // `size` slots
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
  std::atomic<FdArray*> fds{nullptr};
  std::mutex fd_lock;

  ~TaskState();

  // The File behind fd with a reference, or nullptr (EBADF).
  File* fd_get(int fd);
  // Under RCU, no reference: valid until the read-side section ends.
  File* fd_peek_rcu(int fd) const;
  // Install f (reference consumed) at the lowest free slot >= 3.
  int fd_install(File* f);
  // Remove and return the File at fd (the caller drops the reference).
  File* fd_remove(int fd);

  // Replace root and/or cwd (references consumed; nullptr keeps the current one).
  void set_fs(const Path* root, const Path* cwd);
};

}  // namespace rcuvfs::core
