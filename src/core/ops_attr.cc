// fchmodat, fchownat, truncate and the permission side of open.
#include "core/ops_common.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

namespace {
// Apply a mode change to the object at `p` with its inode locked.
Status apply_mode(const Path& p, Inode* inode, AttrChange& c) {
  std::unique_lock lk(inode->lock);
  c.valid |= kAttrCtime;
  c.ctime_ns = now_ns();
  Status st = inode->setattr(c);
  d_mode_changed(p.dentry);
  return st;
}

Result<Path> lookup_for_attr(TaskState& t, int dirfd, std::string_view path, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Err{EINVAL};
  RCUVFS_TRY(check_path(path, flags & AT_EMPTY_PATH));
  unsigned lf = 0;
  if (!(flags & AT_SYMLINK_NOFOLLOW)) lf |= kLookupFollow;
  if (flags & AT_EMPTY_PATH) lf |= kLookupEmpty;
  return lookup_path(t, dirfd, path, lf);
}
}  // namespace

Status Task::fchmodat(int dirfd, std::string_view path, mode_t mode, int flags) {
  if (auto r = retry_estale([&] { return fchmodat(dirfd, path, mode, flags); })) return *r;
  auto p = lookup_for_attr(*s_, dirfd, path, flags);
  if (!p.ok()) return Err{p.error()};
  PathRef ref(*p);
  Inode* inode = ref.inode();
  // Symlink modes cannot be changed (fchmodat2 with AT_SYMLINK_NOFOLLOW).
  if (inode->is_symlink()) return Err{EOPNOTSUPP};
  const Cred cred = current_cred(*s_);
  if (!owner_or_root(*inode, cred)) return Err{EPERM};
  const SecPath at = sec_path(*s_, ref.get(), inode);
  if (int err = security_call(*s_->vfs,
                              [&](SecurityModule& m) { return m.path_chmod(at, mode, cred); }))
    return Err{-err};
  AttrChange c;
  c.valid = kAttrMode;
  c.mode = mode & 07777;
  // Setting setgid on a file whose group you are not in (without CAP_FSETID) drops it.
  if (!cred.is_root() && !cred.in_group(inode->gid.load())) c.mode &= ~S_ISGID;
  RCUVFS_TRY(apply_mode(ref.get(), inode, c));
  notify_dentry(ref.dentry(), inode, IN_ATTRIB);
  return {};
}

Status Task::fchownat(int dirfd, std::string_view path, uid_t owner, gid_t group, int flags) {
  if (auto r = retry_estale([&] { return fchownat(dirfd, path, owner, group, flags); }))
    return *r;
  auto p = lookup_for_attr(*s_, dirfd, path, flags);
  if (!p.ok()) return Err{p.error()};
  PathRef ref(*p);
  Inode* inode = ref.inode();
  const Cred cred = current_cred(*s_);
  const uid_t cur_uid = inode->uid.load();
  const gid_t cur_gid = inode->gid.load();
  AttrChange c;
  if (owner != static_cast<uid_t>(-1)) {
    // Only CAP_CHOWN changes the owner (a no-op "change" to oneself is allowed).
    if (!cred.is_root() && !(cur_uid == cred.uid && owner == cur_uid)) return Err{EPERM};
    c.valid |= kAttrUid;
    c.uid = owner;
  }
  if (group != static_cast<gid_t>(-1)) {
    // The owner may pick one of their own groups.
    bool ok = cred.is_root() ||
              (cur_uid == cred.uid && (group == cur_gid || cred.in_group(group)));
    if (!ok) return Err{EPERM};
    c.valid |= kAttrGid;
    c.gid = group;
  }
  const SecPath at = sec_path(*s_, ref.get(), inode);
  if (int err = security_call(*s_->vfs, [&](SecurityModule& m) {
        return m.path_chown(at, owner, group, cred);
      }))
    return Err{-err};
  std::unique_lock lk(inode->lock);
  const mode_t mode = inode->mode.load();
  if (!S_ISDIR(mode)) {
    // chown clears setuid, and setgid when it is a real setgid (group-exec set) or the
    // caller could not have set it.
    mode_t nm = mode & 07777;
    if (nm & S_ISUID) nm &= ~S_ISUID;
    if ((nm & S_ISGID) &&
        ((nm & S_IXGRP) ||
         !(cred.is_root() || cred.in_group((c.valid & kAttrGid) ? c.gid : cur_gid))))
      nm &= ~S_ISGID;
    if (nm != (mode & 07777)) {
      c.valid |= kAttrMode;
      c.mode = nm;
    }
  }
  c.valid |= kAttrCtime;
  c.ctime_ns = now_ns();
  RCUVFS_TRY(inode->setattr(c));
  lk.unlock();
  notify_dentry(ref.dentry(), inode, attr_change_mask(c.valid));
  return {};
}

namespace core {
// Writing to or truncating a file as non-root drops setuid (and setgid-exec), as
// Linux's file_remove_privs. Caller holds inode->lock exclusively.
void kill_suid_locked(Inode* inode, const Cred& cred) {
  if (cred.is_root()) return;
  const mode_t mode = inode->mode.load();
  mode_t nm = mode & 07777;
  if (nm & S_ISUID) nm &= ~S_ISUID;
  if ((nm & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) nm &= ~S_ISGID;
  if (nm == (mode & 07777)) return;
  AttrChange c;
  c.valid = kAttrMode;
  c.mode = nm;
  (void)inode->setattr(c);
}

Status truncate_inode(const TaskState& t, const Path& p, Inode* inode, off_t length,
                      const Cred& cred, bool check_perm) {
  if (length < 0) return Err{EINVAL};
  if (inode->is_dir()) return Err{EISDIR};
  if (!S_ISREG(inode->mode.load())) return Err{EINVAL};
  const SecPath at = sec_path(t, p, inode);
  if (check_perm)
    if (int err = inode_permission(*t.vfs, at, kMayWrite, cred)) return Err{-err};
  if (int err = security_call(*t.vfs, [&](SecurityModule& m) {
        return m.path_truncate(at, length, cred);
      }))
    return Err{-err};
  {
    std::unique_lock lk(inode->lock);
    RCUVFS_TRY(inode->truncate(length));
    kill_suid_locked(inode, cred);
  }
  notify_dentry(p.dentry, inode, IN_MODIFY);
  return {};
}

Status may_open(TaskState& t, const Path& p, Inode* inode, int acc, int flags, bool created,
                const Cred& cred) {
  const SecPath at = sec_path(t, p, inode);
  switch (inode->type()) {
    case S_IFLNK:
      return Err{ELOOP};
    case S_IFDIR:
      if (acc & kMayWrite) return Err{EISDIR};
      break;
    default:
      break;
  }
  if (acc)
    if (int err = inode_permission(*t.vfs, at, acc, cred)) return Err{-err};
  if (int err = security_call(*t.vfs, [&](SecurityModule& m) {
        return m.file_open(at, flags, created, cred);
      }))
    return Err{-err};
  // No device drivers and no sockets to connect to: opening them is ENXIO.
  switch (inode->type()) {
    case S_IFCHR:
    case S_IFBLK:
    case S_IFSOCK:
      return Err{ENXIO};
    case S_IFIFO:
      // rcuvfs has no pipes, so a FIFO never gets a peer: a write-only open fails as
      // Linux's O_NONBLOCK one does without a reader (a blocking one would wait
      // forever).
      if ((flags & O_ACCMODE) == O_WRONLY) return Err{ENXIO};
      return {};
    default:
      return {};
  }
}

Status open_truncate(Inode* inode, const Cred& cred) {
  std::unique_lock lk(inode->lock);
  RCUVFS_TRY(inode->truncate(0));
  kill_suid_locked(inode, cred);
  return {};
}
}  // namespace core

Status Task::truncate(std::string_view path, off_t length) {
  if (auto r = retry_estale([&] { return truncate(path, length); })) return *r;
  // Linux refuses the length before it reads the path.
  if (length < 0) return Err{EINVAL};
  RCUVFS_TRY(check_path(path, false));
  auto p = lookup_path(*s_, AT_FDCWD, path, kLookupFollow);
  if (!p.ok()) return Err{p.error()};
  PathRef ref(*p);
  return truncate_inode(*s_, ref.get(), ref.inode(), length, current_cred(*s_), true);
}

}  // namespace rcuvfs
