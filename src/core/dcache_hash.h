// The dcache's hash table: chains of dentries keyed by (parent dentry, name hash),
// traversed by RCU readers without locks, and resized in the background so that a
// chain holds about one entry however many names are cached.
//
// ---- Fields and what guards them ---------------------------------------------------
//   g_table        the current table; read (acquire) under RCU. Replaced by the resizer
//                  (under its mutex); the old table is freed after a grace period.
//   g_buckets      its size (buckets()), for readers outside RCU (the allocation
//                  path, statistics): written by the resizer after it publishes
//   Table::mask    immutable
//   Table::future  the table a resize moves this one's entries to: set once, before
//                  the first bucket moves, never cleared
//   Bucket::head   first dentry | kLockBit | kMovedBit, read with acquire. Writers hold
//                  the bucket's lock (kLockBit). kMovedBit: the chain's entries live in
//                  `future` now (set by the resizer once it moved them; never cleared)
//   Dentry::hash_next  read under RCU; written under the lock of its dentry's bucket
// A dentry is in exactly one chain: the one of the first bucket without kMovedBit on
// the way from g_table through `future` (lock_bucket finds it).
//
// ---- Resizing -----------------------------------------------------------------------
// The number of live dentries decides: above one per bucket the table doubles (or
// more), below one per eight buckets it halves (not below kMinBuckets). A background
// thread moves the entries bucket by bucket, each under the old bucket's lock and the
// new one's, marks the old bucket moved, and finally publishes the new table. Nothing
// waits for it: readers that miss in a moved bucket look again in `future`, writers
// lock the bucket that holds the chain now. A reader standing on an entry while it
// moves continues down the new chain and may miss the rest of the old one; an RCU
// miss is only a hint anyway (the walker then asks under locks), and d_lookup's exact
// answer comes from a traversal under the bucket's lock.
//
// Lock order (docs/locking.md): resizer mutex -> an old table's bucket -> a newer
// table's bucket. Every other bucket lock is innermost and taken alone (see dentry.h).
#pragma once

#include "core/dentry.h"

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace rcuvfs::core::dtable {

inline constexpr uintptr_t kLockBit = 1;
inline constexpr uintptr_t kMovedBit = 2;
// The smallest table: 2^16 buckets (512 KiB, mapped lazily: untouched pages cost
// nothing).
inline constexpr unsigned kMinBits = 16;

struct Bucket {
  std::atomic<uintptr_t> head;  // Dentry* | kLockBit | kMovedBit
};

struct Table {
  uint64_t mask;  // buckets - 1
  std::atomic<Table*> future;
  Bucket b[1];  // mask + 1 of them

  size_t buckets() const { return mask + 1; }
};

extern std::atomic<Table*> g_table;
// The current table's size: safe without the RCU read lock.
size_t buckets();
// The current table, for lookups inside the caller's RCU read-side section (a walk
// loads it once for all its steps).
inline const Table* current() { return g_table.load(std::memory_order_acquire); }

// The name's hash mixed with the parent's address: 64 well-spread bits.
inline uint64_t parent_name_hash(const Dentry* parent, uint32_t hash) {
  uint64_t k = reinterpret_cast<uintptr_t>(parent) ^ (uint64_t{hash} * kHashMul);
  k ^= k >> 29;
  k *= 0xBF58476D1CE4E5B9ull;
  k ^= k >> 32;
  return k;
}
inline const Bucket& bucket(const Table* t, uint64_t key) { return t->b[key & t->mask]; }
inline Dentry* chain_first(const Bucket& b) {
  return reinterpret_cast<Dentry*>(b.head.load(std::memory_order_acquire) &
                                   ~(kLockBit | kMovedBit));
}
// For a miss in `b` of table `t`: the newer table to look in, or nullptr when the
// miss stands (the chain had not moved).
inline const Table* moved_to(const Table* t, const Bucket& b) {
  if (!(b.head.load(std::memory_order_acquire) & kMovedBit)) return nullptr;
  return t->future.load(std::memory_order_acquire);
}

// The bucket that holds the chain of (parent, hash) now, locked. The caller is inside
// an RCU read-side section until it has called unlock_bucket.
Bucket& lock_bucket(const Dentry* parent, uint32_t hash);
void unlock_bucket(Bucket& b);

// The number of live dentries changed to `n`: wake the resizer if the table should
// grow or shrink. Cheap when it should not.
void note_population(int64_t n);

// For tests and benchmarks: wait until no resize is pending or running and the size
// fits the dentries alive; and how many resizes have completed.
void wait_resized();
uint64_t resizes();

// Calls fn(d, arg) for every hashed dentry, each bucket under its lock, with resizing
// held off. For the consistency check.
void for_each(void (*fn)(Dentry*, void*), void* arg);

}  // namespace rcuvfs::core::dtable
