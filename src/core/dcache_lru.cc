#include "core/dcache_lru.h"

#include "core/counters.h"
#include "core/rcu.h"

#include <rcuvfs/fs/superblock.h>

#include <algorithm>

namespace rcuvfs::core {

namespace {
// Every SbCache alive, for quiesce (lru_drain_all).
std::mutex g_all_mutex;
std::vector<SbCache*>& all_caches() {
  static auto* v = new std::vector<SbCache*>;
  return *v;
}

// A shrink in progress on this thread: what it frees may put more dentries on an LRU
// (a parent whose last child went), which must not start another.
thread_local bool t_shrinking = false;

// Entries looked at per batch, and the most a batch evicts.
constexpr size_t kScanBatch = 128;
constexpr size_t kEvictBatch = 64;
// Tombstones are freed in one pass once they are this many more than half the list.
constexpr size_t kTombstoneSlack = 64;

bool over(int64_t bytes, uint64_t budget) {
  return budget && bytes > static_cast<int64_t>(budget);
}

// After a change to c's list (caller holds c->mutex).
void note_listed(SbCache* c) {
  const auto now = static_cast<int64_t>(c->lru.size() - c->tombstones);
  const int64_t was = c->listed.exchange(now, std::memory_order_relaxed);
  if (now != was) c->ns->listed.fetch_add(now - was, std::memory_order_relaxed);
}

// Free the list's tombstones (caller holds c->mutex); returns them for freeing.
void compact_locked(SbCache* c, std::vector<Dentry*>& dead) {
  auto keep = std::remove_if(c->lru.begin(), c->lru.end(), [&](Dentry* d) {
    if (!(d->flags.load(std::memory_order_relaxed) & kDLruDead)) return false;
    dead.push_back(d);
    return true;
  });
  c->lru.erase(keep, c->lru.end());
  c->tombstones = 0;
  note_listed(c);
}
}  // namespace

SbCache::SbCache(std::shared_ptr<NsCache> n, uint64_t b) : ns(std::move(n)), budget(b) {
  {
    std::lock_guard g(ns->mutex);
    ns->caches.push_back(this);
  }
  std::lock_guard g(g_all_mutex);
  all_caches().push_back(this);
}

SbCache::~SbCache() {
  {
    std::lock_guard g(g_all_mutex);
    std::erase(all_caches(), this);
  }
  std::lock_guard g(ns->mutex);
  std::erase(ns->caches, this);
  ns->listed.fetch_sub(listed.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

SbCache* d_cache(const Dentry* d) {
  const Dentry* p = d->parent.load(std::memory_order_acquire);
  const Inode* dir = p->inode.load(std::memory_order_acquire);
  return dir ? dir->sb->dcache : nullptr;
}

int64_t d_charge(const Dentry* d) {
  if (d->flags.load(std::memory_order_relaxed) & kDPinned) return 0;
  int64_t b = dentry_bytes(d);
  if (const Inode* i = d->inode.load(std::memory_order_relaxed))
    b += static_cast<int64_t>(i->sb->cached_inode_bytes);
  return b;
}

void cache_charge(SbCache* c, int64_t delta) {
  c->bytes.fetch_add(delta, std::memory_order_relaxed);
  c->ns->bytes.fetch_add(delta, std::memory_order_relaxed);
}

void lru_add(Dentry* d) {
  // Still on the list from an earlier idle spell: nothing to do (the lazy case, which
  // keeps a reference walk's dget/dput pairs away from the list's lock). seq_cst
  // pairs with the shrinker's taking a referenced entry off (see shrink).
  if (d->flags.load(std::memory_order_seq_cst) & kDLru) return;
  SbCache* c = d_cache(d);
  if (!c) return;
  {
    std::lock_guard g(c->mutex);
    const uint32_t f = d->flags.load(std::memory_order_relaxed);
    // Referenced again (its holder will put it back), being deleted (it is about to
    // die), or put here by a racing dput.
    if ((f & (kDLru | kDUnhashed)) || d->refcount.load(std::memory_order_relaxed) != 0) return;
    d->set_flag(kDLru);
    c->lru.push_back(d);
    note_listed(c);
  }
  shrink_if_over(c);
}

bool lru_release(Dentry* d) {
  SbCache* c = d_cache(d);
  if (!c) return true;
  std::vector<Dentry*> dead;
  {
    std::lock_guard g(c->mutex);
    if (!(d->flags.load(std::memory_order_relaxed) & kDLru)) return true;
    d->set_flag(kDLruDead);
    if (++c->tombstones > c->lru.size() / 2 + kTombstoneSlack) compact_locked(c, dead);
    note_listed(c);
  }
  for (Dentry* x : dead) d_free_dead(x);
  return false;
}

uint64_t shrink(SbCache* c, int64_t target, int passes) {
  if (t_shrinking || c->listed.load(std::memory_order_relaxed) == 0) return 0;
  t_shrinking = true;
  uint64_t evicted = 0;
  // Each entry is looked at `passes` times per shrink at most. With one, an entry a
  // walk found since the shrinker last passed it survives until the shrinker has gone
  // round the whole list once more: the walk has that long to find it again.
  size_t to_scan = 0;
  bool first = true;
  while (c->bytes.load(std::memory_order_relaxed) > target && (first || to_scan > 0)) {
    Dentry* victims[kEvictBatch];
    size_t n = 0;
    std::vector<Dentry*> dead;
    // The victims stay readable while we work on them: one that is deleted meanwhile
    // is freed after a grace period, which this section holds off.
    RcuLock rcu;
    {
      std::lock_guard g(c->mutex);
      if (first) {
        to_scan = c->lru.size() * static_cast<size_t>(passes);
        first = false;
      }
      for (size_t scanned = 0;
           scanned < kScanBatch && to_scan > 0 && n < kEvictBatch && !c->lru.empty();
           ++scanned, --to_scan) {
        Dentry* d = c->lru.front();
        c->lru.pop_front();
        const uint32_t f = d->flags.load(std::memory_order_relaxed);
        if (f & kDLruDead) {
          --c->tombstones;
          dead.push_back(d);
          continue;
        }
        if (d->refcount.load(std::memory_order_relaxed) != 0) {
          // In use: off the list; its last dput puts it back. Unless that dput already
          // ran and saw it still listed (seq_cst on both sides: one of us sees the
          // other).
          d->flags.fetch_and(~kDLru, std::memory_order_seq_cst);
          if (d->refcount.load(std::memory_order_seq_cst) == 0 &&
              !(d->flags.load(std::memory_order_relaxed) & kDUnhashed)) {
            d->set_flag(kDLru);
            c->lru.push_back(d);
          }
          continue;
        }
        if (!(f & kDCold)) {  // found by a walk since: once more round the list
          d->set_flag(kDCold);
          c->lru.push_back(d);
          continue;
        }
        d->clear_flag(kDLru);
        victims[n++] = d;
      }
      note_listed(c);
    }
    for (Dentry* d : dead) d_free_dead(d);
    for (size_t i = 0; i < n; ++i) {
      if (d_evict(victims[i])) {
        ++evicted;
        continue;
      }
      // Used meanwhile: back on the list if it is idle again.
      Dentry* d = victims[i];
      std::lock_guard g(c->mutex);
      if (!(d->flags.load(std::memory_order_relaxed) & (kDLru | kDUnhashed)) &&
          d->refcount.load(std::memory_order_relaxed) == 0) {
        d->set_flag(kDLru);
        c->lru.push_back(d);
        note_listed(c);
      }
    }
  }
  c->reclaimed.fetch_add(evicted, std::memory_order_relaxed);
  t_shrinking = false;
  return evicted;
}

void shrink_if_over(SbCache* c) {
  if (t_shrinking) return;
  // Shrink to 7/8 of a budget: each shrink then pays for a batch, not for one entry.
  const uint64_t own = c->budget.load(std::memory_order_relaxed);
  if (over(c->bytes.load(std::memory_order_relaxed), own))
    shrink(c, static_cast<int64_t>(own / 8 * 7), 1);
  NsCache& ns = *c->ns;
  const uint64_t budget = ns.budget.load(std::memory_order_relaxed);
  int64_t excess = ns.bytes.load(std::memory_order_relaxed) - static_cast<int64_t>(budget / 8 * 7);
  if (!over(ns.bytes.load(std::memory_order_relaxed), budget)) return;
  // This superblock first; then the others, the namespace's lock keeping them alive.
  const int64_t mine = c->bytes.load(std::memory_order_relaxed);
  shrink(c, std::max<int64_t>(0, mine - excess), 1);
  excess = ns.bytes.load(std::memory_order_relaxed) - static_cast<int64_t>(budget / 8 * 7);
  if (excess <= 0 || ns.listed.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard g(ns.mutex);
  for (SbCache* other : ns.caches) {
    if (other == c) continue;
    const int64_t b = other->bytes.load(std::memory_order_relaxed);
    shrink(other, std::max<int64_t>(0, b - excess), 1);
    excess = ns.bytes.load(std::memory_order_relaxed) - static_cast<int64_t>(budget / 8 * 7);
    if (excess <= 0) return;
  }
}

void shrink_namespace(NsCache& ns) {
  std::lock_guard g(ns.mutex);
  const int64_t target = static_cast<int64_t>(ns.budget.load(std::memory_order_relaxed));
  for (SbCache* c : ns.caches) {
    const int64_t excess = ns.bytes.load(std::memory_order_relaxed) - target;
    if (excess <= 0) return;
    shrink(c, std::max<int64_t>(0, c->bytes.load(std::memory_order_relaxed) - excess), 2);
  }
}

void lru_drain_dead(SbCache* c) {
  std::vector<Dentry*> dead;
  {
    std::lock_guard g(c->mutex);
    compact_locked(c, dead);
  }
  for (Dentry* d : dead) d_free_dead(d);
}

void lru_drain_all() {
  std::lock_guard g(g_all_mutex);
  for (SbCache* c : all_caches()) lru_drain_dead(c);
}

CacheStats cache_stats(NsCache& ns) {
  CacheStats s;
  s.budget = ns.budget.load(std::memory_order_relaxed);
  std::lock_guard g(ns.mutex);
  for (SbCache* c : ns.caches) {
    s.entries += static_cast<uint64_t>(std::max<int64_t>(0, c->entries.load()));
    s.negative += static_cast<uint64_t>(std::max<int64_t>(0, c->negative.load()));
    s.bytes += static_cast<uint64_t>(std::max<int64_t>(0, c->bytes.load()));
    s.reclaimed += c->reclaimed.load(std::memory_order_relaxed);
    std::lock_guard l(c->mutex);
    s.unused += c->lru.size() - c->tombstones;
  }
  return s;
}

}  // namespace rcuvfs::core
