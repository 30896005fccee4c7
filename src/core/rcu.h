// The one wrapper around liburcu (urcu-memb). Nothing else in rcuvfs includes a
// liburcu header. The read-side lock is inlined here for the walker's hot path.
//
// ThreadSanitizer cannot see liburcu's grace periods (liburcu is not instrumented),
// so it would flag every deferred free as a race with the readers. We tell it about
// the ordering through one token: every read-side unlock and every hand-off to
// call_rcu releases it, and a grace period (synchronize, or the start of a deferred
// callback) acquires it.
#pragma once

#include <rcuvfs/fs/sanitizers.h>  // RCUVFS_TSAN, needed before the liburcu headers

// The inlined read-side fast path (_LGPL_SOURCE) in normal builds. Under TSan we
// call liburcu's exported functions instead, so that what liburcu does inside them
// stays "called from lib" (see tests/tsan.supp).
#ifndef RCUVFS_TSAN
#define _LGPL_SOURCE 1
#endif
#include <urcu/urcu-memb.h>
#undef _LGPL_SOURCE

#include <rcuvfs/fs/rcu.h>

#include "core/tls.h"

#ifdef RCUVFS_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace rcuvfs::core {

// Registers the calling thread with liburcu (once) and unregisters it at thread exit.
void rcu_register_slow();
RCUVFS_TLS_FAST extern constinit thread_local bool t_rcu_registered;  // constinit: no TLS wrapper

// For the first line of a deferred callback that may itself call rcu_defer: liburcu's
// callback threads are registered readers already (registering again would abort),
// and must not be unregistered by us at their exit.
inline void rcu_in_callback() { t_rcu_registered = true; }

#ifdef RCUVFS_TSAN
extern char g_tsan_rcu_token;
#endif

inline void rcu_lock() {
  if (__builtin_expect(!t_rcu_registered, 0)) rcu_register_slow();
  urcu_memb_read_lock();
}

inline void rcu_unlock() {
#ifdef RCUVFS_TSAN
  __tsan_release(&g_tsan_rcu_token);
#endif
  urcu_memb_read_unlock();
}

// RAII read-side section for core code; unlock() ends it early (e.g. on unlazy).
class RcuLock {
 public:
  RcuLock() { rcu_lock(); }
  ~RcuLock() {
    if (held_) rcu_unlock();
  }
  void unlock() {
    if (held_) {
      rcu_unlock();
      held_ = false;
    }
  }
  void lock() {
    if (!held_) {
      rcu_lock();
      held_ = true;
    }
  }
  bool held() const { return held_; }
  RcuLock(const RcuLock&) = delete;
  RcuLock& operator=(const RcuLock&) = delete;

 private:
  bool held_ = true;
};

}  // namespace rcuvfs::core
