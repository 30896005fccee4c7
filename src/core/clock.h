// The walk's clock: what makes coarse_clock_ns() read the clock once per RCU-mode walk.
#pragma once

#include <rcuvfs/fs/clock.h>

#include "core/tls.h"

namespace rcuvfs::core {

// Per thread; only this thread reads or writes it.
struct WalkClock {
  bool active = false;  // inside an RCU-mode walk
  bool sampled = false;  // ns holds this walk's sample
  int64_t ns = 0;
};
RCUVFS_TLS_FAST extern constinit thread_local WalkClock t_walk_clock;

// Held by an RCU-mode walk for as long as it stays in RCU mode (walk_clock_end() when
// it leaves early). Nested walks keep their own sample.
class WalkClockScope {
 public:
  WalkClockScope() : saved_(t_walk_clock) { t_walk_clock = {true, false, 0}; }
  ~WalkClockScope() { t_walk_clock = saved_; }
  WalkClockScope(const WalkClockScope&) = delete;
  WalkClockScope& operator=(const WalkClockScope&) = delete;

 private:
  WalkClock saved_;
};

// The walk left RCU mode: it may block from here on, so its time moves again.
inline void walk_clock_end() { t_walk_clock.active = false; }

}  // namespace rcuvfs::core
