// Per-thread walker counters (the thread's own cache line: no shared writes).
#pragma once

#include <rcuvfs/counters.h>

#include "core/tls.h"

#include <atomic>

namespace rcuvfs::core {

struct ThreadCounters {
  std::atomic<uint64_t> counter[static_cast<size_t>(Counter::kCount)]{};
  std::atomic<uint64_t> echild[static_cast<size_t>(Echild::kCount)]{};
};

ThreadCounters& thread_counters_slow();
// constinit: no TLS wrapper call to check on every access.
RCUVFS_TLS_FAST extern constinit thread_local ThreadCounters* t_counters;

inline ThreadCounters& my_counters() {
  ThreadCounters* c = t_counters;
  return c ? *c : thread_counters_slow();
}

// Single writer (this thread): a plain load+store, no locked instruction. Readers in
// other threads sum with relaxed loads.
[[gnu::always_inline]] inline void bump(std::atomic<uint64_t>& a) {
  a.store(a.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}
inline void count(Counter c) { bump(my_counters().counter[static_cast<size_t>(c)]); }
inline void count(Counter a, Counter b) {
  ThreadCounters& t = my_counters();
  bump(t.counter[static_cast<size_t>(a)]);
  bump(t.counter[static_cast<size_t>(b)]);
}
inline void count(Echild e) { bump(my_counters().echild[static_cast<size_t>(e)]); }
inline void count(Counter c, uint64_t n) {
  std::atomic<uint64_t>& a = my_counters().counter[static_cast<size_t>(c)];
  a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
// A one-pass walk whose answer stood: `c` (stat_speculative, ...), the walk and its hits.
[[gnu::always_inline]] inline void count_fast(Counter c, uint64_t hits) {
  ThreadCounters& t = my_counters();
  bump(t.counter[static_cast<size_t>(Counter::kWalkRcu)]);
  bump(t.counter[static_cast<size_t>(c)]);
  std::atomic<uint64_t>& h = t.counter[static_cast<size_t>(Counter::kDcacheHit)];
  h.store(h.load(std::memory_order_relaxed) + hits, std::memory_order_relaxed);
}

Counters sum_counters();

}  // namespace rcuvfs::core
