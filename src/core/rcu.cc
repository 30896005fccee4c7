#include "core/rcu.h"

#include <urcu/call-rcu.h>

#include <cstddef>
#include <functional>

namespace rcuvfs {
namespace core {

RCUVFS_TLS_FAST constinit thread_local bool t_rcu_registered = false;
#ifdef RCUVFS_TSAN
char g_tsan_rcu_token;
#endif

namespace {
struct Registration {
  ~Registration() {
    if (t_rcu_registered) {
      urcu_memb_unregister_thread();
      t_rcu_registered = false;
    }
  }
};
thread_local Registration t_registration;

inline void tsan_grace_period() {
#ifdef RCUVFS_TSAN
  __tsan_acquire(&g_tsan_rcu_token);
#endif
}

#ifdef RCUVFS_TSAN
void run_deferred(struct rcu_head* h) {
  tsan_grace_period();
  auto* rh = reinterpret_cast<RcuHead*>(h);
  rh->fn(rh);
}
#endif

struct DeferredCall {
  RcuHead head;
  std::function<void()> fn;
};
}  // namespace

void rcu_register_slow() {
  (void)&t_registration;  // instantiates the thread-exit hook for this thread
  urcu_memb_register_thread();
  t_rcu_registered = true;
}

}  // namespace core

// An RcuHead is handed to liburcu as its struct rcu_head: the same two words at the
// same offsets. In normal builds that is all of it, and liburcu stores the caller's
// callback in `func` and calls it with the head, which is the RcuHead.
static_assert(offsetof(RcuHead, next) == offsetof(struct rcu_head, next));
static_assert(offsetof(RcuHead, func) == offsetof(struct rcu_head, func));
static_assert(sizeof(struct rcu_head) == 2 * sizeof(void*));
static_assert(alignof(RcuHead) == alignof(struct rcu_head));
#ifdef RCUVFS_TSAN
static_assert(sizeof(RcuHead) == 3 * sizeof(void*));  // + the callback for run_deferred
#else
static_assert(sizeof(RcuHead) == sizeof(struct rcu_head));
#endif

void rcu_defer(RcuHead* head, void (*fn)(RcuHead*)) {
  if (!core::t_rcu_registered) core::rcu_register_slow();
#ifdef RCUVFS_TSAN
  head->fn = fn;
  // What this thread did to the object happens before the callback that frees it.
  __tsan_release(&core::g_tsan_rcu_token);
  urcu_memb_call_rcu(reinterpret_cast<struct rcu_head*>(head), core::run_deferred);
#else
  // liburcu calls func(&head) with its own struct rcu_head pointer type: the same
  // address, passed the same way, as the RcuHead* that `fn` expects.
  // (Through void (*)(): the generic function pointer type, which tells the compiler
  // the type change is meant.)
  urcu_memb_call_rcu(reinterpret_cast<struct rcu_head*>(head),
                     reinterpret_cast<void (*)(struct rcu_head*)>(
                         reinterpret_cast<void (*)()>(fn)));
#endif
}

void rcu_defer_call(std::function<void()> fn) {
  auto* d = new core::DeferredCall{{}, std::move(fn)};
  rcu_defer(&d->head, [](RcuHead* h) {
    core::rcu_in_callback();
    auto* call = reinterpret_cast<core::DeferredCall*>(h);
    call->fn();
    delete call;
  });
}

void rcu_synchronize() {
  if (!core::t_rcu_registered) core::rcu_register_slow();
  urcu_memb_synchronize_rcu();
  core::tsan_grace_period();
}

void rcu_barrier() {
  if (!core::t_rcu_registered) core::rcu_register_slow();
  // Twice: an open rcu_free batch is closed by a callback that queues its second
  // stage (rcu_free.cc), which the first barrier does not wait for.
  urcu_memb_barrier();
  urcu_memb_barrier();
  core::tsan_grace_period();
}

RcuReadGuard::RcuReadGuard() { core::rcu_lock(); }
RcuReadGuard::~RcuReadGuard() { core::rcu_unlock(); }

}  // namespace rcuvfs
