// reopen: open a descriptor's object again with new flags, the user-space form of
// Linux's open("/proc/self/fd/N"). Front-ends that hold O_PATH descriptors (a FUSE
// server's node table) need it to do I/O on objects they cannot name by path: a
// path may have been renamed or unlinked since the descriptor was opened.
#include "core/ops_common.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

Result<int> Task::reopen(int fd, int flags) {
  // open(2) ignores unknown flags; O_TMPFILE makes no sense on an existing object.
  if ((flags & O_TMPFILE) == O_TMPFILE) return Err{EINVAL};
  flags &= static_cast<int>(kValidOpenFlags & ~kTmpfileBit);
  if (flags & O_PATH) flags &= static_cast<int>(kPathFlags);
  // The new descriptor before anything else, as an open of /proc/self/fd/N takes it
  // before its walk: at the limit, nothing is truncated.
  FdReservation new_fd(s_->files);
  if (new_fd.error()) return Err{new_fd.error()};
  File* old = s_->files.get(fd);
  if (!old) return Err{EBADF};
  Path path = path_get(old->path);
  Inode* inode = old->inode;
  iget(inode);
  fput(old);
  PathRef ref(path);
  struct InodeRef {
    Inode* i;
    ~InodeRef() { iput(i); }
  } iref{inode};

  if ((flags & O_CREAT) && (flags & O_EXCL)) return Err{EEXIST};
  if ((flags & O_DIRECTORY) && !inode->is_dir()) return Err{ENOTDIR};
  if (!(flags & O_PATH)) {
    if ((flags & O_CREAT) && inode->is_dir()) return Err{EISDIR};
    int acc;
    switch (flags & O_ACCMODE) {
      case O_RDONLY: acc = kMayRead; break;
      case O_WRONLY: acc = kMayWrite; break;
      default: acc = kMayRead | kMayWrite; break;
    }
    if (flags & O_TRUNC) acc |= kMayWrite;
    const Cred cred = current_cred(*s_);
    RCUVFS_TRY(may_open(*s_, path, inode, acc, flags, false, cred));
    notify_dentry(path.dentry, inode, IN_OPEN);
    if ((flags & O_TRUNC) && S_ISREG(inode->mode.load())) {
      RCUVFS_TRY(open_truncate(inode, cred));
      notify_dentry(path.dentry, inode, IN_MODIFY);
    }
  }
  auto f = make_file(path, inode, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
  if (!f.ok()) return Err{f.error()};
  return new_fd.install(*f);
}

Status Task::fsync(int fd, bool datasync) {
  (void)datasync;  // data and metadata live in the same memory: both are "on disk"
  File* f = s_->files.get(fd);
  if (!f) return Err{EBADF};
  const bool path_only = f->is_path_only();
  fput(f);
  if (path_only) return Err{EBADF};
  return {};
}

}  // namespace rcuvfs
