#include "core/clock.h"

#include <time.h>

namespace rcuvfs {

namespace core {
RCUVFS_TLS_FAST constinit thread_local WalkClock t_walk_clock;

namespace {
int64_t read_clock() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}
}  // namespace
}  // namespace core

int64_t coarse_clock_ns() {
  core::WalkClock& c = core::t_walk_clock;
  if (!c.active) return core::read_clock();
  if (!c.sampled) {
    c.ns = core::read_clock();
    c.sampled = true;
  }
  return c.ns;
}

}  // namespace rcuvfs
