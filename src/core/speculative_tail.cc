// The speculative tail: a read-only question about the object a walk ends on (stat,
// faccessat2, readlink, getxattr, listxattr, statfs), answered in RCU mode into the
// caller's private buffer and proved by the walk's counters afterwards; with
// references when that cannot be done (docs/path-walk.md). Most answers come from a
// one-pass walk with no Nameidata (walk_fast, object_fast); the rest from the general
// walk (ask_final).
#include "core/nameidata.h"

#include "core/attr_snapshot.h"
#include "core/inject.h"
#include "core/ops_common.h"
#include "core/permission.h"
#include "core/plain_steps.h"

#include <cerrno>
#include <type_traits>

namespace rcuvfs::core {

namespace {
void fill_identity(Statx& st, const Path& p) {
  st.stx_dev_major = p.mnt->dev_major;
  st.stx_dev_minor = p.mnt->dev_minor;
  st.stx_mnt_id = reinterpret_cast<uintptr_t>(p.mnt) >> 4;
}

// The filesystem's speculative stat of `inode` into `out` (private to the caller):
// 0 or -errno, or -ECHILD with *why when it could not answer (refused, or the
// attributes kept changing). Nothing is validated yet.
[[gnu::always_inline]] inline int getattr_rcu_into(Inode* inode, unsigned mask, Statx& out,
                                                   Echild* why) {
  const Superblock* sb = inode->sb;
  const bool snapshot = (sb->flags & kSbAttrSnapshot) || sb->attrs_trusted();
  const int e = snapshot ? snapshot_rcu(*inode, out, sb->attr_extra)
                         : inode->getattr_rcu(out, mask, kMayNotBlock);
  if (e == -ECHILD || e == -EAGAIN) {
    *why = e == -EAGAIN ? Echild::kAttrRetry : Echild::kFsRefused;
    out = Statx{};  // the next attempt, maybe on another inode, starts from zero
    return -ECHILD;
  }
  return e;
}

// The one-pass stat's speculative getattr: fill `out`, then prove it: `walk_valid`
// re-checks the walk's counters, after which the inode must still be the object the
// walk found. Returns 0 or a validated negative errno; -ECHILD with *why when the
// filesystem refused; kQueryStale when anything moved.
// Inline: on the one-pass stat's path, a call costs more than its validation.
template <class WalkValid>
[[gnu::always_inline]] inline int speculative_getattr(Inode* inode, const Path& path,
                                                      unsigned mask, Statx& out, Echild* why,
                                                      WalkValid&& walk_valid) {
  const uint64_t ino = inode->ino.load(std::memory_order_acquire);
  const uint32_t gen = inode->generation.load(std::memory_order_acquire);
  const int e = getattr_rcu_into(inode, mask, out, why);
  if (e == -ECHILD) return e;
  speculation_point(path);
  Echild stale = Echild::kDentrySeq;
  const bool valid = injected(kInjectSkipValidation) ||
                     (walk_valid(&stale) && inode->ino.load(std::memory_order_acquire) == ino &&
                      inode->generation.load(std::memory_order_acquire) == gen &&
                      (e != 0 || out.stx_ino == ino));
  if (!valid) {
    count(stale);
    out = Statx{};
    return kQueryStale;
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
  speculation_point(at);
  return injected(kInjectSkipValidation | bug) ||
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
// in `out`): the general walk does the whole stat.
enum class FastStat { kDone, kGeneral };

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

// Where a one-pass walk stands inside its RCU section: the mount seq sampled first,
// the directory the path starts from, the path. Passed by value: a walk whose
// state escaped to memory would store and reload it around every call.
struct FastWalk {
  uint32_t mseq;
  Path at;
  std::string_view s;
};

template <class Answer>
[[gnu::noinline]] FastStat walk_cached(TaskState& t, FastWalk w, PlainPos pos, unsigned flags,
                                       Counter counter, Answer answer);

// The one-pass walk's steps on a filesystem of kind Fs from `pos`, and its answer.
template <class Fs, class Answer>
[[gnu::always_inline]] inline FastStat walk_steps(TaskState& t, FastWalk w, PlainPos pos,
                                                  unsigned flags, Counter counter,
                                                  Answer& answer) {
  constexpr FastStat kNo = FastStat::kGeneral;
  const char* const end = w.s.data() + w.s.size();
  // The task's cred, read inside the RCU section: creds are freed after a grace period.
  if (!plain_steps<true>(pos, end, w.s.data(), Fs{t.cred.load(std::memory_order_acquire)})) {
    // A path that starts on a cached filesystem: its kind of steps, in the same RCU
    // section (pos is untouched).
    if constexpr (std::is_same_v<Fs, CompleteFs>)
      if (cached_sb(pos.inode)) return walk_cached(t, w, pos, flags, counter, answer);
    return kNo;
  }
  Dentry* const d = pos.d;
  Inode* const inode = pos.inode;
  const uint32_t seq = pos.seq;
  if (!inode) return kNo;
  if ((flags & kLookupFollow) && is_lnk(inode)) return kNo;
  if (!answer(inode, Path{w.at.mnt, d}, [&](Echild* stale) {
        if (!d->seq.validate(seq)) return false;
        *stale = Echild::kMountSeq;
        return g_mount_seq.unchanged_even(w.mseq);
      }))
    return kNo;
  count_fast(counter, pos.hits);
  return FastStat::kDone;
}

// The steps on a kSbEntryTtl filesystem. Out of line, so that the memfs stat's code
// stays as it is. The filesystem's TTL checks share one clock reading.
template <class Answer>
[[gnu::noinline]] FastStat walk_cached(TaskState& t, FastWalk w, PlainPos pos, unsigned flags,
                                       Counter counter, Answer answer) {
  WalkClockScope clock;
  return walk_steps<CachedFs>(t, w, pos, flags, counter, answer);
}

// The common walk in one pass with no Nameidata: every component plain (see
// rcu_fast_steps), the last one too, ending on an object with no symlink to follow,
// all on one filesystem, with no security module. `answer(inode, path, walk_valid)`
// answers about the object and proves it with walk_valid (the walk's counters); true
// when its answer stands (it has counted nothing).
template <class Answer>
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
  return walk_steps<CompleteFs>(t, FastWalk{mseq, at, s}, pos, flags, counter, answer);
}

// The stat of a one-pass walk's object (walk_fast's `answer`).
inline auto stat_answer(unsigned mask, Statx& out) {
  return [mask, &out](Inode* inode, const Path& at, auto&& walk_valid) {
    Echild why;
    return speculative_getattr(inode, at, mask, out, &why, walk_valid) == 0;
  };
}

[[gnu::always_inline]] inline FastStat stat_fast(TaskState& t, int dirfd, std::string_view s,
                                                 unsigned flags, unsigned mask, Statx& out) {
  return walk_fast(t, dirfd, s, flags, Counter::kStatSpeculative, stat_answer(mask, out));
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
  if (s.size() < kPathMax && stat_fast(t, dirfd, s, flags, mask, out) == FastStat::kDone)
    return 0;
  return stat_general(t, dirfd, s, flags, mask, out);
}
}  // namespace

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

FastStat query_fast(TaskState& t, int dirfd, std::string_view s, unsigned flags,
                    FinalQuery& q) {
  return walk_fast(t, dirfd, s, flags, q.speculative, query_answer(t, q));
}
}  // namespace

int query_path(TaskState& t, int dirfd, std::string_view s, unsigned flags, FinalQuery& q) {
  if (s.empty()) {
    if (object_fast(t, dirfd, flags, q.speculative, query_answer(t, q)) == FastStat::kDone)
      return 0;
  } else if (s.size() < kPathMax && query_fast(t, dirfd, s, flags, q) == FastStat::kDone) {
    return 0;
  }
  return walk_and_ask(t, dirfd, s, flags, q);
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
