// Read-copy-update for filesystem authors: deferred freeing after a grace period.
//
// rcuvfs uses liburcu (urcu-memb flavour) underneath; nothing outside the core's RCU
// wrapper (src/core/rcu.cc) talks to liburcu. Threads that call into rcuvfs are
// registered automatically on first use and unregistered when they exit.
//
// Contract, the same for every function here:
//   - an object reachable by RCU readers is unpublished first (pointer replaced or
//     unlinked), then handed to rcu_defer(); its callback runs after every read-side
//     section that could have seen it has ended;
//   - callbacks run on liburcu's call_rcu thread, must not block for long, and may
//     themselves call rcu_defer().
#pragma once

#include <rcuvfs/fs/sanitizers.h>

#include <functional>

namespace rcuvfs {

// Embedded in objects freed after a grace period: liburcu's struct rcu_head, two
// words (the layout is checked in rcu.cc). liburcu owns both while the head is
// queued; `func` is the callback rcu_defer() was given, stored as is.
// Under ThreadSanitizer liburcu calls a trampoline instead (it tells TSan about the
// grace period first), and the callback waits in a third word, `fn`.
struct RcuHead {
  void* next = nullptr;
  void (*func)(void*) = nullptr;
#ifdef RCUVFS_TSAN
  void (*fn)(RcuHead*) = nullptr;
#endif
};

// Run `fn(head)` after a grace period. `head` is embedded in the object to free.
void rcu_defer(RcuHead* head, void (*fn)(RcuHead*));

// Run `fn` after a grace period, without an embedded head (one allocation).
void rcu_defer_call(std::function<void()> fn);

// Run `fn(obj)` after a grace period, with no head in the object: the pair waits in a
// shared batch (two liburcu callbacks per batch of up to 255 objects), which saves
// the two words per object that an RcuHead costs. For objects that are many (inodes)
// and freed outside hot paths: each call takes a mutex. The wait is two grace periods.
void rcu_free(void* obj, void (*fn)(void*));

// Wait until every read-side section that began before the call has ended.
void rcu_synchronize();

// Wait until every callback queued before the call (rcu_defer, rcu_defer_call,
// rcu_free) has run. Callbacks queued by those callbacks may still be pending.
void rcu_barrier();

// A read-side critical section (not needed inside filesystem callbacks: the walker
// already holds one when it calls an *_rcu method).
class RcuReadGuard {
 public:
  RcuReadGuard();
  ~RcuReadGuard();
  RcuReadGuard(const RcuReadGuard&) = delete;
  RcuReadGuard& operator=(const RcuReadGuard&) = delete;
};

}  // namespace rcuvfs
