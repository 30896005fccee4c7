// The walk's state and steps, shared by the walk itself (walk.cc), the speculative tail
// (speculative_tail.cc) and open (open_path.cc). Read docs/path-walk.md first; the
// invariant everything here keeps: RCU-walk only makes decisions ref-walk could also
// have made — wherever ref-walk takes a reference or a lock, RCU-walk samples a
// sequence counter, and wherever ref-walk would drop it, RCU-walk re-checks that
// counter.
//
// Results. Every function returns 0 or a negative errno, and some also:
//   -ECHILD     RCU mode only: "can't go on without references". A step function
//               leaves the Nameidata untouched when it returns it, so that its caller
//               can unlazy and redo the step in ref-walk; a walk function (from
//               walk_component up) returns it when that failed too: the walk starts
//               over in ref-walk.
//   kStepLink   a step met a symlink to follow and spliced its body into the rest of
//               the path instead of moving: the walk goes on with the body.
#pragma once

#include "core/clock.h"
#include "core/counters.h"
#include "core/dcache.h"
#include "core/namei.h"
#include "core/rcu.h"
#include "core/vfs_state.h"

#include <string>
#include <string_view>

namespace rcuvfs::core {

inline constexpr int kStepLink = 1;

// One walk. Owned by the thread that walks: nothing here is shared. In RCU mode (rcu)
// the Paths carry no references and every position is proved by a seq sample; in
// ref-walk they hold references, released by the destructor.
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
  Nameidata(const Nameidata&) = delete;
  Nameidata& operator=(const Nameidata&) = delete;
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

// ---- leaving RCU (walk.cc) ----------------------------------------------------------

// Take references on the current position and root, proving with the sequence
// counters that they are still what the walk saw; then continue in ref-walk. False
// (nothing taken, still RCU mode) when they are not.
bool try_to_unlazy(Nameidata& nd);
// After an -ECHILD whose reason was counted: leave RCU mode (0: carry on in
// ref-walk), or give up: -EAGAIN for RESOLVE_CACHED, -ECHILD when the position no
// longer holds.
int unlazy(Nameidata& nd);
// The same for an -ECHILD for `why`, counted here.
int unlazy(Nameidata& nd, Echild why);
// The walk's counters, re-checked for a result (or an error) found in RCU mode. On
// failure *why says which one moved.
bool validate_rcu(const Nameidata& nd, Echild* why);

// ---- the walk (walk.cc) -------------------------------------------------------------

// Set the start (dirfd or root) and root of the walk of `s`.
int path_init(Nameidata& nd, int dirfd, std::string_view s);
// Walk every component but the last; leaves it in nd.last/last_type/trailing.
int link_path_walk(Nameidata& nd);
// One component: move onto it, following a symlink when `more` or kLookupFollow
// (kStepLink).
int walk_component(Nameidata& nd, std::string_view name, const Component& c, LastType type,
                   bool more);
// The whole path, following a trailing symlink per flags. nd.path is the object.
int path_lookupat(Nameidata& nd, int dirfd, std::string_view s);
// Leave RCU mode at the end of a successful walk, and make sure a scoped walk ended
// inside its root.
int complete_walk(Nameidata& nd);

// Move onto `child` (RCU: sampled with seq; ref: referenced by the caller), crossing
// mounts and following a symlink when `follow`: 0 (moved) or kStepLink.
int step_into_rcu_slow(Nameidata& nd, Dentry* child, uint32_t seq, bool follow);
int step_into_ref(Nameidata& nd, Dentry* child, bool follow);
// The common RCU step (nothing mounted, no symlink to follow) inline; the rest out of
// line.
inline int step_into(Nameidata& nd, Dentry* child, uint32_t seq, bool follow) {
  if (!nd.rcu) return step_into_ref(nd, child, follow);
  Inode* inode = child->inode.load(std::memory_order_acquire);
  if (child->has_flag(kDMounted) || (follow && is_lnk(inode)))
    return step_into_rcu_slow(nd, child, seq, follow);
  nd.path.dentry = child;
  nd.inode = inode;
  nd.seq = seq;
  return 0;
}

// ---- running a walk ----------------------------------------------------------------

// Run `body(nd)` in RCU mode, then (if it could not finish there) again in ref-walk.
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

// run_walk_once, and once more when a filesystem answered ESTALE (see EstalePass).
template <class Body>
int run_walk(TaskState& t, unsigned flags, Body&& body) {
  const EstalePass pass = estale_pass();
  // An RCU-mode walk trusts entries by their age: a rerun confirms every one.
  if (pass == EstalePass::kReval) return run_walk_once(t, flags | kLookupRefOnly, body);
  int err = run_walk_once(t, flags, body);
  if (err == -ESTALE && pass == EstalePass::kNone && !(flags & kLookupCached)) {
    EstalePassScope reval(EstalePass::kReval);
    err = run_walk_once(t, flags | kLookupRefOnly, body);
  }
  return err;
}

}  // namespace rcuvfs::core
