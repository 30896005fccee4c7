// renameat2: RENAME_NOREPLACE, RENAME_EXCHANGE.
//
// Locking: both parents' Inode::lock, the ancestor first (Linux's lock_rename);
// unrelated parents by address, under the superblock's rename_mutex so that the
// ancestry cannot change while we decide. Then, as Linux's vfs_rename, the source
// and target when they are not directories (leaves: by address), or a directory
// target alone (so nothing is created in it while it is replaced). Every lock so
// taken follows the tree: parents before children. The dcache update happens under
// the global rename lock (rename_seq).
#include "core/ops_common.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

namespace {
// The child of `anc` on the way down to `d`, or nullptr when anc is not above d.
const Dentry* child_towards(const Dentry* anc, const Dentry* d) {
  for (;;) {
    const Dentry* up = d->parent.load(std::memory_order_acquire);
    if (up == anc) return d;
    if (up == d) return nullptr;
    d = up;
  }
}

class RenameLocks {
 public:
  RenameLocks(Superblock* sb, Inode* a, Dentry* da, Inode* b, Dentry* db) {
    if (a == b) {
      first_ = a;
      first_->lock.lock();
      return;
    }
    sb_ = sb;
    sb_->rename_mutex.lock();
    // Ancestor first (a trap is detected by the caller); otherwise by address.
    if (is_ancestor(da, db) || (!is_ancestor(db, da) && a < b)) {
      first_ = a;
      second_ = b;
    } else {
      first_ = b;
      second_ = a;
    }
    first_->lock.lock();
    second_->lock.lock();
  }
  ~RenameLocks() {
    if (second_) second_->lock.unlock();
    first_->lock.unlock();
    if (sb_) sb_->rename_mutex.unlock();
  }

 private:
  Superblock* sb_ = nullptr;
  Inode* first_ = nullptr;
  Inode* second_ = nullptr;
};
}  // namespace

namespace {
// The two ends of a rename, found and referenced with both parents locked.
struct RenameEnds {
  const ParentPath& from;
  const ParentPath& to;
  const PathRef& old_parent;
  const PathRef& new_parent;
  const DentryRef& old_d;
  const DentryRef& new_d;
  Inode* source;  // never null
  Inode* target;  // null when the new name is free
  unsigned flags;
  bool exchange() const { return flags & RENAME_EXCHANGE; }
};

// check_ends's answer when both names hold the same object: nothing to do.
constexpr int kSameObject = 1;

// What the names and the objects allow, before any permission (Linux's do_renameat2
// after lock_rename): 0, -errno or kSameObject.
int check_ends(const RenameEnds& r) {
  if ((r.flags & RENAME_NOREPLACE) && r.target) return -EEXIST;
  if (r.exchange()) {
    if (!r.target) return -ENOENT;
    if (!r.target->is_dir() && r.to.trailing_slash) return -ENOTDIR;
  }
  // Unless the source is a directory, trailing slashes give ENOTDIR.
  if (!r.source->is_dir()) {
    if (r.from.trailing_slash) return -ENOTDIR;
    if (!r.exchange() && r.to.trailing_slash) return -ENOTDIR;
  }
  // The source must not be an ancestor of the target; the target must not be an
  // ancestor of the source (Linux's "trap" of lock_rename).
  if (r.old_parent.dentry() != r.new_parent.dentry()) {
    const Dentry* trap = child_towards(r.old_parent.dentry(), r.new_parent.dentry());
    if (!trap) trap = child_towards(r.new_parent.dentry(), r.old_parent.dentry());
    if (r.old_d.get() == trap) return -EINVAL;
    if (r.new_d.get() == trap) return r.exchange() ? -EINVAL : -ENOTEMPTY;
  }
  return r.source == r.target ? kSameObject : 0;
}

// May `cred` rename (Linux's may_delete, may_create, the ".." of a moved directory,
// mountpoints, the security modules' path_rename)? 0 or -errno.
int may_rename(TaskState& t, const RenameEnds& r, const Cred& cred) {
  Inode* old_dir = r.old_parent.inode();
  Inode* new_dir = r.new_parent.inode();
  const bool is_dir = r.source->is_dir();
  if (int err = may_delete(t, r.old_parent.get(), r.old_d.get(), is_dir, cred)) return err;
  if (!r.target) {
    if (int err = may_create(t, r.new_parent.get(), cred)) return err;
  } else {
    const bool want_dir = r.exchange() ? r.target->is_dir() : is_dir;
    if (int err = may_delete(t, r.new_parent.get(), r.new_d.get(), want_dir, cred)) return err;
  }
  // Moving a directory to a new parent rewrites its "..": it must be writable.
  if (new_dir != old_dir) {
    if (is_dir)
      if (int err = inode_permission(
              *t.vfs, sec_path(t, Path{r.old_parent.mnt(), r.old_d.get()}, r.source),
              kMayWrite, cred))
        return err;
    if (r.exchange() && r.target->is_dir())
      if (int err = inode_permission(
              *t.vfs, sec_path(t, Path{r.new_parent.mnt(), r.new_d.get()}, r.target),
              kMayWrite, cred))
        return err;
  }
  if (r.old_d->has_flag(kDMounted) || r.new_d->has_flag(kDMounted)) return -EBUSY;
  const SecPath old_at = sec_path(t, r.old_parent.get(), old_dir);
  const SecPath new_at = sec_path(t, r.new_parent.get(), new_dir);
  return security_call(*t.vfs, [&](SecurityModule& m) {
    return m.path_rename(old_at, *r.source, r.from.last, new_at, r.target, r.to.last, r.flags,
                         cred);
  });
}

// The filesystem's rename with the non-directories locked (vfs_rename), then the
// dcache under the rename lock, then the change feed.
Status commit_rename(const RenameEnds& r) {
  Inode* old_dir = r.old_parent.inode();
  Inode* new_dir = r.new_parent.inode();
  {
    // Neither is one of the locked parents: check_ends's trap rules that out.
    Inode* a = r.source->is_dir() ? nullptr : r.source;
    Inode* b = r.target && (!r.target->is_dir() || !r.exchange()) ? r.target : nullptr;
    if (a && b && b < a) std::swap(a, b);
    std::unique_lock<InodeLock> la, lb;
    if (a) la = std::unique_lock<InodeLock>(a->lock);
    if (b) lb = std::unique_lock<InodeLock>(b->lock);
    RCUVFS_TRY(old_dir->rename(r.from.last, r.source, new_dir, r.to.last, r.target, r.flags));
  }
  {
    RenameLockGuard rl;
    if (r.exchange()) {
      d_exchange(r.old_d.get(), r.new_d.get());
    } else {
      if (r.target)
        d_delete(r.new_d.get());
      else
        d_drop(r.new_d.get());
      d_move(r.old_d.get(), r.new_parent.dentry(), r.to.last);
    }
  }
  if (r.exchange()) {
    notify_move(old_dir, r.from.last, new_dir, r.to.last, r.source, nullptr);
    notify_move(new_dir, r.to.last, old_dir, r.from.last, r.target, nullptr);
  } else {
    notify_move(old_dir, r.from.last, new_dir, r.to.last, r.source, r.target);
  }
  // A replaced directory was empty; forget the negative entries cached below it.
  if (r.target && r.target->is_dir() && !r.exchange()) d_shrink_tree(r.new_d.get());
  return {};
}
}  // namespace

Status Task::renameat2(int olddirfd, std::string_view oldpath, int newdirfd,
                       std::string_view newpath, unsigned flags) {
  if (auto r = retry_estale(
          [&] { return renameat2(olddirfd, oldpath, newdirfd, newpath, flags); }))
    return *r;
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return Err{EINVAL};
  if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
    return Err{EINVAL};
  if (flags & RENAME_WHITEOUT) return Err{EINVAL};  // no whiteouts: no overlay support
  // As Linux, a bad new name is only reported once the old one has resolved.
  RCUVFS_TRY(check_path(oldpath, false));
  auto from = lookup_parent(*s_, olddirfd, oldpath, 0);
  if (!from.ok()) return Err{from.error()};
  PathRef old_parent(from->parent);
  RCUVFS_TRY(check_path(newpath, false));
  auto to = lookup_parent(*s_, newdirfd, newpath, 0);
  if (!to.ok()) return Err{to.error()};
  PathRef new_parent(to->parent);
  if (old_parent.mnt() != new_parent.mnt()) return Err{EXDEV};
  if (from->type != LastType::kNorm) return Err{EBUSY};
  if (to->type != LastType::kNorm) return Err{(flags & RENAME_NOREPLACE) ? EEXIST : EBUSY};

  Inode* old_dir = old_parent.inode();
  Inode* new_dir = new_parent.inode();
  RenameLocks locks(old_dir->sb, old_dir, old_parent.dentry(), new_dir, new_parent.dentry());
  auto od = lookup_one_locked(old_parent.dentry(), old_dir, from->last);
  if (!od.ok()) return Err{od.error()};
  DentryRef old_d(*od);
  if (!old_d.inode()) return Err{ENOENT};
  auto nd = lookup_one_locked(new_parent.dentry(), new_dir, to->last);
  if (!nd.ok()) return Err{nd.error()};
  DentryRef new_d(*nd);
  const RenameEnds ends{*from, *to, old_parent, new_parent, old_d, new_d,
                        old_d.inode(), new_d.inode(), flags};
  const int e = check_ends(ends);
  if (e < 0) return Err{-e};
  if (e == kSameObject) return {};
  if (int err = may_rename(*s_, ends, current_cred(*s_))) return Err{-err};
  return commit_rename(ends);
}

}  // namespace rcuvfs
