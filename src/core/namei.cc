// The path walker. Read docs/path-walk.md first; the invariant everything here keeps:
// RCU-walk only makes decisions ref-walk could also have made — wherever ref-walk
// takes a reference or a lock, RCU-walk samples a sequence counter, and wherever
// ref-walk would drop it, RCU-walk re-checks that counter.
//
// Every function returns 0, a negative errno, or -ECHILD (RCU mode only: "can't go
// on without references"). Step functions leave the Nameidata untouched when they
// return -ECHILD, so the caller can unlazy and redo the step in ref-walk.
#include "core/namei.h"

#include "core/attr_snapshot.h"
#include "core/clock.h"
#include "core/counters.h"
#include "core/dcache.h"
#include "core/ops_common.h"
#include "core/permission.h"
#include "core/rcu.h"
#include "core/vfs_state.h"

#include <cerrno>
#include <mutex>
#include <optional>
#include <type_traits>

namespace rcuvfs::core {

std::atomic<unsigned> g_inject{0};

namespace {
std::atomic<SpecHook> g_spec_hook{nullptr};

struct Nameidata {
  TaskState* task;
  const Cred* cred;
  unsigned flags;
  bool rcu;
  RcuLock* rcu_lock;

  Path path;             // current position; references held iff !rcu
  Inode* inode = nullptr;
  uint32_t seq = 0;      // path.dentry->seq sample (RCU)
  Path root;             // references held iff !rcu (and root.mnt != nullptr)
  uint32_t root_seq = 0;
  // g_mount_seq and g_rename_seq samples. m_seq is validated by every RCU-mode result:
  // a mount on a directory the walk already passed changes what the path names.
  uint32_t m_seq = 0, r_seq = 0;
  bool root_set = false;  // Linux sets nd->root lazily: absolute start, `..`, scoped
  bool dotdot = false;   // `..` was walked in RCU mode: validate r_seq
  int total_links = 0;

  std::string_view rest;
  std::string buf;  // owns `rest` once a symlink body was spliced in
  std::string_view last;
  Component last_c{};  // hash, length and first word of `last`
  LastType last_type = LastType::kNorm;
  bool trailing = false;
  Cred cred_copy;  // `cred` points here once the walk has left RCU

  Nameidata(TaskState& t, const Cred* c, unsigned f, bool rcu_mode, RcuLock* lk)
      : task(&t), cred(c), flags(f), rcu(rcu_mode), rcu_lock(lk) {}
  ~Nameidata() { release(); }
  void release() {
    if (!rcu) {
      if (path.mnt) path_put(path);
      if (root.mnt) path_put(root);
    }
    path = {};
    root = {};
  }
  // Hand the current position (with its references) to the caller.
  Path take_path() {
    Path p = path;
    path = {};
    return p;
  }
  const VfsState& vfs() const { return *task->vfs; }
};

inline bool is_dir(const Inode* i) { return i && S_ISDIR(i->mode.load(std::memory_order_relaxed)); }
inline bool is_lnk(const Inode* i) { return i && S_ISLNK(i->mode.load(std::memory_order_relaxed)); }

// ---- leaving RCU ------------------------------------------------------------------

// Take references on the current position and root, proving with the sequence
// counters that they are still what the walk saw; then continue in ref-walk.
bool try_to_unlazy(Nameidata& nd) {
  Path p = nd.path, r = nd.root;
  bool have_p = false, have_r = false;
  if (!mntget_not_dead(p.mnt)) return false;
  if (!dget_not_dead(p.dentry)) {
    mntput(p.mnt);
    return false;
  }
  have_p = true;
  if (!p.dentry->seq.validate(nd.seq)) goto fail;
  if (!mntget_not_dead(r.mnt)) goto fail;
  if (!dget_not_dead(r.dentry)) {
    mntput(r.mnt);
    goto fail;
  }
  have_r = true;
  if (!r.dentry->seq.validate(nd.root_seq)) goto fail;
  if (!g_mount_seq.validate(nd.m_seq)) goto fail;
  nd.rcu = false;
  walk_clock_end();
  // Creds are freed after a grace period: keep our own copy past the section.
  nd.cred_copy = *nd.cred;
  nd.cred = &nd.cred_copy;
  nd.rcu_lock->unlock();
  // The inode of a referenced positive dentry cannot change; re-read it to be exact.
  nd.inode = p.dentry->inode.load(std::memory_order_acquire);
  count(Counter::kUnlazy);
  return true;
fail:
  if (have_p) path_put(p);
  if (have_r) path_put(r);
  return false;
}

// An -ECHILD for `why`: count it, then unlazy (0: carry on in ref-walk) or give up.
int unlazy(Nameidata& nd, Echild why) {
  count(why);
  if (nd.flags & kLookupCached) return -EAGAIN;
  return try_to_unlazy(nd) ? 0 : -ECHILD;
}

// The same counters, re-checked for a result (or an error) found in RCU mode.
// On failure *why says which one moved.
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

// ---- start ------------------------------------------------------------------------

uint32_t sample_even(const SeqCount& s) {
  for (;;) {
    uint32_t v = s.begin();
    if (!(v & 1)) return v;
    __builtin_ia32_pause();
  }
}

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

int path_init(Nameidata& nd, int dirfd, std::string_view s) {
  nd.rest = s;
  if (nd.rcu) {
    // An odd sample (a rename or mount in progress) is kept: it only matters to a
    // walk that goes on to need it (`..`, a mount crossing, a scoped end), and there
    // it fails validation. Most walks never look at it again.
    nd.m_seq = g_mount_seq.begin();
    nd.r_seq = g_rename_seq.begin();
  } else {
    nd.m_seq = sample_even(g_mount_seq);
    nd.r_seq = sample_even(g_rename_seq);
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
    if (!mntget_not_dead(start.mnt)) return -EBADF;
    if (!dget_not_dead(start.dentry)) {
      mntput(start.mnt);
      return -EBADF;
    }
    nd.path = start;
    if (!mntget_not_dead(root.mnt)) return -EBADF;
    if (!dget_not_dead(root.dentry)) {
      mntput(root.mnt);
      return -EBADF;
    }
    nd.root = root;
    nd.inode = start.dentry->inode.load(std::memory_order_acquire);
  }
  // IN_ROOT: an absolute path starts at the scope root.
  if (absolute && (nd.flags & kLookupInRoot)) jump_to_root(nd);
  return 0;
}

// ---- mounts -----------------------------------------------------------------------

// Move `p` to the root of whatever is mounted on it (repeatedly). RCU: p carries no
// references; ref: p's references are replaced.
int follow_mounts(Nameidata& nd, Path& p, uint32_t& seq, Inode*& inode) {
  while (p.dentry->has_flag(kDMounted)) {
    if (nd.rcu) {
      Mount* m = lookup_mnt(p.mnt, p.dentry);
      if (!m) break;
      if (nd.flags & kLookupNoXdev) return -EXDEV;
      p = {m, m->root};
      seq = m->root->seq.begin();
      if (seq & 1) {
        count(Echild::kDentrySeq);
        return -ECHILD;
      }
      inode = m->root->inode.load(std::memory_order_acquire);
    } else {
      Mount* m;
      {
        std::lock_guard g(g_mount_lock);
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
  }
  return 0;
}

// ---- steps ------------------------------------------------------------------------

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
// of the path. Returns 1 when the walk goes on with the body.
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
  return 1;
}

// Move onto `child` (RCU: sampled with seq; ref: referenced), crossing mounts and
// following a symlink when `follow`. 0: moved; 1: a symlink body was spliced in.
int step_into_slow(Nameidata& nd, Dentry* child, uint32_t seq, bool follow) {
  Path next{nd.path.mnt, child};
  if (!nd.rcu) mntget(next.mnt);
  Inode* inode = child->inode.load(std::memory_order_acquire);
  if (child->has_flag(kDMounted)) {
    int err = follow_mounts(nd, next, seq, inode);
    if (err) {
      if (!nd.rcu) path_put(next);
      return err;
    }
  }
  if (is_lnk(inode) && follow) {
    // The link itself never becomes the position: only its body is used.
    int err = pick_link(nd, next, seq, inode);
    if (!nd.rcu) path_put(next);
    return err;
  }
  if (!nd.rcu) path_put(nd.path);
  nd.path = next;
  nd.inode = inode;
  nd.seq = seq;
  return 0;
}

// A revalidating filesystem's cached entry, confirmed (its age restarts) or forgotten
// (nullptr: look the name up again). Ref-walk; returns a referenced dentry or nullptr.
Dentry* d_lookup_confirmed(Dentry* parent, const Inode* dir, std::string_view name) {
  Dentry* d = d_lookup(parent, name);
  if (!d || (dir->sb->flags & kSbDcacheComplete)) return d;
  // A mountpoint stays: Linux would detach what is mounted on a stale entry; rcuvfs
  // keeps the mount reachable instead.
  const unsigned force = estale_pass() == EstalePass::kReval ? kRevalForce : 0;
  const Inode* inode = d->inode.load(std::memory_order_acquire);
  if (dir->revalidate(name, inode, d_age_ms(d), force) == 1 || d->has_flag(kDMounted)) {
    d_touch(d);
    return d;
  }
  d_invalidate(d);
  dput(d);
  return nullptr;
}

// The common RCU step (no mount here, no symlink to follow) inline; the rest out of
// line.
inline int step_into(Nameidata& nd, Dentry* child, uint32_t seq, bool follow) {
  if (nd.rcu) {
    Inode* inode = child->inode.load(std::memory_order_acquire);
    if (!child->has_flag(kDMounted) && !(follow && is_lnk(inode))) {
      nd.path.dentry = child;
      nd.inode = inode;
      nd.seq = seq;
      return 0;
    }
  }
  return step_into_slow(nd, child, seq, follow);
}

// Find `name` in the current directory the slow way: under the directory's lock,
// asking the filesystem. Ref-walk only. Returns a referenced dentry.
Result<Dentry*> lookup_slow(Nameidata& nd, std::string_view name) {
  std::unique_lock lk(nd.inode->lock);
  return lookup_one_locked(nd.path.dentry, nd.inode, name);
}

int walk_component(Nameidata& nd, std::string_view name, const Component& c, LastType type,
                   bool more);

int follow_dotdot(Nameidata& nd) {
  nd.root_set = true;
  for (;;) {
    if (nd.path == nd.root) {
      if (nd.flags & kLookupBeneath) return -EXDEV;
      return 0;  // `..` of the root is the root
    }
    Dentry* d = nd.path.dentry;
    if (d != nd.path.mnt->root) break;
    // At the root of a mount: continue from the mountpoint in the parent mount.
    Mount* m = nd.path.mnt;
    if (nd.rcu) {
      Mount* parent = m->parent.load(std::memory_order_acquire);
      Dentry* mp = m->mountpoint.load(std::memory_order_acquire);
      if (parent == m) return 0;  // namespace root
      uint32_t s = mp->seq.begin();
      if (s & 1) {
        count(Echild::kDentrySeq);
        return -ECHILD;
      }
      nd.path = {parent, mp};
      nd.seq = s;
      nd.inode = mp->inode.load(std::memory_order_acquire);
    } else {
      Path up;
      {
        std::lock_guard g(g_mount_lock);
        Mount* parent = m->parent.load(std::memory_order_relaxed);
        if (parent == m) return 0;
        up = {mntget(parent), dget(m->mountpoint.load(std::memory_order_relaxed))};
      }
      path_put(nd.path);
      nd.path = up;
      nd.inode = up.dentry->inode.load(std::memory_order_acquire);
    }
    if (nd.flags & kLookupNoXdev) return -EXDEV;
  }

  Dentry* d = nd.path.dentry;
  Dentry* parent;
  uint32_t pseq = 0;
  if (nd.rcu) {
    parent = d->parent.load(std::memory_order_acquire);
    pseq = parent->seq.begin();
    if ((pseq & 1) || !d->seq.unchanged(nd.seq)) {
      count(Echild::kDentrySeq);
      return -ECHILD;
    }
    // A rename anywhere may have moved us out from under a root: `..` trusts the
    // parent pointer only if no rename happened since the walk began.
    nd.dotdot = true;
    if (!g_rename_seq.unchanged(nd.r_seq)) {
      count(Echild::kRenameSeq);
      return -ECHILD;
    }
  } else {
    DLockGuard g(d);
    parent = dget(d->parent.load(std::memory_order_relaxed));
  }
  if (!nd.rcu && (nd.flags & kLookupScoped)) {
    if (!g_mount_seq.unchanged(nd.m_seq) || !g_rename_seq.unchanged(nd.r_seq)) {
      dput(parent);
      return -EAGAIN;
    }
  }
  // step_into without following: `..` is never a symlink.
  if (!nd.rcu) {
    dput(nd.path.dentry);
    nd.path.dentry = parent;
  } else {
    nd.path.dentry = parent;
    nd.seq = pseq;
  }
  nd.inode = parent->inode.load(std::memory_order_acquire);
  if (parent->has_flag(kDMounted)) {
    Path p = nd.path;
    uint32_t s = nd.seq;
    Inode* in = nd.inode;
    if (!nd.rcu) path_get(p);
    int err = follow_mounts(nd, p, s, in);
    if (err) {
      if (!nd.rcu) path_put(p);
      return err;
    }
    if (!nd.rcu) path_put(nd.path);
    nd.path = p;
    nd.seq = s;
    nd.inode = in;
  }
  return 0;
}

int walk_component(Nameidata& nd, std::string_view name, const Component& c, LastType type,
                   bool more) {
  if (type == LastType::kDot) return 0;
  if (type == LastType::kDotDot) {
    for (;;) {
      int err = follow_dotdot(nd);
      if (err != -ECHILD) return err;
      if (nd.flags & kLookupCached) return -EAGAIN;
      if (!try_to_unlazy(nd)) return -ECHILD;
    }
  }
  if (name.size() > kNameMax) return -ENAMETOOLONG;
  const bool follow = more || (nd.flags & kLookupFollow);
  for (;;) {
    if (nd.rcu) {
      uint32_t cseq, cflags;
      Dentry* child = d_lookup_rcu(nd.path.dentry, c, name.data(), &cseq, 0, &cflags);
      if (!child) {
        if (int e = unlazy(nd, Echild::kDcacheMiss)) return e;
        continue;
      }
      // Found: the shrinker, if it marked the entry, must pass it over once more. A
      // shared write only where the shrinker wrote first.
      if (__builtin_expect(cflags & kDCold, 0)) child->clear_flag(kDCold);
      // The child was found under the parent: prove the parent did not change
      // meanwhile (hand-over-hand validation).
      if (!(g_inject.load(std::memory_order_relaxed) & kInjectSkipParentRecheck) &&
          !nd.path.dentry->seq.unchanged(nd.seq)) {
        count(Echild::kDentrySeq);
        return -ECHILD;
      }
      if (!(nd.inode->sb->flags & kSbDcacheComplete) &&
          nd.inode->revalidate(name, child->inode.load(std::memory_order_acquire),
                               d_age_ms(child), kMayNotBlock) != 1) {
        if (int e = unlazy(nd, Echild::kRevalidate)) return e;
        continue;
      }
      int err = step_into(nd, child, cseq, follow);
      if (err != -ECHILD) {
        count(Counter::kDcacheHit);
        return err;
      }
      // A refusal inside the step (symlink, security): redo it with references.
      if (nd.flags & kLookupCached) return -EAGAIN;
      if (!try_to_unlazy(nd)) return -ECHILD;
      continue;
    }
    Dentry* child = d_lookup_confirmed(nd.path.dentry, nd.inode, name);
    if (child) {
      count(Counter::kDcacheHit);
    } else {
      auto r = lookup_slow(nd, name);
      if (!r.ok()) return -r.error();
      child = *r;
    }
    return step_into(nd, child, 0, follow);
  }
}

// ---- the plain RCU step ------------------------------------------------------------
// The common case of an RCU walk: a plain name in a directory the task may search (no
// security module), found in the dcache with nothing mounted on it and no symlink to
// follow. The loops below take such steps with the position in registers; each step
// is exactly what walk_component would do.

// The injected "no parent re-check" bug lives in walk_component alone: the plain
// steps are not taken while it is set.
inline bool parents_rechecked() {
  return !(g_inject.load(std::memory_order_relaxed) & kInjectSkipParentRecheck);
}

// What the plain steps ask of a filesystem, by kind. A run of steps stays on one
// filesystem (no mount is crossed in one): `start` checks it once.
//
// A complete dcache with generic permission checks (memfs): a miss would be an
// answer, a cached entry is right, and generic_permission is the filesystem's own
// rule for searching a directory. All inline but that rule.
struct CompleteFs {
  const Cred* cred;  // the walking task's (see stat_fast)
  // Most directories carry kDSearchAll (everyone may search them; only entries of such
  // filesystems carry it): the walk then never loads their inodes. The others, say a
  // home directory, are asked generic_permission with the task's cred.
  bool start(const Dentry* d, const Inode* dir) const {
    return (d->flags.load(std::memory_order_relaxed) & kDSearchAll) ||
           (dir && plain_permission_fs(dir->sb) && search(dir));
  }
  // A child of a directory start accepted: on the same filesystem.
  bool searchable(const Dentry* d, uint32_t flags) const {
    return (flags & kDSearchAll) || search(d->inode.load(std::memory_order_acquire));
  }
  static bool fresh(const Dentry*) { return true; }

 private:
  bool search(const Inode* dir) const {
    return is_dir(dir) && generic_permission(*dir, kMayExec, *cred) == 0;
  }
};
inline bool cached_sb(const Inode* dir) { return dir && (dir->sb->flags & kSbEntryTtl); }
// A dcache that is a cache with a fixed entry lifetime (kSbEntryTtl: hostfs): each
// directory's own permission(kMayNotBlock) is asked, and each entry's age checked as
// its revalidate would (against the walk's clock: the caller holds a WalkClockScope).
struct CachedFs {
  const Cred* cred;  // the walking task's (see stat_fast)
  const Superblock* sb = nullptr;
  bool start(const Dentry*, const Inode* dir) {
    if (!cached_sb(dir)) return false;
    sb = dir->sb;
    return search(dir);
  }
  bool searchable(const Dentry* d, uint32_t) const {
    return search(d->inode.load(std::memory_order_acquire));
  }
  bool fresh(const Dentry* d) const { return sb->entry_fresh(d_age_ms(d)); }

 private:
  bool search(const Inode* dir) const {
    return is_dir(dir) && dir->permission(kMayExec, *cred, kMayNotBlock) == 0;
  }
};

// Where a run of plain steps stands: directory `d` (inode, seq sample: even), and the
// rest of the path from p (a component's first byte) to end.
struct PlainPos {
  Dentry* d;
  Inode* inode;
  uint32_t seq;
  const char* p;
  uint32_t hits = 0;  // components the dcache answered (counted by the caller)
};

// Take plain steps along [pos.p, end) (`lo`: the start of the caller's string) on a
// filesystem of kind Fs.
// Without kTakeLast: stops before the last component, or before the first component
// that needs the general code, and leaves pos there. With kTakeLast: walks the whole
// path (true, pos at its end) or gives up (false, pos untouched: the caller starts
// over, so the loop need not keep the position it stopped at).
// `.`, `..` and overlong names need no test here: no dentry has such a name, so they
// miss in the dcache and the general code takes them.
// Out of line: inlined, the loop shares the registers with its caller's state and the
// compiler moves that state to and from the stack at every step.
template <bool kTakeLast, class Fs>
[[gnu::noinline]] bool plain_steps(PlainPos& pos, const char* end, const char* lo, Fs fs) {
  if (!fs.start(pos.d, pos.inode)) return false;
  const dtable::Table* const table = dtable::current();  // one load for the whole walk
  Dentry* d = pos.d;
  uint32_t seq = pos.seq;
  const char* p = pos.p;
  uint32_t hits = 0;
  for (;;) {
    const Component c = hash_component(p, static_cast<size_t>(end - p), lo);
    const char* const cend = p + c.len();
    const char* next = cend;
    if (next < end) {
      ++next;  // the '/' that ended the component
      while (__builtin_expect(next < end && *next == '/', 0)) ++next;
    }
    if (!kTakeLast && next == end) break;  // the last component: lookup_last's business
    uint32_t cseq, cflags;
    // A mountpoint is a miss here: the general code crosses the mount. So is an entry
    // the dcache's shrinker passed over (kDCold): the general code tells it it is used.
    Dentry* child = d_lookup_rcu(table, d, c, p, &cseq, kDMounted | kDCold, &cflags);
    // d_lookup_rcu's samples are even: the parent's needs no odd test either.
    if (!child || !d->seq.unchanged_even(seq) || !fs.fresh(child)) break;
    if (kTakeLast && next == end) {
      // With a trailing slash the general code checks that it names a directory.
      if (cend != end) return false;
      pos = {child, child->inode.load(std::memory_order_acquire), cseq, next, hits + 1};
      return true;
    }
    // A directory to go on from (not a symlink: the general code follows it; not
    // negative), which this walk may search.
    if (!fs.searchable(child, cflags)) break;
    d = child;
    seq = cseq;
    p = next;
    ++hits;
  }
  if constexpr (!kTakeLast) pos = {d, d->inode.load(std::memory_order_acquire), seq, p, hits};
  return false;
}

// Plain steps for the general walk, from nd's position.
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

// Walk every component but the last; leaves it in nd.last/last_type/trailing.
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
    if (err == 1) {
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

// The whole path, following a trailing symlink per flags. nd.path is the object.
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

// Leave RCU mode at the end of a successful walk (non-stat callers), and make sure
// a scoped walk ended inside its root.
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

// Run `body` in RCU mode, then (if it could not finish there) again in ref-walk.
template <class Body>
int run_walk_once(TaskState& t, unsigned flags, Body&& body) {
  // RESOLVE_CACHED is a request for an RCU-mode walk: it overrides a task's ref-only
  // walk mode (a benchmarking and testing knob).
  if (flags & kLookupCached) flags &= ~kLookupRefOnly;
  if (!(flags & kLookupRefOnly)) {
    RcuLock rcu;
    WalkClockScope clock;  // one clock read for the filesystems' TTLs while in RCU mode
    Nameidata nd(t, t.cred.load(std::memory_order_acquire), flags, true, &rcu);
    int err = body(nd);
    Echild why;
    if (err != -ECHILD) {
      if (err < 0 && nd.rcu && !validate_rcu(nd, &why)) {
        count(why);  // an error seen in RCU mode that did not hold
      } else {
        count(nd.rcu ? Counter::kWalkRcu : Counter::kWalkRef);
        return err;
      }
    }
    if (flags & kLookupCached) return -EAGAIN;
    count(Counter::kRestart);
  }
  Cred cred;
  {
    RcuLock rcu;
    cred = *t.cred.load(std::memory_order_acquire);
  }
  Nameidata nd(t, &cred, flags, false, nullptr);
  int err = body(nd);
  count(Counter::kWalkRef);
  return err;
}

constinit thread_local EstalePass t_estale_pass = EstalePass::kNone;

// run_walk_once, and once more when a filesystem answered ESTALE (see EstalePass).
template <class Body>
int run_walk(TaskState& t, unsigned flags, Body&& body) {
  // An RCU-mode walk trusts entries by their age: a rerun confirms every one.
  if (t_estale_pass == EstalePass::kReval)
    return run_walk_once(t, flags | kLookupRefOnly, body);
  int err = run_walk_once(t, flags, body);
  if (err == -ESTALE && t_estale_pass == EstalePass::kNone && !(flags & kLookupCached)) {
    EstalePassScope reval(EstalePass::kReval);
    err = run_walk_once(t, flags | kLookupRefOnly, body);
  }
  return err;
}

}  // namespace

// ---- public entry points -----------------------------------------------------------

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

namespace {
thread_local bool t_attr_retry_exhausted = false;

void fill_identity(Statx& st, const Path& p) {
  st.stx_dev_major = p.mnt->dev_major;
  st.stx_dev_minor = p.mnt->dev_minor;
  st.stx_mnt_id = reinterpret_cast<uintptr_t>(p.mnt) >> 4;
}

constexpr int kStale = 1;

// The filesystem's speculative stat of `inode` into `out` (private to the caller):
// 0 or -errno, or -ECHILD with *why when it refused. Nothing is validated yet.
[[gnu::always_inline]] inline int getattr_rcu_into(Inode* inode, unsigned mask, Statx& out,
                                                   Echild* why) {
  const Superblock* sb = inode->sb;
  const int e = (sb->flags & kSbAttrSnapshot) ? snapshot_rcu(*inode, out, sb->attr_extra)
                                              : inode->getattr_rcu(out, mask, kMayNotBlock);
  if (e == -ECHILD) {
    *why = Echild::kFsRefused;
    if (t_attr_retry_exhausted) {
      t_attr_retry_exhausted = false;
      *why = Echild::kAttrRetry;
    }
    out = Statx{};  // the next attempt, maybe on another inode, starts from zero
  }
  return e;
}

// The one-pass stat's speculative getattr: fill `out`, then prove it: `walk_valid`
// re-checks the walk's counters, after which the inode must still be the object the
// walk found. Returns 0 or a validated negative errno; -ECHILD with *why when the
// filesystem refused; kStale when anything moved.
// Inline: on the one-pass stat's path, a call costs more than its validation.
template <class WalkValid>
[[gnu::always_inline]] inline int speculative_getattr(Inode* inode, const Path& path,
                                                      unsigned mask, Statx& out, Echild* why,
                                                      WalkValid&& walk_valid) {
  const uint64_t ino = inode->ino.load(std::memory_order_acquire);
  const uint32_t gen = inode->generation.load(std::memory_order_acquire);
  const int e = getattr_rcu_into(inode, mask, out, why);
  if (e == -ECHILD) return e;
  if (SpecHook hook = g_spec_hook.load(std::memory_order_relaxed)) hook(path);
  Echild stale = Echild::kDentrySeq;
  const bool valid = (g_inject.load(std::memory_order_relaxed) & kInjectSkipValidation) ||
                     (walk_valid(&stale) && inode->ino.load(std::memory_order_acquire) == ino &&
                      inode->generation.load(std::memory_order_acquire) == gen &&
                      (e != 0 || out.stx_ino == ino));
  if (!valid) {
    count(stale);
    out = Statx{};
    return kStale;
  }
  if (e) return e;
  fill_identity(out, path);
  return 0;
}

// The proof every speculative answer of a query needs after it: the walk's counters
// still hold (`walk_valid`) and the object is still the one sampled before the answer
// (`ino`, `gen`). `bug`: the query's own injected bug that skips it.
template <class WalkValid>
[[gnu::always_inline]] inline bool answer_stands(const Inode* inode, uint64_t ino, uint32_t gen,
                                                 const Path& at, unsigned bug, Echild* stale,
                                                 WalkValid&& walk_valid) {
  if (SpecHook hook = g_spec_hook.load(std::memory_order_relaxed)) hook(at);
  return (inject() & (kInjectSkipValidation | bug)) ||
         (walk_valid(stale) && inode->ino.load(std::memory_order_acquire) == ino &&
          inode->generation.load(std::memory_order_acquire) == gen);
}

// The speculative tail: answer `q` (a FinalQuery, or any type with its members) about
// the object the walk `nd` ended on, in RCU mode if the question can be answered
// there, then validate the walk; with references otherwise.
template <class Q>
int ask_final(Nameidata& nd, Q& q) {
  Inode* inode = nd.inode;
  if (nd.rcu && !(nd.flags & kLookupLeaveRcu)) {
    const uint64_t ino = inode->ino.load(std::memory_order_acquire);
    const uint32_t gen = inode->generation.load(std::memory_order_acquire);
    Echild why = Echild::kFsRefused;
    const int e = q.ask(*nd.task, *nd.cred, nd.path, inode, kMayNotBlock, &why);
    if (e != -ECHILD) {
      Echild stale = Echild::kAttrRetry;  // what a kQueryStale answer counts as
      const bool valid =
          e != kQueryStale &&
          answer_stands(inode, ino, gen, nd.path, q.skip_validation_bug, &stale,
                        [&](Echild* why_stale) { return validate_rcu(nd, why_stale); });
      if (!valid) {
        count(stale);
        q.discard();
        return -ECHILD;  // walk again: the walk itself may be stale
      }
      if (e == 0) count(q.speculative);
      return e;
    }
    if (int u = unlazy(nd, why)) return u;
    inode = nd.inode;
  } else if (nd.rcu) {
    if (!try_to_unlazy(nd)) return -ECHILD;
    inode = nd.inode;
  }
  const int e = q.ask(*nd.task, *nd.cred, nd.path, inode, 0, nullptr);
  if (e == 0) count(q.fallback);
  return e;
}

// Walk `s` and answer `q` about the object it names: 0 or -errno.
template <class Q>
int walk_and_ask(TaskState& t, int dirfd, std::string_view s, unsigned flags, Q& q) {
  if (Status st = check_path(s, flags & kLookupEmpty); !st.ok()) return st.error();
  return -run_walk(t, flags, [&](Nameidata& nd) {
    if (int e = path_lookupat(nd, dirfd, s)) return e;
    return ask_final(nd, q);
  });
}

// stat as a final query, for every stat the one-pass stats leave.
struct StatQuery {
  unsigned mask;
  Statx& out;
  static constexpr Counter speculative = Counter::kStatSpeculative;
  static constexpr Counter fallback = Counter::kStatFallback;
  static constexpr unsigned skip_validation_bug = 0;

  int ask(TaskState& t, const Cred& cred, const Path& at, Inode* inode, unsigned flags,
          Echild* why) {
    Refuser who = Refuser::kNone;
    int e = security_getattr(*t.vfs, sec_path(t, at, inode, flags), cred, &who);
    if (e == -ECHILD) *why = echild_reason(who);
    if (e) return e;
    if (flags & kMayNotBlock) {
      const uint64_t ino = inode->ino.load(std::memory_order_acquire);
      e = getattr_rcu_into(inode, mask, out, why);
      if (e == 0 && out.stx_ino != ino) return kQueryStale;
    } else {
      auto r = inode->getattr(out, mask, 0);
      if (!r.ok()) return -r.error();
    }
    if (e == 0) fill_identity(out, at);
    return e;
  }
  void discard() { out = Statx{}; }
};

// What a one-pass stat came to: done, or not (nothing has happened yet but scribbles
// in `out`): the general walk does the whole stat, or, when the path starts on a
// filesystem of another kind, the one-pass stat for that kind may.
enum class FastStat { kDone, kGeneral, kOtherKind };

// The one-pass answer about the object a descriptor (or the working directory) holds,
// named by an empty path with AT_EMPTY_PATH: fstat, fstatfs, fgetxattr, ... No step and
// no reference on the file: the descriptor is read under RCU, which keeps the File and
// the position it holds alive, and the answer is proved as a walk's would be (the
// position's dentry seq, the mount seq). Called from the out-of-line code the one-pass
// walk leaves, so that a path's stat pays nothing for it.
template <class Answer>
FastStat object_fast(TaskState& t, int dirfd, unsigned flags, Counter counter,
                     Answer&& answer) {
  if (!(flags & kLookupEmpty) || (flags & ~(kLookupFollow | kLookupEmpty)) ||
      t.vfs->lsm.load(std::memory_order_acquire))
    return FastStat::kGeneral;
  RcuLock rcu;
  const uint32_t mseq = g_mount_seq.begin();
  Path at;
  if (dirfd == AT_FDCWD) {
    at = t.fs.load(std::memory_order_acquire)->cwd;
  } else {
    const File* f = t.files.peek_rcu(dirfd);
    if (!f) return FastStat::kGeneral;
    at = f->path;
  }
  Dentry* const d = at.dentry;
  const uint32_t seq = d->seq.begin();
  Inode* const inode = d->inode.load(std::memory_order_acquire);
  // The object itself, a symlink too: an empty path follows nothing.
  if ((seq | mseq) & 1 || !inode ||
      !answer(inode, at, [&](Echild* stale) {
        if (!d->seq.validate(seq)) return false;
        *stale = Echild::kMountSeq;
        return g_mount_seq.unchanged_even(mseq);
      }))
    return FastStat::kGeneral;
  count_fast(counter, 0);
  return FastStat::kDone;
}

// The common walk in one pass with no Nameidata: every component plain (see
// rcu_fast_steps), the last one too, ending on an object with no symlink to follow,
// all on a filesystem of kind Fs, with no security module. `answer(inode, path,
// walk_valid)` answers about the object and proves it with walk_valid (the walk's
// counters); true when its answer stands (it has counted nothing).
template <class Fs, class Answer>
[[gnu::always_inline]] inline FastStat walk_fast(TaskState& t, int dirfd, std::string_view s,
                                                 unsigned flags, Counter counter,
                                                 Answer&& answer) {
  constexpr FastStat kNo = FastStat::kGeneral;
  if ((flags & ~(kLookupFollow | kLookupEmpty)) || s.empty() ||
      t.vfs->lsm.load(std::memory_order_acquire))
    return kNo;
  if (!parents_rechecked()) return kNo;
  RcuLock rcu;
  // Sampled first: a mount anywhere from here on fails the validation (see m_seq).
  const uint32_t mseq = g_mount_seq.begin();
  const FsContext* fs = t.fs.load(std::memory_order_acquire);
  Path at;
  if (s[0] == '/') {
    at = fs->root;
  } else if (dirfd == AT_FDCWD) {
    at = fs->cwd;
  } else {
    const File* f = t.files.peek_rcu(dirfd);
    if (!f) return kNo;
    at = f->path;
  }
  PlainPos pos{at.dentry, at.dentry->inode.load(std::memory_order_acquire),
               at.dentry->seq.begin(), s.data()};
  const char* const end = s.data() + s.size();
  while (pos.p < end && *pos.p == '/') ++pos.p;
  if ((pos.seq | mseq) & 1 || pos.p == end) return kNo;
  // The task's cred, read inside the RCU section: creds are freed after a grace period.
  if (!plain_steps<true>(pos, end, s.data(), Fs{t.cred.load(std::memory_order_acquire)})) {
    if constexpr (std::is_same_v<Fs, CompleteFs>)
      if (cached_sb(pos.inode)) return FastStat::kOtherKind;  // pos is untouched
    return kNo;
  }
  Dentry* const d = pos.d;
  Inode* const inode = pos.inode;
  const uint32_t seq = pos.seq;
  if (!inode) return kNo;
  if ((flags & kLookupFollow) && is_lnk(inode)) return kNo;
  if (!answer(inode, Path{at.mnt, d}, [&](Echild* stale) {
        if (!d->seq.validate(seq)) return false;
        *stale = Echild::kMountSeq;
        return g_mount_seq.unchanged_even(mseq);
      }))
    return kNo;
  count_fast(counter, pos.hits);
  return FastStat::kDone;
}

// The stat of a one-pass walk's object (walk_fast's `answer`).
inline auto stat_answer(unsigned mask, Statx& out) {
  return [mask, &out](Inode* inode, const Path& at, auto&& walk_valid) {
    Echild why;
    return speculative_getattr(inode, at, mask, out, &why, walk_valid) == 0;
  };
}

template <class Fs>
[[gnu::always_inline]] inline FastStat stat_fast(TaskState& t, int dirfd, std::string_view s,
                                                 unsigned flags, unsigned mask, Statx& out) {
  return walk_fast<Fs>(t, dirfd, s, flags, Counter::kStatSpeculative, stat_answer(mask, out));
}

// The one-pass stat on a kSbEntryTtl filesystem. Out of line, so that the memfs
// stat's code stays as it is. The filesystem's TTL checks share one clock reading.
[[gnu::noinline]] bool stat_fast_cached(TaskState& t, int dirfd, std::string_view s,
                                        unsigned flags, unsigned mask, Statx& out) {
  WalkClockScope clock;
  return stat_fast<CachedFs>(t, dirfd, s, flags, mask, out) == FastStat::kDone;
}
// Every stat the one-pass stats leave. Out of line: its frame (a Nameidata) and the
// registers it saves would otherwise be paid by every one-pass stat.
[[gnu::noinline]] int stat_general(TaskState& t, int dirfd, std::string_view s,
                                   unsigned flags, unsigned mask, Statx& out) {
  if (s.empty() && object_fast(t, dirfd, flags, Counter::kStatSpeculative,
                               stat_answer(mask, out)) == FastStat::kDone)
    return 0;
  StatQuery q{mask, out};
  return walk_and_ask(t, dirfd, s, flags, q);
}

// Inline in Task::statx (below): the stat's own frame is the only one between the
// caller and the walk.
[[gnu::always_inline]] inline int stat_path(TaskState& t, int dirfd, std::string_view s,
                                            unsigned flags, unsigned mask, Statx& out) {
  // The path is checked for NULs only when the fast stat could not do it: a component
  // holding a NUL matches no entry, so the fast stat never succeeds on such a path.
  if (s.size() < kPathMax) {
    const FastStat f = stat_fast<CompleteFs>(t, dirfd, s, flags, mask, out);
    if (f == FastStat::kDone ||
        (f == FastStat::kOtherKind && stat_fast_cached(t, dirfd, s, flags, mask, out)))
      return 0;
  }
  return stat_general(t, dirfd, s, flags, mask, out);
}
}  // namespace

void note_attr_retry_exhausted() { t_attr_retry_exhausted = true; }

namespace {
// A FinalQuery answered by a one-pass walk (walk_fast's or object_fast's `answer`):
// only an answer of 0 stands there (an error, a refusal or a stale answer is left to
// the general walk).
inline auto query_answer(TaskState& t, FinalQuery& q) {
  return [&t, &q](Inode* inode, const Path& at, auto&& walk_valid) {
    const uint64_t ino = inode->ino.load(std::memory_order_acquire);
    const uint32_t gen = inode->generation.load(std::memory_order_acquire);
    Echild why;
    const Cred& cred = *t.cred.load(std::memory_order_acquire);
    if (q.ask(t, cred, at, inode, kMayNotBlock, &why) != 0) {
      q.discard();
      return false;
    }
    Echild stale = Echild::kDentrySeq;
    if (answer_stands(inode, ino, gen, at, q.skip_validation_bug, &stale, walk_valid))
      return true;
    count(stale);
    q.discard();
    return false;
  };
}

template <class Fs>
FastStat query_fast(TaskState& t, int dirfd, std::string_view s, unsigned flags,
                    FinalQuery& q) {
  return walk_fast<Fs>(t, dirfd, s, flags, q.speculative, query_answer(t, q));
}
}  // namespace

int query_path(TaskState& t, int dirfd, std::string_view s, unsigned flags, FinalQuery& q) {
  if (s.empty()) {
    if (object_fast(t, dirfd, flags, q.speculative, query_answer(t, q)) == FastStat::kDone)
      return 0;
  } else if (s.size() < kPathMax) {
    const FastStat f = query_fast<CompleteFs>(t, dirfd, s, flags, q);
    if (f == FastStat::kDone) return 0;
    if (f == FastStat::kOtherKind) {
      WalkClockScope clock;
      if (query_fast<CachedFs>(t, dirfd, s, flags, q) == FastStat::kDone) return 0;
    }
  }
  return walk_and_ask(t, dirfd, s, flags, q);
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
    uint32_t ms = sample_even(g_mount_seq), rs = sample_even(g_rename_seq);
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

void set_speculation_hook(SpecHook hook) { g_spec_hook.store(hook); }
void set_inject(unsigned bugs) { g_inject.store(bugs); }

// open_path lives here because it drives the walker's last-component logic.
Status open_create_locked(TaskState& t, const Path& dir_path, Inode* dir, Dentry* d,
                          mode_t mode, const Cred& cred);             // ops_create.cc

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
  return step_into(nd, d, 0, nd.flags & kLookupFollow);
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

namespace rcuvfs {
namespace {
int statx_flags_error(int flags, unsigned mask) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
    return EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return EINVAL;
  if (mask & STATX__RESERVED) return EINVAL;
  return 0;
}
}  // namespace

// Here rather than with the other attribute calls: the speculative stat is inlined
// into it.
Result<Statx> Task::statx(int dirfd, std::string_view path, int flags, unsigned mask) {
  // Filled in place, the result is the speculative stat's private buffer; one return
  // statement, so that it is built in the caller's storage and never copied.
  Result<Statx> r(std::in_place);
  int err = statx_flags_error(flags, mask);
  if (!err) {
    unsigned lf = s_->lookup_flags;
    if (!(flags & AT_SYMLINK_NOFOLLOW)) lf |= core::kLookupFollow;
    if (flags & AT_EMPTY_PATH) lf |= core::kLookupEmpty;
    err = core::stat_path(*s_, dirfd, path, lf, mask, *r);
  }
  if (err) r = Err{err};
  return r;
}
}  // namespace rcuvfs
