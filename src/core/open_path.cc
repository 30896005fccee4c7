// open's walk: the last component with O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW and
// O_DIRECTORY semantics (Linux's open_last_lookups and do_open), then the File.
#include "core/nameidata.h"

#include "core/ops_common.h"

#include <cerrno>
#include <mutex>

namespace rcuvfs::core {

namespace {
int open_last_lookups(Nameidata& nd, const OpenHow& how, bool* created) {
  const bool creat = how.flags & O_CREAT;
  if (nd.last_type != LastType::kNorm) {
    if (nd.last_type == LastType::kDotDot)
      return walk_component(nd, {}, {}, LastType::kDotDot, false);
    return 0;
  }
  if (!creat) {
    if (nd.trailing) nd.flags |= kLookupFollow | kLookupDirectory;
    return walk_component(nd, nd.last, nd.last_c, LastType::kNorm, false);
  }
  if (nd.rcu && !try_to_unlazy(nd)) return -ECHILD;
  if (nd.trailing) return -EISDIR;
  if (nd.last.size() > kNameMax) return -ENAMETOOLONG;
  Inode* dir = nd.inode;
  Dentry* d;
  {
    std::unique_lock lk(dir->lock);
    auto r = lookup_one_locked(nd.path.dentry, dir, nd.last);
    if (!r.ok()) return -r.error();
    d = *r;
    if (!d->inode.load(std::memory_order_acquire)) {
      mode_t mode = (how.mode & 07777 & ~nd.task->umask.load()) | S_IFREG;
      auto st = open_create_locked(*nd.task, nd.path, dir, d, mode, *nd.cred);
      if (!st.ok() && st.error() == EEXIST && !(how.flags & O_EXCL) &&
          !(dir->sb->flags & kSbDcacheComplete)) {
        // A revalidating filesystem's cached "no such entry" was stale: the name
        // exists now. Without O_EXCL, open opens it: forget the entry, look again.
        d_invalidate(d);
        dput(d);
        r = lookup_one_locked(nd.path.dentry, dir, nd.last);
        if (!r.ok()) return -r.error();
        d = *r;
        if (!d->inode.load(std::memory_order_acquire)) st = Err{EEXIST};  // gone again
        else st = {};
      } else if (st.ok()) {
        *created = true;
      }
      if (!st.ok()) {
        lk.unlock();
        dput(d);
        return -st.error();
      }
    }
  }
  return step_into_ref(nd, d, nd.flags & kLookupFollow);
}
}  // namespace

Result<File*> open_path(TaskState& t, int dirfd, std::string_view s, const OpenHow& how,
                        unsigned lookup_flags) {
  File* file = nullptr;
  int err = run_walk(t, lookup_flags, [&](Nameidata& nd) {
      bool created = false;
      if (how.flags & O_PATH) {
        if (int e = path_lookupat(nd, dirfd, s)) return e;
      } else {
        if (int e = path_init(nd, dirfd, s)) return e;
        for (;;) {
          if (int e = link_path_walk(nd)) return e;
          int e = open_last_lookups(nd, how, &created);
          if (e < 0) return e;
          if (e == 0) break;
        }
      }
      if (int e = complete_walk(nd)) return e;
      Inode* inode = nd.inode;
      if (!inode) return -ENOENT;
      if (!(how.flags & O_PATH)) {
        if (how.flags & O_CREAT) {
          if ((how.flags & O_EXCL) && !created) return -EEXIST;
          if (is_dir(inode)) return -EISDIR;
        }
        if ((nd.flags & kLookupDirectory) && !is_dir(inode)) return -ENOTDIR;
        int acc = 0;
        if (!created) {
          switch (how.flags & O_ACCMODE) {
            case O_RDONLY: acc = kMayRead; break;
            case O_WRONLY: acc = kMayWrite; break;
            default: acc = kMayRead | kMayWrite; break;
          }
          if (how.flags & O_TRUNC) acc |= kMayWrite;
        }
        auto st = may_open(t, nd.path, inode, acc, static_cast<int>(how.flags), created,
                           *nd.cred);
        if (!st.ok()) return -st.error();
        // Opened, then truncated (do_dentry_open reports the open).
        notify_dentry(nd.path.dentry, inode, IN_OPEN);
        if (!created && (how.flags & O_TRUNC) && S_ISREG(inode->mode.load())) {
          auto tr = open_truncate(inode, *nd.cred);
          if (!tr.ok()) return -tr.error();
          notify_dentry(nd.path.dentry, inode, IN_MODIFY);
        }
      } else if ((nd.flags & kLookupDirectory) && !is_dir(inode)) {
        return -ENOTDIR;
      }
      auto f = make_file(nd.path, inode, static_cast<int>(how.flags));
      if (!f.ok()) return -f.error();
      file = *f;
      return 0;
  });
  if (err) return Err{-err};
  return file;
}

}  // namespace rcuvfs::core
