// The dcache's budget: unused dentries on an LRU per superblock, and a shrinker that
// frees them when a superblock or its namespace holds more than its budget.
//
// What is charged: every dentry the dcache may drop, which is every dentry but the
// pinned ones (a kSbDcacheComplete filesystem's positive entries are its data, not a
// cache): its bytes, and for a positive one the filesystem's estimate of what an
// inode only the dcache holds costs (Superblock::cached_inode_bytes). memfs is then
// charged for its negative entries; hostfs for everything it caches.
//
// The LRU holds dentries whose reference count fell to zero while they were hashed
// (dput), oldest first, each once (kDLru). It is lazy: a dentry that is used again
// (referenced, or found by a walk) stays where it is; the shrinker takes referenced
// ones off, evicts the ones no walk found since they came or since it last passed
// them (kDCold: a dentry is born with it), and sends the others round the list once
// more with the bit set again (Linux's DCACHE_REFERENCED, the other way up). Being
// found costs a walk nothing: the walkers' fast loop treats a kDCold entry as a miss
// (one more bit in the flags test it makes anyway), and the general walk clears the
// bit, a shared write only where the shrinker or the entry's birth set it. A dentry
// that dies while on the LRU (unlinked, or its directory torn down) stays there as a
// tombstone (kDLruDead: the LRU frees its memory when it reaches it, or when
// tombstones are half of the list).
//
// The shrinker runs in the thread that pushed the cache over its budget (after it
// charged a new dentry, or put one on the LRU): an evicted dentry is unhashed with its
// seq bumped, under its d_lock and its chain's lock, exactly when nobody holds a
// reference (a walker that found it in RCU mode then fails its seq check or its
// unlazy), and freed after a grace period, as every other removal.
//
// ---- Fields and what guards them ---------------------------------------------------
//   SbCache::lru, tombstones       SbCache::mutex
//   SbCache::listed, NsCache::listed   written under SbCache::mutex, read without
//   SbCache counters, NsCache::bytes   atomics, relaxed (statistics and a trigger)
//   NsCache::budget, SbCache::budget   atomics; set at any time
//   NsCache::caches                NsCache::mutex
//   every SbCache (for lru_drain_all)  g_all_mutex (dcache_lru.cc)
// Lock order (docs/locking.md): NsCache::mutex (held by a shrink) -> d_lock (parent,
// then a trylock of the child) -> chain lock; NsCache::mutex or g_all_mutex ->
// SbCache::mutex, which is never held with a d_lock or while waiting for anything else.
// Lifetime: an SbCache is made with its superblock's first mount and freed with the
// superblock after a grace period (sb_put), so lru_add and release may reach it from a
// dying dentry under the RCU read lock.
#pragma once

#include "core/dentry.h"

#include <rcuvfs/fs/mutex.h>
#include <rcuvfs/vfs.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace rcuvfs::core {

struct SbCache;

// Budgets are compared with signed byte counts: one past INT64_MAX (8 EiB, "no
// limit" to any caller) is that.
inline uint64_t clamp_budget(uint64_t bytes) {
  return bytes > uint64_t{INT64_MAX} ? uint64_t{INT64_MAX} : bytes;
}

// One namespace's (one Vfs's) share: the sum over its superblocks.
struct NsCache {
  std::atomic<uint64_t> budget{kDefaultCacheBudget};
  std::atomic<int64_t> bytes{0};
  // The sum of its caches' `listed`: a shrink over budget with nothing to evict
  // anywhere (every charged entry in use) returns without taking `mutex`.
  std::atomic<int64_t> listed{0};
  std::mutex mutex;
  std::vector<SbCache*> caches;  // guarded by mutex
};

// One superblock's dcache accounting and LRU (Superblock::dcache).
struct SbCache {
  explicit SbCache(std::shared_ptr<NsCache> ns, uint64_t budget);
  ~SbCache();

  const std::shared_ptr<NsCache> ns;
  std::atomic<uint64_t> budget;  // 0: only the namespace's
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> entries{0};
  std::atomic<int64_t> negative{0};
  std::atomic<uint64_t> reclaimed{0};

  std::mutex mutex;
  std::deque<Dentry*> lru;  // oldest first; live entries (kDLru) and tombstones
  size_t tombstones = 0;
  // lru.size() - tombstones, stored under `mutex` and read without it.
  std::atomic<int64_t> listed{0};

  // kSbWatched superblocks only: the dentry of each cached directory, so that a change
  // reported by directory inode finds its entries (fs/changes.h). Guarded by
  // alias_mu, a leaf lock; set when a directory entry is bound, cleared when that
  // dentry is freed.
  Mutex alias_mu;
  std::unordered_map<const Inode*, Dentry*> dir_alias RCUVFS_GUARDED_BY(alias_mu);
};

// The superblock a dentry belongs to, and its cache (nullptr for a dentry of a
// superblock the core made no cache for: roots before d_add).
SbCache* d_cache(const Dentry* d);

// Bytes charged for `d` while it is unpinned: its memory, and for a positive entry the
// filesystem's cost of an inode only the dcache holds.
int64_t d_charge(const Dentry* d);

// Charge `delta` bytes (may be negative) to c and its namespace.
void cache_charge(SbCache* c, int64_t delta);

// dput dropped the last reference to a hashed dentry: put it on its superblock's LRU,
// then shrink if the cache is over its budget.
void lru_add(Dentry* d);
// A dentry that is dying (kill): false when it is on an LRU, which then frees it (the
// caller must not); true when the caller frees it.
bool lru_release(Dentry* d);

// Shrink while `c` (or its namespace) is over its budget. Never from inside a shrink.
void shrink_if_over(SbCache* c);
// Evict unused entries of `c` until it holds at most `target` bytes, looking at each
// entry at most `passes` times (1: one a walk found since the last look survives; 2:
// the list is emptied if need be); returns how many went.
uint64_t shrink(SbCache* c, int64_t target, int passes);

// Free the tombstones on a superblock's LRU; on every superblock's.
void lru_drain_dead(SbCache* c);
void lru_drain_all();

// The namespace's budget went down: shrink its caches until they fit.
void shrink_namespace(NsCache& ns);

// Bytes to charge for a dentry: its allocation, its share of the hash table and its
// LRU slot (dcache.cc).
int64_t dentry_bytes(const Dentry* d);

// Evict `d` if it is still unused (no reference): unhash it under its d_lock and its
// chain's lock, bump its seq, and let it die. dcache.cc.
bool d_evict(Dentry* d);
// Free a tombstone's memory after a grace period (its teardown was done). dcache.cc.
void d_free_dead(Dentry* d);

CacheStats cache_stats(NsCache& ns);

}  // namespace rcuvfs::core
