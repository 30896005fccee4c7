// The path walker's interface to the rest of the core: one resolver, two modes
// (RCU-walk and ref-walk). See docs/path-walk.md for the sequence counters it samples
// and re-checks. The walk is walk.cc (its state and steps: nameidata.h), the
// speculative tail speculative_tail.cc, open's walk open_path.cc.
//
// Callers get results with references held (ref-walk semantics); the speculative
// stat (Task::statx) is the one caller that completes without ever taking a reference.
#pragma once

#include "core/inject.h"
#include "core/mount.h"
#include "core/task_state.h"

#include <rcuvfs/counters.h>
#include <rcuvfs/result.h>

#include <atomic>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace rcuvfs::core {

// Walk flags.
inline constexpr unsigned kLookupFollow = 1u << 0;      // follow a trailing symlink
inline constexpr unsigned kLookupDirectory = 1u << 1;   // the result must be a directory
inline constexpr unsigned kLookupEmpty = 1u << 2;       // "" means the dirfd itself
inline constexpr unsigned kLookupCached = 1u << 3;      // RESOLVE_CACHED: EAGAIN, never leave RCU
inline constexpr unsigned kLookupBeneath = 1u << 4;     // RESOLVE_BENEATH
inline constexpr unsigned kLookupInRoot = 1u << 5;      // RESOLVE_IN_ROOT
inline constexpr unsigned kLookupNoXdev = 1u << 6;      // RESOLVE_NO_XDEV
inline constexpr unsigned kLookupNoSymlinks = 1u << 7;  // RESOLVE_NO_SYMLINKS
inline constexpr unsigned kLookupNoMagic = 1u << 8;     // RESOLVE_NO_MAGICLINKS
inline constexpr unsigned kLookupRefOnly = 1u << 9;     // skip RCU-walk entirely
inline constexpr unsigned kLookupLeaveRcu = 1u << 10;   // stat: take references before getattr
inline constexpr unsigned kLookupScoped = kLookupBeneath | kLookupInRoot;

enum class LastType : uint8_t { kNorm, kDot, kDotDot, kRoot };

// The parent of the last component, referenced, and that component.
struct ParentPath {
  Path parent;
  std::string last;
  LastType type = LastType::kNorm;
  bool trailing_slash = false;
};

// Resolve a whole path (references held on the result).
Result<Path> lookup_path(TaskState& t, int dirfd, std::string_view path, unsigned flags);

// Resolve all but the last component.
Result<ParentPath> lookup_parent(TaskState& t, int dirfd, std::string_view path,
                                 unsigned flags);

// open: resolve with O_CREAT/O_EXCL/O_NOFOLLOW/O_DIRECTORY semantics and make the
// File (not installed). `how` has been validated.
Result<File*> open_path(TaskState& t, int dirfd, std::string_view path, const OpenHow& how,
                        unsigned lookup_flags);

// The entry `name` of directory `parent` (whose inode `dir` the caller holds locked
// exclusively): from the dcache, or asked of the filesystem and cached (negative
// entries too). A referenced dentry; ENAMETOOLONG for an overlong name.
Result<Dentry*> lookup_one_locked(Dentry* parent, Inode* dir, std::string_view name);

// A read-only question about the object a walk ends on, answered by the speculative
// tail (docs/path-walk.md): first in RCU mode — `flags` has kMayNotBlock, `at` holds
// no references, and the answer goes to the query's own storage — then, if that
// refused, with references. ask() returns 0 or -errno, and in RCU mode also -ECHILD
// (set *why; ask again with references) or kQueryStale (the answer may mix two states
// of the object: walk again). An RCU-mode answer stands only once the walk's counters
// and the object's identity validate after it; discard() forgets one that did not.
inline constexpr int kQueryStale = 2;  // distinct from a step's kStepLink
class FinalQuery {
 public:
  FinalQuery(Counter speculative, Counter fallback, unsigned skip_validation_bug = 0)
      : speculative(speculative), fallback(fallback), skip_validation_bug(skip_validation_bug) {}
  virtual int ask(TaskState& t, const Cred& cred, const Path& at, Inode* inode, unsigned flags,
                  Echild* why) = 0;
  virtual void discard() {}
  const Counter speculative, fallback;  // counted when an answer of 0 stands
  const unsigned skip_validation_bug;   // an injected bug (kInject*) of this query's own

 protected:
  ~FinalQuery() = default;
};
// Walk `path` (kLookup* flags) and answer `q` about the object it names: 0 or an errno
// (positive, as Err takes it).
int query_path(TaskState& t, int dirfd, std::string_view path, unsigned flags, FinalQuery& q);

// A rule on mode, uid and gid (`check()`, 0 or -errno) answered for one state of the
// inode's attributes, so that a chmod and a chown racing it give the answer of one
// state or the other, never of a mix. In RCU mode (kMayNotBlock) it is checked under
// attr_seq, and a race is kQueryStale. With references the inode's lock is held shared
// for the check: chmod and chown change mode and owners with it held exclusively. (A
// filesystem's own refresh of cached attributes, hostfs's, may store a newer state
// meanwhile: one the object had.)
template <class Check>
int on_one_attr_state(Inode* inode, unsigned flags, Check&& check) {
  if (!(flags & kMayNotBlock)) {
    std::shared_lock lk(inode->lock);
    return check();
  }
  const uint32_t seq = inode->attr_seq.begin();
  const int e = check();
  if (e == -ECHILD || inode->attr_seq.validate(seq)) return e;
  return kQueryStale;
}

// Translate RESOLVE_* bits into walk flags.
unsigned resolve_to_lookup(uint64_t resolve);

// Is `p` below (or at) `root`? Follows parents and mounts; takes rename/mount seqs
// and retries, so it must be called outside RCU mode.
bool path_is_under(const Path& p, const Path& root);

// Linux's retry_estale. A path-based call that failed with ESTALE (a revalidating
// filesystem found a cached object gone from its backing store) runs once more, and
// while it does, every walk of the thread is a ref-walk that has each cached entry of
// such a filesystem confirmed (kRevalForce). The walk reruns the calls it completes
// itself (stat, open); a Task method that calls the filesystem after its walk reruns
// itself (retry_estale in ops_common.h).
enum class EstalePass : uint8_t {
  kNone,   // no call of this thread is being retried
  kFirst,  // a call that will be retried on ESTALE is running
  kReval,  // that call runs again
};
EstalePass estale_pass();  // the calling thread's
// Sets the calling thread's pass for as long as it lives.
class EstalePassScope {
 public:
  explicit EstalePassScope(EstalePass p);
  ~EstalePassScope();
  EstalePassScope(const EstalePassScope&) = delete;
  EstalePassScope& operator=(const EstalePassScope&) = delete;

 private:
  EstalePass saved_;
};

}  // namespace rcuvfs::core
