// mkdirat, mknodat, symlinkat, linkat and the O_CREAT half of open.
#include "core/ops_common.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

namespace core {
Status open_create_locked(TaskState& t, const Path& dir_path, Inode* dir, Dentry* d,
                          mode_t mode, const Cred& cred) {
  if (int err = may_create(t, dir_path, cred)) return Err{-err};
  const std::string_view name = core::d_name(d).view();
  const SecPath where = sec_path(t, dir_path, dir);
  if (int err = security_call(*t.vfs, [&](SecurityModule& m) {
        return m.path_mknod(where, name, mode, 0, cred);
      }))
    return Err{-err};
  auto r = dir->create(name, mode, 0, cred);
  if (!r.ok()) return Err{r.error()};
  instantiate(d, *r);
  notify_create(dir, d);
  return {};
}
}  // namespace core

Status Task::mkdirat(int dirfd, std::string_view path, mode_t mode) {
  if (auto r = retry_estale([&] { return mkdirat(dirfd, path, mode); })) return *r;
  RCUVFS_TRY(check_path(path, false));
  Creation c;
  RCUVFS_TRY(filename_create(*s_, dirfd, path, true, c));
  const Cred cred = current_cred(*s_);
  if (int err = may_create(*s_, c.parent.get(), cred)) return Err{-err};
  mode = (mode & 01777 & ~s_->umask.load()) | S_IFDIR;
  const SecPath where = sec_path(*s_, c.parent.get(), c.dir);
  if (int err = security_call(*s_->vfs, [&](SecurityModule& m) {
        return m.path_mkdir(where, c.name, mode, cred);
      }))
    return Err{-err};
  auto r = c.dir->mkdir(c.name, mode, cred);
  if (!r.ok()) return Err{r.error()};
  instantiate(c.dentry.get(), *r);
  notify_create(c.dir, c.dentry.get());
  return {};
}

Status Task::mknodat(int dirfd, std::string_view path, mode_t mode, dev_t dev) {
  if (auto r = retry_estale([&] { return mknodat(dirfd, path, mode, dev); })) return *r;
  // The kernel's device numbers are 32 bits (12 of major, 20 of minor): glibc's
  // mknodat refuses any other before it looks at the path or the type.
  if (static_cast<unsigned int>(dev) != dev) return Err{EINVAL};
  RCUVFS_TRY(check_path(path, false));
  switch (mode & S_IFMT) {
    case 0:
      mode |= S_IFREG;
      break;
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    case S_IFDIR:
      return Err{EPERM};
    default:
      return Err{EINVAL};
  }
  Creation c;
  RCUVFS_TRY(filename_create(*s_, dirfd, path, false, c));
  const Cred cred = current_cred(*s_);
  if (int err = may_create(*s_, c.parent.get(), cred)) return Err{-err};
  // Device nodes need CAP_MKNOD.
  if ((S_ISCHR(mode) || S_ISBLK(mode)) && !cred.is_root()) return Err{EPERM};
  const mode_t type = mode & S_IFMT;
  mode = type | (mode & 07777 & ~s_->umask.load());
  if (!S_ISCHR(mode) && !S_ISBLK(mode)) dev = 0;
  const SecPath where = sec_path(*s_, c.parent.get(), c.dir);
  if (int err = security_call(*s_->vfs, [&](SecurityModule& m) {
        return m.path_mknod(where, c.name, mode, dev, cred);
      }))
    return Err{-err};
  auto r = c.dir->create(c.name, mode, dev, cred);
  if (!r.ok()) return Err{r.error()};
  instantiate(c.dentry.get(), *r);
  notify_create(c.dir, c.dentry.get());
  return {};
}

Status Task::symlinkat(std::string_view target, int newdirfd, std::string_view linkpath) {
  if (auto r = retry_estale([&] { return symlinkat(target, newdirfd, linkpath); })) return *r;
  RCUVFS_TRY(check_path(target, false));
  RCUVFS_TRY(check_path(linkpath, false));
  Creation c;
  RCUVFS_TRY(filename_create(*s_, newdirfd, linkpath, false, c));
  const Cred cred = current_cred(*s_);
  if (int err = may_create(*s_, c.parent.get(), cred)) return Err{-err};
  const SecPath where = sec_path(*s_, c.parent.get(), c.dir);
  if (int err = security_call(*s_->vfs, [&](SecurityModule& m) {
        return m.path_symlink(where, c.name, target, cred);
      }))
    return Err{-err};
  auto r = c.dir->symlink(c.name, target, cred);
  if (!r.ok()) return Err{r.error()};
  instantiate(c.dentry.get(), *r);
  notify_create(c.dir, c.dentry.get());
  return {};
}

namespace {
// fs.protected_hardlinks=1 (the Linux default): linking a file you do not own needs
// a regular file you could read and write, without setuid / setgid-exec.
bool may_linkat(const TaskState& t, const Path& p, const Inode& inode, const Cred& cred) {
  if (cred.is_root() || inode.uid.load() == cred.uid) return true;
  const mode_t mode = inode.mode.load();
  if (!S_ISREG(mode) || (mode & S_ISUID) || ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)))
    return false;
  return inode_permission(*t.vfs, sec_path(t, p, &inode), kMayRead | kMayWrite, cred) == 0;
}
}  // namespace

Status Task::linkat(int olddirfd, std::string_view oldpath, int newdirfd,
                    std::string_view newpath, int flags) {
  if (auto r = retry_estale([&] { return linkat(olddirfd, oldpath, newdirfd, newpath, flags); }))
    return *r;
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return Err{EINVAL};
  RCUVFS_TRY(check_path(oldpath, flags & AT_EMPTY_PATH));
  unsigned lf = 0;
  if (flags & AT_SYMLINK_FOLLOW) lf |= kLookupFollow;
  if (flags & AT_EMPTY_PATH) lf |= kLookupEmpty;
  auto old = lookup_path(*s_, olddirfd, oldpath, lf);
  if (!old.ok()) return Err{old.error()};
  PathRef oldp(*old);
  // As Linux, a bad new name is only reported once the old one has resolved.
  RCUVFS_TRY(check_path(newpath, false));
  Creation c;
  RCUVFS_TRY(filename_create(*s_, newdirfd, newpath, false, c));
  if (oldp.mnt() != c.parent.mnt()) return Err{EXDEV};
  const Cred cred = current_cred(*s_);
  Inode* inode = oldp.inode();
  if (!may_linkat(*s_, oldp.get(), *inode, cred)) return Err{EPERM};
  if (int err = may_create(*s_, c.parent.get(), cred)) return Err{-err};
  if (inode->sb != c.dir->sb) return Err{EXDEV};
  if (inode->is_dir()) return Err{EPERM};
  const SecPath old_at = sec_path(*s_, oldp.get(), inode);
  const SecPath where = sec_path(*s_, c.parent.get(), c.dir);
  if (int err = security_call(*s_->vfs, [&](SecurityModule& m) {
        return m.path_link(old_at, where, c.name, cred);
      }))
    return Err{-err};
  {
    std::unique_lock lk(inode->lock);
    if (inode->nlink.load() == 0) return Err{ENOENT};
    RCUVFS_TRY(c.dir->link(inode, c.name));
  }
  iget(inode);
  instantiate(c.dentry.get(), inode);
  notify_link(c.dir, inode, c.dentry.get());
  return {};
}

}  // namespace rcuvfs
