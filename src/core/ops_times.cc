// utimensat: set access and modification times (Linux's fs/utimes.c).
#include "core/ops_common.h"
#include "core/secpath.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

namespace {
bool nsec_valid(long nsec) {
  return nsec == UTIME_OMIT || nsec == UTIME_NOW || (nsec >= 0 && nsec <= 999999999);
}

int64_t to_ns(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
}  // namespace

Status Task::utimensat(int dirfd, std::string_view path, const struct timespec times[2],
                       int flags) {
  if (auto r = retry_estale([&] { return utimensat(dirfd, path, times, flags); })) return *r;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Err{EINVAL};
  // Invalid nanoseconds are refused before the path is even looked at.
  if (times && (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec)))
    return Err{EINVAL};
  RCUVFS_TRY(check_path(path, flags & AT_EMPTY_PATH));
  unsigned lf = 0;
  if (!(flags & AT_SYMLINK_NOFOLLOW)) lf |= kLookupFollow;
  if (flags & AT_EMPTY_PATH) lf |= kLookupEmpty;
  auto p = lookup_path(*s_, dirfd, path, lf);
  if (!p.ok()) return Err{p.error()};
  PathRef ref(*p);
  Inode* inode = ref.inode();

  // Both omitted: nothing to do, not even a permission check (vfs_utimes).
  if (times && times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) return {};
  const bool touch = !times || (times[0].tv_nsec == UTIME_NOW &&
                                times[1].tv_nsec == UTIME_NOW);
  const Cred cred = current_cred(*s_);
  if (!owner_or_root(*inode, cred)) {
    // Explicit times need ownership (or CAP_FOWNER); "now" also accepts write access.
    if (!touch) return Err{EPERM};
    if (int err = inode_permission(*s_->vfs, sec_path(*s_, *p, inode), kMayWrite, cred))
      return Err{-err};
  }

  const int64_t now = now_ns();
  AttrChange c;
  c.valid = kAttrCtime;
  c.ctime_ns = now;
  if (!times || times[0].tv_nsec != UTIME_OMIT) {
    c.valid |= kAttrAtime;
    c.atime_ns = (!times || times[0].tv_nsec == UTIME_NOW) ? now : to_ns(times[0]);
  }
  if (!times || times[1].tv_nsec != UTIME_OMIT) {
    c.valid |= kAttrMtime;
    c.mtime_ns = (!times || times[1].tv_nsec == UTIME_NOW) ? now : to_ns(times[1]);
  }
  {
    std::unique_lock lk(inode->lock);
    RCUVFS_TRY(inode->setattr(c));
  }
  notify_dentry(ref.dentry(), inode, attr_change_mask(c.valid));
  return {};
}

}  // namespace rcuvfs
