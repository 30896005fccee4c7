// inotify_init1, inotify_add_watch, inotify_rm_watch (the instance: inotify.h).
#include "core/inotify.h"
#include "core/ops_common.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

namespace {
// Every bit inotify_add_watch knows (ALL_INOTIFY_BITS).
constexpr uint32_t kAllInotifyBits = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW |
                                     IN_IGNORED | IN_ONLYDIR | IN_DONT_FOLLOW |
                                     IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD |
                                     IN_ISDIR | IN_ONESHOT;

// The instance behind fd, with a reference on its File: EBADF for no descriptor,
// EINVAL for one that is not an inotify instance.
Result<File*> inotify_file(TaskState& t, int fd) {
  File* f = t.files.get(fd);
  if (!f) return Err{EBADF};
  if (!f->inotify) {
    fput(f);
    return Err{EINVAL};
  }
  return f;
}
}  // namespace

Result<int> Task::inotify_init1(int flags) {
  if (flags & ~(IN_NONBLOCK | IN_CLOEXEC)) return Err{EINVAL};
  const int fd = s_->files.alloc();
  if (fd < 0) return Err{-fd};
  auto in = Inotify::create(s_->vfs->feed, current_cred(*s_).uid);
  if (!in.ok()) {
    s_->files.put_unused(fd);
    return Err{in.error()};
  }
  const Path anon = s_->vfs->anon_path();
  auto f = make_file(anon, anon.dentry->inode.load(std::memory_order_acquire),
                     O_RDONLY | (flags & (IN_NONBLOCK | IN_CLOEXEC)));
  (*f)->inotify = *in;
  s_->files.install(fd, *f);
  return fd;
}

Result<int> Task::inotify_add_watch(int fd, std::string_view path, uint32_t mask) {
  if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) return Err{EINVAL};
  if (!(mask & kAllInotifyBits)) return Err{EINVAL};
  auto f = inotify_file(*s_, fd);
  if (!f.ok()) return Err{f.error()};
  FileRef file(*f);
  RCUVFS_TRY(check_path(path, false));
  unsigned lf = 0;
  if (!(mask & IN_DONT_FOLLOW)) lf |= kLookupFollow;
  if (mask & IN_ONLYDIR) lf |= kLookupDirectory;
  auto p = lookup_path(*s_, AT_FDCWD, path, lf);
  if (!p.ok()) return Err{p.error()};
  PathRef ref(*p);
  Inode* inode = ref.inode();
  if (int err = inode_permission(*s_->vfs, sec_path(*s_, ref.get(), inode), kMayRead,
                                 current_cred(*s_)))
    return Err{-err};
  return file->inotify->add_watch(inode, mask);
}

Status Task::inotify_rm_watch(int fd, int wd) {
  auto f = inotify_file(*s_, fd);
  if (!f.ok()) return Err{f.error()};
  FileRef file(*f);
  return file->inotify->rm_watch(wd);
}

}  // namespace rcuvfs
