// SecPath: the ancestor walk handed to security modules, and inode identities.
#include "core/secpath.h"

#include "core/dcache.h"
#include "core/internals.h"
#include "core/ops_common.h"
#include "core/rcu.h"
#include "core/task_state.h"

#include <rcuvfs/task.h>

#include <cerrno>
#include <vector>

namespace rcuvfs {

using namespace core;

InodeId inode_id(const Inode& inode) {
  return {inode.sb->dev, inode.ino.load(std::memory_order_acquire),
          inode.generation.load(std::memory_order_acquire)};
}

namespace {
// Parent chains are acyclic in every real state of the tree; a mix of two states seen
// under RCU might not be, and the rename counter then fails. The bound only keeps
// such a pass finite.
constexpr unsigned kMaxDepth = 1u << 16;

// One pass from (m, d) up to the namespace root. Caller: inside a read-side section.
bool visit(const Mount* m, const Dentry* d, const Inode* first, SecPath::VisitFn fn,
           void* ctx) {
  for (unsigned depth = 0; depth < kMaxDepth; ++depth) {
    const Inode* inode = depth == 0 ? first : d->inode.load(std::memory_order_acquire);
    if (!inode) return false;
    if (!fn(ctx, *inode, core::d_name(d, std::memory_order_acquire).view(), depth))
      return true;
    // A mount root is followed by the directory it is mounted on.
    while (d == m->root) {
      const Mount* parent = m->parent.load(std::memory_order_acquire);
      if (parent == m) return true;  // the namespace root
      d = m->mountpoint.load(std::memory_order_acquire);
      m = parent;
      if (++depth >= kMaxDepth) return false;
      const Inode* mp = d->inode.load(std::memory_order_acquire);
      if (!mp) return false;
      if (!fn(ctx, *mp, core::d_name(d, std::memory_order_acquire).view(), depth))
        return true;
    }
    const Dentry* up = d->parent.load(std::memory_order_acquire);
    if (up == d) return true;  // a detached tree's root
    d = up;
  }
  return false;
}

}  // namespace

bool SecPath::walk_up_impl(VisitFn fn, void* ctx) const {
  const auto* m = static_cast<const Mount*>(mnt_);
  const auto* d = static_cast<const Dentry*>(dentry_);
  if (flags_ & kMayNotBlock) {
    // Inside the walker's section. Sample once per hook call: the core re-checks
    // these samples when the hook returns.
    if (!ancestry_read_) {
      ancestry_read_ = true;
      rename_seq_ = g_rename_seq.begin();
      mount_seq_ = g_mount_seq.begin();
    }
    if ((rename_seq_ | mount_seq_) & 1) return false;
    return visit(m, d, inode_, fn, ctx);
  }
  for (;;) {
    RcuLock rcu;
    const uint32_t rs = g_rename_seq.begin_even(), ms = g_mount_seq.begin_even();
    const bool ok = visit(m, d, inode_, fn, ctx);
    if (g_rename_seq.validate(rs) && g_mount_seq.validate(ms)) return ok;
  }
}

std::string SecPath::path() const {
  const auto* obj_m = static_cast<const Mount*>(mnt_);
  const auto* obj_d = static_cast<const Dentry*>(dentry_);
  for (;;) {
    RcuLock rcu;
    const uint32_t rs = g_rename_seq.begin_even(), ms = g_mount_seq.begin_even();
    const FsContext* fs = task_->fs.load(std::memory_order_acquire);
    std::vector<std::string_view> parts;
    const Mount* m = obj_m;
    const Dentry* d = obj_d;
    for (unsigned guard = 0; guard < kMaxDepth; ++guard) {
      if (m == fs->root.mnt && d == fs->root.dentry) break;
      if (d == m->root) {
        const Mount* parent = m->parent.load(std::memory_order_acquire);
        if (parent == m) break;
        d = m->mountpoint.load(std::memory_order_acquire);
        m = parent;
        continue;
      }
      parts.push_back(core::d_name(d, std::memory_order_acquire).view());
      const Dentry* up = d->parent.load(std::memory_order_acquire);
      if (up == d) break;
      d = up;
    }
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      out.push_back('/');
      out.append(*it);
    }
    if (out.empty()) out.push_back('/');
    if (g_rename_seq.validate(rs) && g_mount_seq.validate(ms)) return out;
  }
}

namespace core {
bool SecPathAccess::still_valid(const SecPath& s) {
  if (!s.ancestry_read_) return true;
  return g_rename_seq.validate(s.rename_seq_) && g_mount_seq.validate(s.mount_seq_);
}
}  // namespace core

}  // namespace rcuvfs

namespace rcuvfs {

Result<InodeId> inode_id_at(Task& task, int dirfd, std::string_view path, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Err{EINVAL};
  RCUVFS_TRY(check_path(path, flags & AT_EMPTY_PATH));
  unsigned lf = 0;
  if (!(flags & AT_SYMLINK_NOFOLLOW)) lf |= kLookupFollow;
  if (flags & AT_EMPTY_PATH) lf |= kLookupEmpty;
  auto p = lookup_path(state_of(task), dirfd, path, lf);
  if (!p.ok()) return Err{p.error()};
  PathRef ref(*p);
  return inode_id(*ref.inode());
}

}  // namespace rcuvfs
