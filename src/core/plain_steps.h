// The plain RCU step: the common case of an RCU walk — a plain name in a directory the
// task may search (no security module), found in the dcache with nothing mounted on it
// and no symlink to follow. plain_steps takes such steps with the position in
// registers; each step is exactly what walk_component would do. Used by the general
// walk (rcu_fast_steps, walk.cc) and by the one-pass walk of the speculative tail.
#pragma once

#include "core/clock.h"
#include "core/dcache.h"
#include "core/inject.h"
#include "core/nameidata.h"
#include "core/permission.h"

namespace rcuvfs::core {

// The injected "no parent re-check" bug lives in walk_component alone: the plain
// steps are not taken while it is set.
inline bool parents_rechecked() { return !injected(kInjectSkipParentRecheck); }

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
// Whether the entries (and with kSbAttrsWithEntries the attributes) are trusted for
// ever is read once, at the start: a walk that began while they were trusted answers
// as of then. A filesystem that stops trusting them (etcd, whose watch broke) still
// changes what it caches only through the entries' and attributes' sequence counters,
// which prove what the walk read, as on every filesystem.
struct CachedFs {
  const Cred* cred;  // the walking task's (see stat_fast)
  const Superblock* sb = nullptr;
  bool entries_trusted = false;
  bool attrs_trusted = false;
  bool start(const Dentry*, const Inode* dir) {
    if (!cached_sb(dir)) return false;
    sb = dir->sb;
    entries_trusted = sb->entries_trusted();
    attrs_trusted = entries_trusted && (sb->flags & kSbAttrsWithEntries);
    return search(dir);
  }
  // With kDSearchAllWatched (etcd while its watch is in step) the walk need not load
  // the directory's inode.
  bool searchable(const Dentry* d, uint32_t flags) const {
    if ((flags & kDSearchAllWatched) && attrs_trusted) return true;
    return search(d->inode.load(std::memory_order_acquire));
  }
  // Entries trusted for ever have no age to compute: the walk then reads no clock.
  bool fresh(const Dentry* d) const { return entries_trusted || sb->entry_fresh(d_age_ms(d)); }

 private:
  bool search(const Inode* dir) const {
    if (!is_dir(dir)) return false;
    if (attrs_trusted) {
      // What kDSearchAll says on a complete filesystem: every search passes.
      if ((dir->mode.load(std::memory_order_relaxed) & 0111) == 0111) return true;
      return generic_permission(*dir, kMayExec, *cred) == 0;
    }
    return dir->permission(kMayExec, *cred, kMayNotBlock) == 0;
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
// Hidden: a call from the library to its own template instance is then direct (no
// PLT), as from a function of the same file.
template <bool kTakeLast, class Fs>
[[gnu::noinline, gnu::visibility("hidden")]] bool plain_steps(PlainPos& pos, const char* end,
                                                             const char* lo, Fs fs) {
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


}  // namespace rcuvfs::core
