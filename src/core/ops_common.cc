#include "core/ops_common.h"

#include <cerrno>
#include <cstring>

namespace rcuvfs::core {

Status check_path(std::string_view path, bool empty_ok) {
  if (std::memchr(path.data(), '\0', path.size())) return Err{EINVAL};
  if (path.size() >= kPathMax) return Err{ENAMETOOLONG};
  if (path.empty() && !empty_ok) return Err{ENOENT};
  return {};
}

Cred current_cred(const TaskState& t) {
  RcuReadGuard g;
  return *t.cred.load(std::memory_order_acquire);
}

int may_create(const TaskState& t, const Path& dir_path, const Cred& cred) {
  const Inode& dir = *dir_path.dentry->inode.load(std::memory_order_acquire);
  if (is_dead_dir(&dir)) return -ENOENT;
  return inode_permission(*t.vfs, sec_path(t, dir_path, &dir), kMayWrite | kMayExec, cred);
}

int may_delete(const TaskState& t, const Path& dir_path, Dentry* victim, bool isdir,
               const Cred& cred) {
  const Inode& dir = *dir_path.dentry->inode.load(std::memory_order_acquire);
  Inode* inode = victim->inode.load(std::memory_order_acquire);
  if (!inode) return -ENOENT;
  if (int err = inode_permission(*t.vfs, sec_path(t, dir_path, &dir), kMayWrite | kMayExec,
                                 cred))
    return err;
  // Sticky directory: only the owner of the file or of the directory (or root).
  if (!sticky_allows(dir, *inode, cred)) return -EPERM;
  if (isdir) {
    if (!inode->is_dir()) return -ENOTDIR;
    if (victim->is_root()) return -EBUSY;
  } else if (inode->is_dir()) {
    return -EISDIR;
  }
  if (is_dead_dir(&dir)) return -ENOENT;
  return 0;
}

Status filename_create(TaskState& t, int dirfd, std::string_view path, bool want_dir,
                       Creation& c) {
  auto pp = lookup_parent(t, dirfd, path, 0);
  if (!pp.ok()) return Err{pp.error()};
  c.parent = PathRef(pp->parent);
  if (pp->type != LastType::kNorm) return Err{EEXIST};
  c.dir = c.parent.inode();
  c.lock = std::unique_lock<InodeLock>(c.dir->lock);
  auto d = lookup_one_locked(c.parent.dentry(), c.dir, pp->last);
  if (!d.ok()) return Err{d.error()};
  c.dentry = DentryRef(*d);
  if (c.dentry.inode()) return Err{EEXIST};
  // "foo/" asks for a directory: making anything else there is ENOENT.
  if (pp->trailing_slash && !want_dir) return Err{ENOENT};
  c.name = std::move(pp->last);
  return {};
}

void instantiate(Dentry* d, Inode* inode) {
  d_instantiate(d, inode, inode->sb->flags & kSbDcacheComplete);
}

}  // namespace rcuvfs::core
