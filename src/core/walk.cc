// The walk: a path resolved step by step, in RCU mode and in ref-walk (see
// nameidata.h for its results and docs/path-walk.md for the counters it samples). The
// RCU and reference variants of a step are separate functions where their rules
// differ (mount crossing, `..`); the plain RCU step is in plain_steps.h.
#include "core/nameidata.h"

#include "core/dcache.h"
#include "core/inject.h"
#include "core/ops_common.h"
#include "core/permission.h"
#include "core/plain_steps.h"
#include "core/rcu.h"

#include <cerrno>
#include <mutex>
#include <optional>

namespace rcuvfs::core {

// ---- leaving RCU --------------------------------------------------------------------

namespace {
// Take references on `p`: false (none taken) when its mount or its dentry is dying.
bool path_get_not_dead(const Path& p) {
  if (!mntget_not_dead(p.mnt)) return false;
  if (dget_not_dead(p.dentry)) return true;
  mntput(p.mnt);
  return false;
}

// Linux's legitimize_path: references on `p`, a position an RCU walk sampled with
// `seq`, and the proof that it is still what the walk saw. False: nothing taken.
bool legitimize_path(const Path& p, uint32_t seq) {
  if (!path_get_not_dead(p)) return false;
  if (p.dentry->seq.validate(seq)) return true;
  path_put(p);
  return false;
}
}  // namespace

bool try_to_unlazy(Nameidata& nd) {
  if (!legitimize_path(nd.path, nd.seq)) return false;
  if (!legitimize_path(nd.root, nd.root_seq)) {
    path_put(nd.path);
    return false;
  }
  if (!g_mount_seq.validate(nd.m_seq)) {
    path_put(nd.path);
    path_put(nd.root);
    return false;
  }
  nd.rcu = false;
  walk_clock_end();
  // Creds are freed after a grace period: keep our own copy past the section.
  nd.cred_copy = *nd.cred;
  nd.cred = &nd.cred_copy;
  nd.rcu_lock->unlock();
  // The inode of a referenced positive dentry cannot change; re-read it to be exact.
  nd.inode = nd.path.dentry->inode.load(std::memory_order_acquire);
  count(Counter::kUnlazy);
  return true;
}

int unlazy(Nameidata& nd) {
  if (nd.flags & kLookupCached) return -EAGAIN;
  return try_to_unlazy(nd) ? 0 : -ECHILD;
}

int unlazy(Nameidata& nd, Echild why) {
  count(why);
  return unlazy(nd);
}

bool validate_rcu(const Nameidata& nd, Echild* why) {
  if (nd.path.dentry && !nd.path.dentry->seq.validate(nd.seq)) {
    *why = Echild::kDentrySeq;
    return false;
  }
  if (!g_mount_seq.validate(nd.m_seq)) {
    *why = Echild::kMountSeq;
    return false;
  }
  if (nd.dotdot && !g_rename_seq.validate(nd.r_seq)) {
    *why = Echild::kRenameSeq;
    return false;
  }
  return true;
}

// ---- start --------------------------------------------------------------------------

namespace {
// Make the root the current position.
void jump_to_root(Nameidata& nd) {
  if (nd.rcu) {
    nd.path = nd.root;
    nd.seq = nd.root_seq;
  } else {
    path_put(nd.path);
    nd.path = path_get(nd.root);
  }
  nd.inode = nd.path.dentry->inode.load(std::memory_order_acquire);
}
}  // namespace

int path_init(Nameidata& nd, int dirfd, std::string_view s) {
  nd.rest = s;
  if (nd.rcu) {
    // An odd sample (a rename or mount in progress) is kept: it only matters to a
    // walk that goes on to need it (`..`, a mount crossing, a scoped end), and there
    // it fails validation. Most walks never look at it again.
    nd.m_seq = g_mount_seq.begin();
    nd.r_seq = g_rename_seq.begin();
  } else {
    nd.m_seq = g_mount_seq.begin_even();
    nd.r_seq = g_rename_seq.begin_even();
  }

  // Root, cwd and descriptors are read under RCU in both modes; ref-walk then takes
  // references while its own short section still pins them.
  std::optional<RcuLock> guard;
  if (!nd.rcu) guard.emplace();
  const FsContext* fs = nd.task->fs.load(std::memory_order_acquire);
  Path start, root = fs->root;
  bool absolute = !s.empty() && s[0] == '/';
  if (!absolute || (nd.flags & kLookupInRoot)) {
    if (dirfd == AT_FDCWD) {
      start = fs->cwd;
    } else {
      File* f = nd.task->files.peek_rcu(dirfd);
      if (!f) return -EBADF;
      start = f->path;
      if (!s.empty() && !is_dir(f->inode)) return -ENOTDIR;
    }
    if (nd.flags & kLookupScoped) {
      root = start;
      nd.root_set = true;
    }
  } else {
    nd.root_set = true;
    if (nd.flags & kLookupBeneath) return -EXDEV;
    start = root;
  }
  if (nd.rcu) {
    nd.path = start;
    nd.seq = start.dentry->seq.begin();
    nd.root = root;
    nd.root_seq = root.dentry->seq.begin();
    if ((nd.seq | nd.root_seq) & 1) {
      count(Echild::kDentrySeq);
      return -ECHILD;
    }
    nd.inode = start.dentry->inode.load(std::memory_order_acquire);
  } else {
    if (!path_get_not_dead(start)) return -EBADF;
    nd.path = start;
    if (!path_get_not_dead(root)) return -EBADF;
    nd.root = root;
    nd.inode = start.dentry->inode.load(std::memory_order_acquire);
  }
  // IN_ROOT: an absolute path starts at the scope root.
  if (absolute && (nd.flags & kLookupInRoot)) jump_to_root(nd);
  return 0;
}
// ---- mounts -------------------------------------------------------------------------

namespace {
// Move `p` (no references) to the root of whatever is mounted on it, repeatedly, with
// its seq sample and inode. p, seq and inode are the caller's copies: on -ECHILD the
// caller's position is untouched.
int follow_mounts_rcu(const Nameidata& nd, Path& p, uint32_t& seq, Inode*& inode) {
  while (p.dentry->has_flag(kDMounted)) {
    Mount* m = lookup_mnt(p.mnt, p.dentry);
    if (!m) break;
    if (nd.flags & kLookupNoXdev) return -EXDEV;
    const uint32_t s = m->root->seq.begin();
    if (s & 1) {
      count(Echild::kDentrySeq);
      return -ECHILD;
    }
    p = {m, m->root};
    seq = s;
    inode = m->root->inode.load(std::memory_order_acquire);
  }
  return 0;
}

// The same with references: p's are replaced by the mount's, taken under the mount lock.
int follow_mounts(const Nameidata& nd, Path& p, Inode*& inode) {
  while (p.dentry->has_flag(kDMounted)) {
    Mount* m;
    {
      MutexLock g(g_mount_lock);
      m = lookup_mnt(p.mnt, p.dentry);
      if (m) {
        mntget(m);
        dget(m->root);
      }
    }
    if (!m) break;
    path_put(p);
    p = {m, m->root};
    inode = m->root->inode.load(std::memory_order_acquire);
    if (nd.flags & kLookupNoXdev) return -EXDEV;
  }
  return 0;
}

// ---- steps --------------------------------------------------------------------------

int may_lookup(Nameidata& nd) {
  // Fast path: a directory everyone may search, on a filesystem whose permission
  // check is the generic one, with no security module to ask.
  const Inode* dir = nd.inode;
  if ((dir->mode.load(std::memory_order_relaxed) & 0111) == 0111 &&
      (dir->sb->flags & kSbGenericPermission) &&
      !nd.task->vfs->lsm.load(std::memory_order_acquire))
    return 0;
  for (;;) {
    Refuser why = Refuser::kNone;
    int err = inode_permission(
        nd.vfs(), sec_path(*nd.task, nd.path, nd.inode, nd.rcu ? kMayNotBlock : 0),
        kMayExec, *nd.cred, &why);
    if (err != -ECHILD) return err;
    if (int e = unlazy(nd, echild_reason(why))) return e;
  }
}

// Splice the body of symlink `link` (not committed as the position) into the rest
// of the path. Returns kStepLink: the walk goes on with the body.
int pick_link(Nameidata& nd, Path& link, uint32_t seq, Inode* inode) {
  if (nd.flags & kLookupNoSymlinks) return -ELOOP;
  if (nd.total_links >= kMaxSymlinks) return -ELOOP;
  const unsigned f = nd.rcu ? kMayNotBlock : 0;
  Refuser why = Refuser::kNone;
  int err = security_follow_link(nd.vfs(), sec_path(*nd.task, link, inode, f), *nd.cred, &why);
  if (err == -ECHILD) {
    count(echild_reason(why));
    return -ECHILD;
  }
  if (err) return err;
  std::string_view body;
  err = inode->get_link(body, f);
  if (err == -ECHILD) {
    count(Echild::kSymlink);
    return -ECHILD;
  }
  if (err) return err;
  std::string next;
  next.reserve(body.size() + 1 + nd.rest.size());
  next.append(body);
  if (nd.rcu && !link.dentry->seq.validate(seq)) {
    // The link changed while we copied its body.
    count(Echild::kDentrySeq);
    return -ECHILD;
  }
  ++nd.total_links;
  if (!nd.rest.empty()) {
    next.push_back('/');
    next.append(nd.rest);
  }
  if (body.empty()) return -ENOENT;
  nd.buf.swap(next);
  nd.rest = nd.buf;
  if (nd.rest[0] == '/') {
    if (nd.flags & kLookupBeneath) return -EXDEV;
    // Linux compares with a root it has not set yet in a relative walk that has not
    // met `..` (nd->root.mnt == NULL): any absolute jump is then EXDEV.
    if ((nd.flags & kLookupNoXdev) && (!nd.root_set || nd.path.mnt != nd.root.mnt))
      return -EXDEV;
    nd.root_set = true;
    jump_to_root(nd);
    while (!nd.rest.empty() && nd.rest[0] == '/') nd.rest.remove_prefix(1);
  }
  return kStepLink;
}
}  // namespace

int step_into_rcu_slow(Nameidata& nd, Dentry* child, uint32_t seq, bool follow) {
  Path next{nd.path.mnt, child};
  Inode* inode = child->inode.load(std::memory_order_acquire);
  if (int err = follow_mounts_rcu(nd, next, seq, inode)) return err;
  // The link itself never becomes the position: only its body is used.
  if (follow && is_lnk(inode)) return pick_link(nd, next, seq, inode);
  nd.path = next;
  nd.inode = inode;
  nd.seq = seq;
  return 0;
}

int step_into_ref(Nameidata& nd, Dentry* child, bool follow) {
  Path next{mntget(nd.path.mnt), child};
  Inode* inode = child->inode.load(std::memory_order_acquire);
  int err = follow_mounts(nd, next, inode);
  if (!err && follow && is_lnk(inode)) err = pick_link(nd, next, 0, inode);
  if (err) {
    path_put(next);
    return err;
  }
  path_put(nd.path);
  nd.path = next;
  nd.inode = inode;
  return 0;
}

namespace {
// A revalidating filesystem's cached entry, confirmed (its age restarts) or forgotten
// (nullptr: look the name up again). Ref-walk; returns a referenced dentry or nullptr.
Dentry* d_lookup_confirmed(Dentry* parent, const Inode* dir, std::string_view name) {
  Dentry* d = d_lookup(parent, name);
  if (!d || (dir->sb->flags & kSbDcacheComplete)) return d;
  const unsigned force = estale_pass() == EstalePass::kReval ? kRevalForce : 0;
  const Inode* inode = d->inode.load(std::memory_order_acquire);
  // A mountpoint stays: Linux would detach what is mounted on a stale entry; rcuvfs
  // keeps the mount reachable instead.
  if (dir->revalidate(name, inode, d_age_ms(d), force) == 1 ||
      d_invalidate_unless_mounted(d) == Invalidated::kMounted) {
    d_touch(d);
    return d;
  }
  dput(d);
  return nullptr;
}

// Find `name` in the current directory the slow way: under the directory's lock,
// asking the filesystem. Ref-walk only. Returns a referenced dentry.
Result<Dentry*> lookup_slow(Nameidata& nd, std::string_view name) {
  std::unique_lock lk(nd.inode->lock);
  return lookup_one_locked(nd.path.dentry, nd.inode, name);
}

// ---- `..` -----------------------------------------------------------------------------

// At the root of a mount, `..` continues from the mountpoint in the parent mount (and
// from there, maybe the root of another); then it moves to the parent directory and
// crosses whatever is mounted there. Both variants leave the position at the root for
// `..` of the walk's root (EXDEV when the walk is beneath it) and of the namespace.

// In RCU mode the parent pointer is trusted only if no rename happened since the walk
// began: a rename may have moved the position out from under the root. On -ECHILD
// the position is that of `..` of a mount root's mountpoint at worst: the same `..`.
int follow_dotdot_rcu(Nameidata& nd) {
  nd.root_set = true;
  for (;;) {
    if (nd.path == nd.root) return (nd.flags & kLookupBeneath) ? -EXDEV : 0;
    Mount* m = nd.path.mnt;
    if (nd.path.dentry != m->root) break;
    Mount* parent = m->parent.load(std::memory_order_acquire);
    Dentry* mp = m->mountpoint.load(std::memory_order_acquire);
    if (parent == m) return 0;  // namespace root
    const uint32_t s = mp->seq.begin();
    if (s & 1) {
      count(Echild::kDentrySeq);
      return -ECHILD;
    }
    nd.path = {parent, mp};
    nd.seq = s;
    nd.inode = mp->inode.load(std::memory_order_acquire);
    if (nd.flags & kLookupNoXdev) return -EXDEV;
  }
  Dentry* d = nd.path.dentry;
  Dentry* parent = d->parent.load(std::memory_order_acquire);
  uint32_t pseq = parent->seq.begin();
  if ((pseq & 1) || !d->seq.unchanged(nd.seq)) {
    count(Echild::kDentrySeq);
    return -ECHILD;
  }
  nd.dotdot = true;
  if (!g_rename_seq.unchanged(nd.r_seq)) {
    count(Echild::kRenameSeq);
    return -ECHILD;
  }
  Path up{nd.path.mnt, parent};
  Inode* inode = parent->inode.load(std::memory_order_acquire);
  if (int err = follow_mounts_rcu(nd, up, pseq, inode)) return err;
  nd.path = up;
  nd.seq = pseq;
  nd.inode = inode;
  return 0;
}

// With references: the parent is read under the dentry's lock, the mount's parent
// under the mount lock. A scoped walk (BENEATH, IN_ROOT) that met a rename or a mount
// since it began may have left its root: EAGAIN, as Linux.
int follow_dotdot(Nameidata& nd) {
  nd.root_set = true;
  for (;;) {
    if (nd.path == nd.root) return (nd.flags & kLookupBeneath) ? -EXDEV : 0;
    if (nd.path.dentry != nd.path.mnt->root) break;
    Path up;
    {
      MutexLock g(g_mount_lock);
      Mount* m = nd.path.mnt;
      Mount* parent = m->parent.load(std::memory_order_relaxed);
      if (parent == m) return 0;  // namespace root
      up = {mntget(parent), dget(m->mountpoint.load(std::memory_order_relaxed))};
    }
    path_put(nd.path);
    nd.path = up;
    nd.inode = up.dentry->inode.load(std::memory_order_acquire);
    if (nd.flags & kLookupNoXdev) return -EXDEV;
  }
  Dentry* parent;
  {
    DLockGuard g(nd.path.dentry);
    parent = dget(nd.path.dentry->parent.load(std::memory_order_relaxed));
  }
  if ((nd.flags & kLookupScoped) &&
      (!g_mount_seq.unchanged(nd.m_seq) || !g_rename_seq.unchanged(nd.r_seq))) {
    dput(parent);
    return -EAGAIN;
  }
  dput(nd.path.dentry);
  nd.path.dentry = parent;
  nd.inode = parent->inode.load(std::memory_order_acquire);
  return follow_mounts(nd, nd.path, nd.inode);
}

int handle_dotdot(Nameidata& nd) {
  if (!nd.rcu) return follow_dotdot(nd);
  const int err = follow_dotdot_rcu(nd);
  if (err != -ECHILD) return err;
  if (int e = unlazy(nd)) return e;
  return follow_dotdot(nd);
}

// ---- one component ------------------------------------------------------------------

// The RCU-mode lookup and step: -ECHILD (counted) when the step needs references and
// the position still holds (unlazy and redo it); kRestart when the position itself did
// not hold (the walk starts over).
constexpr int kRestart = 2;
int walk_component_rcu(Nameidata& nd, std::string_view name, const Component& c,
                       bool follow) {
  uint32_t cseq, cflags;
  Dentry* child = d_lookup_rcu(nd.path.dentry, c, name.data(), &cseq, 0, &cflags);
  if (!child) {
    count(Echild::kDcacheMiss);
    return -ECHILD;
  }
  // Found: the shrinker, if it marked the entry, must pass it over once more. A shared
  // write only where the shrinker wrote first.
  if (__builtin_expect(cflags & kDCold, 0)) child->clear_flag(kDCold);
  // The child was found under the parent: prove the parent did not change meanwhile
  // (hand-over-hand validation).
  if (!injected(kInjectSkipParentRecheck) && !nd.path.dentry->seq.unchanged(nd.seq)) {
    count(Echild::kDentrySeq);
    return kRestart;
  }
  if (!(nd.inode->sb->flags & kSbDcacheComplete) &&
      nd.inode->revalidate(name, child->inode.load(std::memory_order_acquire),
                           d_age_ms(child), kMayNotBlock) != 1) {
    count(Echild::kRevalidate);
    return -ECHILD;
  }
  // A refusal inside the step (symlink, security) has been counted there.
  const int err = step_into(nd, child, cseq, follow);
  if (err != -ECHILD) count(Counter::kDcacheHit);
  return err;
}

int walk_component_ref(Nameidata& nd, std::string_view name, bool follow) {
  Dentry* child = d_lookup_confirmed(nd.path.dentry, nd.inode, name);
  if (child) {
    count(Counter::kDcacheHit);
  } else {
    auto r = lookup_slow(nd, name);
    if (!r.ok()) return -r.error();
    child = *r;
  }
  return step_into_ref(nd, child, follow);
}
}  // namespace

int walk_component(Nameidata& nd, std::string_view name, const Component& c, LastType type,
                   bool more) {
  if (type == LastType::kDot) return 0;
  if (type == LastType::kDotDot) return handle_dotdot(nd);
  if (name.size() > kNameMax) return -ENAMETOOLONG;
  const bool follow = more || (nd.flags & kLookupFollow);
  if (nd.rcu) {
    const int err = walk_component_rcu(nd, name, c, follow);
    if (err == kRestart) return -ECHILD;
    if (err != -ECHILD) return err;
    if (int e = unlazy(nd)) return e;
  }
  return walk_component_ref(nd, name, follow);
}

// ---- the path -------------------------------------------------------------------------

namespace {
// Plain steps (plain_steps.h) from nd's position, as far as they go.
void rcu_fast_steps(Nameidata& nd) {
  if (nd.task->vfs->lsm.load(std::memory_order_acquire) || (nd.seq & 1) ||
      !parents_rechecked())
    return;
  PlainPos pos{nd.path.dentry, nd.inode, nd.seq, nd.rest.data()};
  const char* end = nd.rest.data() + nd.rest.size();
  if (cached_sb(pos.inode))
    plain_steps<false>(pos, end, pos.p, CachedFs{nd.cred});
  else
    plain_steps<false>(pos, end, pos.p, CompleteFs{nd.cred});
  nd.path.dentry = pos.d;
  nd.inode = pos.inode;
  nd.seq = pos.seq;
  nd.rest = std::string_view(pos.p, static_cast<size_t>(end - pos.p));
  count(Counter::kDcacheHit, pos.hits);
}
}  // namespace
int link_path_walk(Nameidata& nd) {
  while (!nd.rest.empty() && nd.rest[0] == '/') nd.rest.remove_prefix(1);
  if (nd.rest.empty()) {
    nd.last = {};
    nd.last_type = LastType::kRoot;
    nd.trailing = false;
    return 0;
  }
  for (;;) {
    if (nd.rcu) rcu_fast_steps(nd);
    if (!is_dir(nd.inode)) return nd.inode ? -ENOTDIR : -ENOENT;
    if (int err = may_lookup(nd)) return err;
    const Component c = hash_component(nd.rest);
    std::string_view name = nd.rest.substr(0, c.len());
    LastType type = LastType::kNorm;
    if (name.size() <= 2 && name[0] == '.')  // names are never empty here
      type = name.size() == 1 ? LastType::kDot : name[1] == '.' ? LastType::kDotDot : type;
    nd.rest.remove_prefix(name.size());
    bool slash = !nd.rest.empty();
    while (!nd.rest.empty() && nd.rest[0] == '/') nd.rest.remove_prefix(1);
    if (nd.rest.empty()) {
      nd.last = name;
      nd.last_c = c;
      nd.last_type = type;
      nd.trailing = slash;
      return 0;
    }
    int err = walk_component(nd, name, c, type, true);
    if (err < 0) return err;
    if (err == kStepLink) {
      if (nd.rest.empty()) {
        // A body like "/" in the middle: the position itself continues.
        nd.last = {};
        nd.last_type = LastType::kRoot;
        return 0;
      }
      continue;
    }
    if (!nd.inode) return -ENOENT;
  }
}

namespace {
int lookup_last(Nameidata& nd) {
  if (nd.last_type == LastType::kNorm && nd.trailing)
    nd.flags |= kLookupFollow | kLookupDirectory;
  switch (nd.last_type) {
    case LastType::kRoot:
    case LastType::kDot:
      return 0;
    case LastType::kDotDot:
    case LastType::kNorm:
      break;
  }
  return walk_component(nd, nd.last, nd.last_c, nd.last_type, false);
}
}  // namespace

int path_lookupat(Nameidata& nd, int dirfd, std::string_view s) {
  if (int err = path_init(nd, dirfd, s)) return err;
  for (;;) {
    if (int err = link_path_walk(nd)) return err;
    int err = lookup_last(nd);
    if (err < 0) return err;
    if (err == 0) break;
  }
  if (!nd.inode) return -ENOENT;
  if ((nd.flags & kLookupDirectory) && !is_dir(nd.inode)) return -ENOTDIR;
  return 0;
}

int complete_walk(Nameidata& nd) {
  if (nd.rcu) {
    if (nd.flags & kLookupScoped) {
      if (!g_mount_seq.validate(nd.m_seq) || !g_rename_seq.validate(nd.r_seq)) {
        count(Echild::kRenameSeq);
        return -ECHILD;
      }
    }
    if (!try_to_unlazy(nd)) return -ECHILD;
    return 0;
  }
  if ((nd.flags & kLookupScoped) && !path_is_under(nd.path, nd.root)) return -EXDEV;
  return 0;
}
// ---- public entry points -----------------------------------------------------------

namespace {
constinit thread_local EstalePass t_estale_pass = EstalePass::kNone;
}  // namespace

EstalePass estale_pass() { return t_estale_pass; }
EstalePassScope::EstalePassScope(EstalePass p) : saved_(t_estale_pass) { t_estale_pass = p; }
EstalePassScope::~EstalePassScope() { t_estale_pass = saved_; }

unsigned resolve_to_lookup(uint64_t resolve) {
  unsigned f = 0;
  if (resolve & RESOLVE_NO_XDEV) f |= kLookupNoXdev;
  if (resolve & RESOLVE_NO_MAGICLINKS) f |= kLookupNoMagic;
  if (resolve & RESOLVE_NO_SYMLINKS) f |= kLookupNoSymlinks;
  if (resolve & RESOLVE_BENEATH) f |= kLookupBeneath;
  if (resolve & RESOLVE_IN_ROOT) f |= kLookupInRoot;
  if (resolve & RESOLVE_CACHED) f |= kLookupCached;
  return f;
}

Result<Path> lookup_path(TaskState& t, int dirfd, std::string_view s, unsigned flags) {
  Path out;
  int err = run_walk(t, flags, [&](Nameidata& nd) {
    if (int e = path_lookupat(nd, dirfd, s)) return e;
    if (int e = complete_walk(nd)) return e;
    out = nd.take_path();
    return 0;
  });
  if (err) return Err{-err};
  return out;
}

Result<ParentPath> lookup_parent(TaskState& t, int dirfd, std::string_view s,
                                 unsigned flags) {
  ParentPath out;
  int err = run_walk(t, flags, [&](Nameidata& nd) {
    if (int e = path_init(nd, dirfd, s)) return e;
    if (int e = link_path_walk(nd)) return e;
    if (!is_dir(nd.inode)) return nd.inode ? -ENOTDIR : -ENOENT;
    if (int e = complete_walk(nd)) return e;
    out.last.assign(nd.last);
    out.type = nd.last_type;
    out.trailing_slash = nd.trailing;
    out.parent = nd.take_path();
    return 0;
  });
  if (err) return Err{-err};
  return out;
}
Result<Dentry*> lookup_one_locked(Dentry* parent, Inode* dir, std::string_view name) {
  if (name.size() > kNameMax) return Err{ENAMETOOLONG};
  // A removed directory (nlink 0, set under the lock held here) takes no entry, not
  // even a negative one (Linux's IS_DEADDIR): it would be hashed under a parent that
  // nothing removes any more, and keep that directory alive for good.
  if (dir->nlink.load(std::memory_order_relaxed) == 0) return Err{ENOENT};
  if (Dentry* d = d_lookup_confirmed(parent, dir, name)) return d;
  count(Counter::kDcacheMiss);
  Inode* inode = nullptr;
  if (!(dir->sb->flags & kSbDcacheComplete)) {
    auto r = dir->lookup(name);
    if (!r.ok()) return Err{r.error()};
    inode = *r;
  }
  Dentry* d = d_alloc(parent, name);
  d_add(d, inode, false);
  return d;
}

bool path_is_under(const Path& p, const Path& root) {
  for (;;) {
    RcuLock rcu;
    uint32_t ms = g_mount_seq.begin_even(), rs = g_rename_seq.begin_even();
    Mount* m = p.mnt;
    Dentry* d = p.dentry;
    bool under = false;
    for (int guard = 0; guard < 1 << 20; ++guard) {
      if (m == root.mnt && d == root.dentry) {
        under = true;
        break;
      }
      if (d == m->root) {
        Mount* parent = m->parent.load(std::memory_order_acquire);
        if (parent == m) break;
        d = m->mountpoint.load(std::memory_order_acquire);
        m = parent;
        continue;
      }
      Dentry* up = d->parent.load(std::memory_order_acquire);
      if (up == d) break;
      d = up;
    }
    if (g_mount_seq.validate(ms) && g_rename_seq.validate(rs)) return under;
  }
}

}  // namespace rcuvfs::core
