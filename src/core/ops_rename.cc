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
  Inode* source = old_d.inode();
  if (!source) return Err{ENOENT};
  auto nd = lookup_one_locked(new_parent.dentry(), new_dir, to->last);
  if (!nd.ok()) return Err{nd.error()};
  DentryRef new_d(*nd);
  Inode* target = new_d.inode();
  if ((flags & RENAME_NOREPLACE) && target) return Err{EEXIST};
  if (flags & RENAME_EXCHANGE) {
    if (!target) return Err{ENOENT};
    if (!target->is_dir() && to->trailing_slash) return Err{ENOTDIR};
  }
  // Unless the source is a directory, trailing slashes give ENOTDIR.
  if (!source->is_dir()) {
    if (from->trailing_slash) return Err{ENOTDIR};
    if (!(flags & RENAME_EXCHANGE) && to->trailing_slash) return Err{ENOTDIR};
  }
  // The source must not be an ancestor of the target; the target must not be an
  // ancestor of the source (Linux's "trap" of lock_rename).
  if (old_parent.dentry() != new_parent.dentry()) {
    const Dentry* trap = child_towards(old_parent.dentry(), new_parent.dentry());
    if (!trap) trap = child_towards(new_parent.dentry(), old_parent.dentry());
    if (old_d.get() == trap) return Err{EINVAL};
    if (new_d.get() == trap) return Err{(flags & RENAME_EXCHANGE) ? EINVAL : ENOTEMPTY};
  }
  if (source == target) return {};

  const Cred cred = current_cred(*s_);
  const bool is_dir = source->is_dir();
  if (int err = may_delete(*s_, old_parent.get(), old_d.get(), is_dir, cred)) return Err{-err};
  if (!target) {
    if (int err = may_create(*s_, new_parent.get(), cred)) return Err{-err};
  } else {
    bool want_dir = (flags & RENAME_EXCHANGE) ? target->is_dir() : is_dir;
    if (int err = may_delete(*s_, new_parent.get(), new_d.get(), want_dir, cred))
      return Err{-err};
  }
  // Moving a directory to a new parent rewrites its "..": it must be writable.
  if (new_dir != old_dir) {
    if (is_dir)
      if (int err = inode_permission(
              *s_->vfs, sec_path(*s_, Path{old_parent.mnt(), old_d.get()}, source),
              kMayWrite, cred))
        return Err{-err};
    if ((flags & RENAME_EXCHANGE) && target->is_dir())
      if (int err = inode_permission(
              *s_->vfs, sec_path(*s_, Path{new_parent.mnt(), new_d.get()}, target),
              kMayWrite, cred))
        return Err{-err};
  }
  if (old_d->has_flag(kDMounted) || new_d->has_flag(kDMounted)) return Err{EBUSY};
  const SecPath old_at = sec_path(*s_, old_parent.get(), old_dir);
  const SecPath new_at = sec_path(*s_, new_parent.get(), new_dir);
  if (int err = security_call(*s_->vfs, [&](SecurityModule& m) {
        return m.path_rename(old_at, *source, from->last, new_at, target, to->last, flags,
                             cred);
      }))
    return Err{-err};

  {
    // Neither is one of the locked parents: the trap checks above rule that out.
    Inode* a = source->is_dir() ? nullptr : source;
    Inode* b = target && (!target->is_dir() || !(flags & RENAME_EXCHANGE)) ? target : nullptr;
    if (a && b && b < a) std::swap(a, b);
    std::unique_lock<InodeLock> la, lb;
    if (a) la = std::unique_lock<InodeLock>(a->lock);
    if (b) lb = std::unique_lock<InodeLock>(b->lock);
    RCUVFS_TRY(old_dir->rename(from->last, source, new_dir, to->last, target, flags));
  }
  {
    RenameLockGuard rl;
    if (flags & RENAME_EXCHANGE) {
      d_exchange(old_d.get(), new_d.get());
    } else {
      if (target)
        d_delete(new_d.get());
      else
        d_drop(new_d.get());
      d_move(old_d.get(), new_parent.dentry(), to->last);
    }
  }
  if (flags & RENAME_EXCHANGE) {
    notify_move(old_dir, from->last, new_dir, to->last, source, nullptr);
    notify_move(new_dir, to->last, old_dir, from->last, target, nullptr);
  } else {
    notify_move(old_dir, from->last, new_dir, to->last, source, target);
  }
  // A replaced directory was empty; forget the negative entries cached below it.
  if (target && target->is_dir() && !(flags & RENAME_EXCHANGE)) d_shrink_tree(new_d.get());
  return {};
}

}  // namespace rcuvfs
