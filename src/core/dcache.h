// The dentry cache: a hash from (parent dentry, name) to dentry, readable under RCU.
//
// One process-wide table of chains (dcache_hash.h), which grows and shrinks with the
// number of dentries. Readers traverse chains with acquire loads and no locks; writers
// take the bucket's lock bit. A dentry moved by a rename or by a resize may divert a
// reader into another chain, so an RCU miss is only ever a hint ("go and ask the
// filesystem"), never an answer.
#pragma once

#include "core/dcache_hash.h"
#include "core/dentry.h"

#include <rcuvfs/fs/clock.h>
#include <rcuvfs/fs/superblock.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rcuvfs::core {

// The rename sequence: bumped around every rename (d_move / d_exchange). Checked by
// `..` in scoped walks and at the end of scoped resolutions.
extern SeqCount g_rename_seq;

// A new unhashed dentry named `name` under `parent` (a reference on parent is taken),
// refcount 1, negative. parent == nullptr makes a root (parent points to itself).
Dentry* d_alloc(Dentry* parent, std::string_view name);

// Bind `d` (fresh from d_alloc) to `inode` (the reference is consumed; nullptr makes a
// negative entry), put it on its parent's children list and into the hash; not into
// the hash when the parent has left it (deleted or invalidated meanwhile: the entry
// then serves the caller only and dies with its last reference). `pin`
// marks a positive entry of a kSbDcacheComplete filesystem: the dcache then keeps a
// reference of its own until the entry is deleted.
// The caller holds the directory's lock, so no other dentry of that name is hashed.
void d_add(Dentry* d, Inode* inode, bool pin);

// A negative dentry becomes positive (create over a cached negative entry).
void d_instantiate(Dentry* d, Inode* inode, bool pin);

// A filesystem whose permission is generic_permission (no ACL, no own rule) and whose
// dcache is complete (its modes change only through setattr, so d_mode_changed sees
// every change): the walker's plain steps decide search on it themselves.
inline bool plain_permission_fs(const Superblock* sb) {
  constexpr unsigned kPlain = kSbGenericPermission | kSbDcacheComplete;
  return (sb->flags & kPlain) == kPlain;
}

// Whether an entry bound to `inode` (null: negative) carries kDSearchAll: a directory
// with all three x bits set on a plain_permission_fs, which every search would pass.
inline bool searchable_by_all(const Inode* inode) {
  return inode && plain_permission_fs(inode->sb) &&
         (inode->mode.load(std::memory_order_relaxed) & (S_IFMT | 0111)) == (S_IFDIR | 0111);
}

// Whether the directory entry of `inode` carries kDSearchAllWatched: a directory with
// all three x bits set on a filesystem whose permission is generic_permission while
// its attributes are trusted, and which reports every change of a directory's mode
// (kSbAttrsWithEntries: rcuvfs::mode_changed; kSbWatched: the core finds the entry).
inline bool searchable_by_all_watched(const Inode* inode) {
  constexpr unsigned kWatchedAttrs = kSbAttrsWithEntries | kSbWatched;
  return inode && (inode->sb->flags & kWatchedAttrs) == kWatchedAttrs &&
         (inode->mode.load(std::memory_order_relaxed) & (S_IFMT | 0111)) == (S_IFDIR | 0111);
}

// Sets or clears kDSearchAllWatched on `d`, the entry of `inode`, by its mode now. The
// caller holds the superblock cache's alias_mu (dentry.h).
inline void set_search_watched(Dentry* d, const Inode* inode) {
  if (searchable_by_all_watched(inode))
    d->set_flag(kDSearchAllWatched);
  else
    d->clear_flag(kDSearchAllWatched);
}

// After a setattr that may have changed the mode of `d`'s inode; the caller holds the
// inode's lock, so that concurrent changes set the bit in the order they set modes.
void d_mode_changed(Dentry* d);

// The entry was unlinked: unhash it and take it off its parent's list (open files
// keep it, with kDDeleted, for fdpath). Drops the pin.
void d_delete(Dentry* d);

// Drop a negative dentry from the hash (it is about to be shadowed by a move).
void d_drop(Dentry* d);
// The children of `dir` (entries, not cursors), each with a reference.
std::vector<Dentry*> d_children(Dentry* dir);

// A cached entry of a revalidating filesystem turned out stale: unhash it (RCU
// walkers holding it fail their seq check). What is cached below a directory is
// unreachable from then on and is evicted like any unused entry. Caller holds a
// reference on d.
void d_invalidate(Dentry* d);
// d_invalidate unless something is mounted on `d`: the check and the unhashing are one
// step for mount(), which refuses an entry already unhashed. With `mseq` (a sample of
// g_mount_seq the caller took before it looked below d for mounts), unless a mount or
// umount happened anywhere since, either. Caller holds a reference on d and no d_lock.
enum class Invalidated : uint8_t { kDropped, kMounted, kMountsMoved };
Invalidated d_invalidate_unless_mounted(Dentry* d, std::optional<uint32_t> mseq = {});

// coarse_clock_ns() in milliseconds, for Dentry::d_time (wraps after 49 days; only
// differences are used).
inline uint32_t coarse_ms() { return static_cast<uint32_t>(coarse_clock_ns() / 1000000); }
// A d_time stored after this RCU walk sampled its clock is a little ahead of it: an
// age "below zero" (within a minute) is 0.
inline uint32_t d_age_ms(const Dentry* d) {
  const uint32_t age = coarse_ms() - d->d_time.load(std::memory_order_relaxed);
  return age > 0xFFFF0000u ? 0 : age;
}
inline void d_touch(Dentry* d) { d->d_time.store(coarse_ms(), std::memory_order_relaxed); }

// Move `d` to (new_parent, new_name). The caller holds g_rename_seq's writer lock
// (RenameLockGuard) and the directory locks. Under a parent that has left the hash, d
// leaves it too, with what is cached below it (as d_invalidate).
void d_move(Dentry* d, Dentry* new_parent, std::string_view new_name);
// Swap the (parent, name) bindings of two dentries (RENAME_EXCHANGE).
void d_exchange(Dentry* a, Dentry* b);

class RenameLockGuard {
 public:
  RenameLockGuard();
  ~RenameLockGuard();
  RenameLockGuard(const RenameLockGuard&) = delete;
  RenameLockGuard& operator=(const RenameLockGuard&) = delete;
};

// RCU-mode lookup of component `c` (bytes at `name`) under `parent`. Returns the
// dentry with its seq sample in *seq, or nullptr (a miss, or a match whose seq was odd:
// either way "can't tell in RCU mode"). Caller: inside an RCU read-side section.
// Inline: it is the inner loop of every walk. `stop`: see the definition. `flags`,
// when given, receives the dentry's flags as read with the seq sample.
inline Dentry* d_lookup_rcu(const Dentry* parent, const Component& c, const char* name,
                            uint32_t* seq, uint32_t stop = 0, uint32_t* flags = nullptr);

// The same in table `t`, a table the caller loaded (dtable::current()) inside the same
// RCU read-side section: a walk loads it once for all its components.
inline Dentry* d_lookup_rcu(const dtable::Table* t, const Dentry* parent, const Component& c,
                            const char* name, uint32_t* seq, uint32_t stop = 0,
                            uint32_t* flags = nullptr);

// Ref-mode lookup: a referenced, hashed dentry, or nullptr on a miss.
Dentry* d_lookup(const Dentry* parent, std::string_view name);

// Visit the children of directory `dir` for readdir, starting after `cursor`
// (which is moved past each visited entry). `fn` returns false to stop. Positive,
// hashed entries only. Caller holds a reference on dir.
template <class Fn>
void d_for_each_child(Dentry* dir, Dentry* cursor, Fn&& fn);

// A readdir cursor: a dentry flagged kDCursor that sits in a directory's children
// list (never hashed, never seen by RCU walkers). Freed by d_free_cursor once detached.
Dentry* d_alloc_cursor();
void d_free_cursor(Dentry* cursor);
// Insert/remove a readdir cursor at the start of dir's children list.
void d_cursor_attach(Dentry* dir, Dentry* cursor);
void d_cursor_detach(Dentry* dir, Dentry* cursor);
// Put the cursor after the first `n` positive entries (seekdir). The cursor must be
// attached.
void d_cursor_seek(Dentry* dir, Dentry* cursor, uint64_t n);

// Tear down a whole tree (umount of a filesystem): drops every pin below and
// including `root` so that all dentries and inodes are freed once unreferenced.
void d_shrink_tree(Dentry* root);

// Is `ancestor` d itself or one of its ancestors (within one filesystem)? A rename
// may change the answer: callers hold a lock that excludes renames, or accept that.
bool is_ancestor(const Dentry* ancestor, const Dentry* d);

// Number of live dentries (for leak checks in tests).
int64_t d_live_count();

// Calls fn(d, arg) for every hashed dentry, each bucket under its lock (so fn must
// not touch the dcache). For the consistency check only: walks the whole table.
inline void d_for_each_hashed(void (*fn)(Dentry*, void*), void* arg) {
  dtable::for_each(fn, arg);
}

// ---- inline implementations ---------------------------------------------------------
// A candidate with any of `stop` among its flags (read after its seq sample, so
// validated with it) ends the lookup with a miss: the caller's general path then looks
// again. Chains hold about one entry, so a sibling with such a flag that only shares
// the chain costs a rare fallback, not a wrong answer.
// The chain of bucket `b` only (see d_lookup_rcu).
[[gnu::always_inline]] inline Dentry* d_lookup_chain(const dtable::Bucket& b, const Dentry* parent,
                                                     const Component& c, const char* name,
                                                     uint32_t* seq, uint32_t stop,
                                                     uint32_t* flags) {
  for (Dentry* d = dtable::chain_first(b); d; d = d->hash_next.load(std::memory_order_acquire)) {
    if (d->parent.load(std::memory_order_relaxed) != parent) continue;
    // Chains hold about one entry: the name is compared once, after seq is sampled
    // (a sibling in the same chain that is changing just sends the walk to the slow
    // path).
    const uint32_t s = d->seq.begin();
    if (s & 1) return nullptr;
    // Read the binding after sampling seq; the caller validates s later. A dentry
    // unhashed before our sample keeps its parent and name (and its seq stays even),
    // so the hash state must be part of the check, or a deleted entry whose inode was
    // already reused would validate.
    const uint32_t f = d->flags.load(std::memory_order_acquire);
    if (f & (kDUnhashed | stop)) {
      if (f & kDUnhashed) continue;
      return nullptr;
    }
    if (d->parent.load(std::memory_order_relaxed) != parent) continue;
    if (!d_name_matches(d, c, name)) continue;
    *seq = s;
    if (flags) *flags = f;
    return d;
  }
  return nullptr;
}

// A miss in a chain that a resize moved on: the lookup in the newer tables. Out of line,
// so that the common lookup keeps no state for it; the result comes back in registers
// (the caller's samples would otherwise have to live in memory for it).
struct MovedHit {
  Dentry* d;
  uint32_t seq, flags;
};
MovedHit d_lookup_moved(const dtable::Table* t, const Dentry* parent, Component c,
                        const char* name, uint32_t stop);

[[gnu::always_inline]] inline Dentry* d_lookup_rcu(const dtable::Table* t, const Dentry* parent,
                                                   const Component& c, const char* name,
                                                   uint32_t* seq, uint32_t stop,
                                                   uint32_t* flags) {
  const dtable::Bucket& b = dtable::bucket(t, dtable::parent_name_hash(parent, c.hash()));
  if (Dentry* d = d_lookup_chain(b, parent, c, name, seq, stop, flags)) return d;
  // Only while a resize runs (the table's `future` is set) can the chain have moved:
  // asking the table, not the bucket, lets the hit path above forget the bucket.
  if (__builtin_expect(t->future.load(std::memory_order_acquire) != nullptr, 0)) {
    const MovedHit h = d_lookup_moved(t, parent, c, name, stop);
    *seq = h.seq;
    if (flags) *flags = h.flags;
    return h.d;
  }
  return nullptr;
}

[[gnu::always_inline]] inline Dentry* d_lookup_rcu(const Dentry* parent, const Component& c,
                                                   const char* name, uint32_t* seq,
                                                   uint32_t stop, uint32_t* flags) {
  return d_lookup_rcu(dtable::current(), parent, c, name, seq, stop, flags);
}

template <class Fn>
void d_for_each_child(Dentry* dir, Dentry* cursor, Fn&& fn) {
  for (;;) {
    Dentry* child = nullptr;
    {
      DLockGuard g(dir);
      ListNode* n = dir->children.next(&cursor->sibling);
      while (n) {
        if (!Dentry::is_cursor(n)) {
          Dentry* c = Dentry::from_sibling(n);
          if (listed_entry(c) && dget_not_dead(c)) {
            child = c;
            break;
          }
        }
        n = dir->children.next(n);
      }
      // Move the cursor after `n` (or to the end).
      dir->children.remove(&cursor->sibling);
      if (n)
        dir->children.insert_after(n, &cursor->sibling);
      else
        dir->children.push_back(&cursor->sibling);
    }
    if (!child) return;
    bool more = fn(child);
    dput(child);
    if (!more) return;
  }
}

}  // namespace rcuvfs::core
