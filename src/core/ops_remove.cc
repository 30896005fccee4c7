// unlinkat (with and without AT_REMOVEDIR).
#include "core/ops_common.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

Status Task::unlinkat(int dirfd, std::string_view path, int flags) {
  if (auto r = retry_estale([&] { return unlinkat(dirfd, path, flags); })) return *r;
  if (flags & ~AT_REMOVEDIR) return Err{EINVAL};
  const bool rmdir = flags & AT_REMOVEDIR;
  RCUVFS_TRY(check_path(path, false));
  auto pp = lookup_parent(*s_, dirfd, path, 0);
  if (!pp.ok()) return Err{pp.error()};
  PathRef parent(pp->parent);
  if (rmdir) {
    // rmdir("..") is ENOTEMPTY, rmdir(".") EINVAL, rmdir("/") EBUSY.
    switch (pp->type) {
      case LastType::kDotDot: return Err{ENOTEMPTY};
      case LastType::kDot: return Err{EINVAL};
      case LastType::kRoot: return Err{EBUSY};
      case LastType::kNorm: break;
    }
  } else if (pp->type != LastType::kNorm) {
    return Err{EISDIR};
  }
  Inode* dir = parent.inode();
  std::unique_lock dir_lock(dir->lock);
  auto d = lookup_one_locked(parent.dentry(), dir, pp->last);
  if (!d.ok()) return Err{d.error()};
  DentryRef victim(*d);
  Inode* inode = victim.inode();
  // unlink("name/"): the trailing slash only fits a directory.
  if (!rmdir && pp->trailing_slash) {
    if (!inode) return Err{ENOENT};
    return Err{inode->is_dir() ? EISDIR : ENOTDIR};
  }
  const Cred cred = current_cred(*s_);
  if (int err = may_delete(*s_, parent.get(), victim.get(), rmdir, cred)) return Err{-err};
  // Something is mounted on it (in this namespace).
  if (victim->has_flag(kDMounted)) return Err{EBUSY};
  const SecPath where = sec_path(*s_, parent.get(), dir);
  if (int err = security_call(*s_->vfs, [&](SecurityModule& m) {
        return rmdir ? m.path_rmdir(where, *inode, pp->last, cred)
                     : m.path_unlink(where, *inode, pp->last, cred);
      }))
    return Err{-err};
  {
    std::unique_lock victim_lock(inode->lock);
    if (rmdir)
      RCUVFS_TRY(dir->rmdir(pp->last, inode));
    else
      RCUVFS_TRY(dir->unlink(pp->last, inode));
  }
  // Linux's order: the link count (unlink only), the object's end when this was its
  // last name and nothing else holds the entry (IN_DELETE_SELF, from the entry's last
  // reference), then the directory's IN_DELETE.
  if (!rmdir) notify_inode(inode, IN_ATTRIB);
  iget(inode);
  d_delete(victim.get());
  // A removed directory is empty, but negative entries may still be cached below it;
  // they hold it (and its inode) until forgotten.
  if (rmdir) d_shrink_tree(victim.get());
  victim = DentryRef();
  notify_delete(dir, inode, pp->last);
  iput(inode);
  return {};
}

}  // namespace rcuvfs
