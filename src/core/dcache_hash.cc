#include "core/dcache_hash.h"

#include "core/dcache.h"
#include "core/rcu.h"

#include <sys/mman.h>

#include <pthread.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <new>
#include <thread>

namespace rcuvfs::core::dtable {

namespace {
constexpr size_t table_bytes(size_t buckets) {
  return offsetof(Table, b) + buckets * sizeof(Bucket);
}

// Mapped, not malloc'ed: pages a table never touches cost nothing, and a freed table's
// memory goes back to the system at once.
Table* alloc_table(size_t buckets) {
  void* p = mmap(nullptr, table_bytes(buckets), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  auto* t = static_cast<Table*>(p);  // zero-filled: every bucket empty
  t->mask = buckets - 1;
  return t;
}
void free_table(Table* t) { munmap(t, table_bytes(t->buckets())); }

void spin_lock(Bucket& b) {
  while (b.head.fetch_or(kLockBit, std::memory_order_acquire) & kLockBit)
    while (b.head.load(std::memory_order_relaxed) & kLockBit) cpu_relax();
}
}  // namespace

// Allocated at load time, so the readers' path has no initialisation guard to check.
std::atomic<Table*> g_table{alloc_table(size_t{1} << kMinBits)};
// g_table's size, for those that read it outside a read-side section.
std::atomic<size_t> g_buckets{size_t{1} << kMinBits};

Bucket& lock_bucket(const Dentry* parent, uint32_t hash) {
  const uint64_t key = parent_name_hash(parent, hash);
  Table* t = g_table.load(std::memory_order_acquire);
  for (;;) {
    Bucket& b = t->b[key & t->mask];
    spin_lock(b);
    if (!(b.head.load(std::memory_order_relaxed) & kMovedBit)) return b;
    b.head.fetch_and(~kLockBit, std::memory_order_release);
    t = t->future.load(std::memory_order_acquire);
  }
}

void unlock_bucket(Bucket& b) { b.head.fetch_and(~kLockBit, std::memory_order_release); }

namespace {
// ---- the resizer --------------------------------------------------------------------
// Its state lives in a leaked heap object: the thread outlives static destruction.
struct Resizer {
  std::mutex resize_mutex;  // one resize at a time; for_each holds resizes off
  std::atomic<bool> wanted{false};  // a resize may be due; set by note_population
  std::mutex wake_mutex;            // guards running and started; wake and idle use it
  std::condition_variable wake;     // the resizer sleeps on it
  std::condition_variable idle;     // signalled when the resizer goes back to sleep
  bool running = false;
  bool started = false;
};
Resizer* g_resizer = new Resizer;
std::atomic<uint64_t> g_resizes{0};

size_t target_buckets(int64_t n, size_t now) {
  const size_t min = size_t{1} << kMinBits;
  size_t s = now;
  if (n > static_cast<int64_t>(now)) {
    while (static_cast<int64_t>(s) < n) s <<= 1;
  } else if (now > min && n < static_cast<int64_t>(now / 8)) {
    while (s > min && static_cast<int64_t>(s / 2) >= 2 * n) s >>= 1;
  }
  return s;
}

// Move every entry of old bucket `i` into `nt`, then mark the bucket moved.
void move_bucket(Table* old, size_t i, Table* nt) {
  Bucket& ob = old->b[i];
  spin_lock(ob);
  while (Dentry* d = chain_first(ob)) {
    // d cannot change its (parent, name) while it is in a chain whose lock we hold:
    // rebind unhashes it first.
    const uint64_t key = parent_name_hash(d->parent.load(std::memory_order_relaxed),
                                          d_name(d, std::memory_order_relaxed).hash());
    Bucket& nb = nt->b[key & nt->mask];
    spin_lock(nb);
    ob.head.store(reinterpret_cast<uintptr_t>(d->hash_next.load(std::memory_order_relaxed)) |
                      kLockBit,
                  std::memory_order_release);
    // A reader standing on d continues down the new chain from here.
    d->hash_next.store(chain_first(nb), std::memory_order_release);
    nb.head.store(reinterpret_cast<uintptr_t>(d) | kLockBit, std::memory_order_release);
    unlock_bucket(nb);
  }
  ob.head.store(kMovedBit, std::memory_order_release);  // and unlocked
}

void resize_once() {
  std::lock_guard g(g_resizer->resize_mutex);
  Table* old = g_table.load(std::memory_order_relaxed);
  const size_t want = target_buckets(d_live_count(), old->buckets());
  if (want == old->buckets()) return;
  Table* nt = alloc_table(want);
  if (!nt) return;  // no memory for another table: chains just get longer
  old->future.store(nt, std::memory_order_release);
  for (size_t i = 0; i < old->buckets(); ++i) move_bucket(old, i, nt);
  g_table.store(nt, std::memory_order_release);
  g_buckets.store(nt->buckets(), std::memory_order_relaxed);
  // Readers and writers that loaded the old table did so inside a read-side section.
  rcu_synchronize();
  free_table(old);
  g_resizes.fetch_add(1, std::memory_order_relaxed);
}

void resizer_loop() {
  Resizer& r = *g_resizer;
  for (;;) {
    {
      std::unique_lock lk(r.wake_mutex);
      r.running = false;
      r.idle.notify_all();
      r.wake.wait(lk, [&] { return r.wanted.load(std::memory_order_relaxed); });
      r.running = true;
    }
    // Cleared before the count is read: a change after this asks again.
    r.wanted.store(false, std::memory_order_relaxed);
    resize_once();
  }
}

// A child of fork() has no resizer thread (and whatever locks the parent's threads
// held stay held in it: only fork-then-exec is supported with threads running).
[[maybe_unused]] const int g_atfork = pthread_atfork(nullptr, nullptr, [] {
  g_resizer = new Resizer;
});
}  // namespace

size_t buckets() { return g_buckets.load(std::memory_order_relaxed); }

void note_population(int64_t n) {
  const size_t now = buckets();
  if (n <= static_cast<int64_t>(now) &&
      (now == size_t{1} << kMinBits || n >= static_cast<int64_t>(now / 8)))
    return;
  Resizer& r = *g_resizer;
  // While a resize runs every allocation lands here: one load, no shared write.
  if (r.wanted.load(std::memory_order_relaxed) ||
      r.wanted.exchange(true, std::memory_order_relaxed))
    return;
  std::lock_guard lk(r.wake_mutex);
  if (!r.started) {
    r.started = true;
    r.running = true;
    std::thread(resizer_loop).detach();
  }
  r.wake.notify_one();
}

void wait_resized() {
  for (;;) {
    Resizer& r = *g_resizer;
    {
      std::unique_lock lk(r.wake_mutex);
      r.idle.wait(lk, [&] { return !r.running; });
    }
    const size_t now = buckets();
    if (target_buckets(d_live_count(), now) == now) return;
    note_population(d_live_count());
    std::this_thread::yield();
  }
}

uint64_t resizes() { return g_resizes.load(std::memory_order_relaxed); }

void for_each(void (*fn)(Dentry*, void*), void* arg) {
  std::lock_guard g(g_resizer->resize_mutex);
  Table* t = g_table.load(std::memory_order_acquire);
  for (size_t i = 0; i < t->buckets(); ++i) {
    Bucket& b = t->b[i];
    if (!chain_first(b)) continue;
    spin_lock(b);
    for (Dentry* d = chain_first(b); d; d = d->hash_next.load(std::memory_order_relaxed))
      fn(d, arg);
    unlock_bucket(b);
  }
}

}  // namespace rcuvfs::core::dtable
