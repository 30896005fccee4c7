// The clock filesystems time their caches with (entry and attribute lifetimes).
#pragma once

#include <cstdint>

namespace rcuvfs {

// CLOCK_MONOTONIC_COARSE, in nanoseconds.
//
// Inside an RCU-mode path walk the clock is read once, at the first call, and that
// value is the walk's "now" for every later call until the walk ends or leaves RCU
// mode. An RCU-mode walk never blocks, so the value is at most as old as the walk
// (microseconds, where the clock's own resolution is milliseconds), and a walk of n
// components on a revalidating filesystem reads the clock once instead of twice per
// component (a vDSO call each: a fifth of a cached hostfs stat).
//
// So a time stored by another thread may be a little ahead of a walk's "now": take
// differences as signed numbers.
int64_t coarse_clock_ns();

}  // namespace rcuvfs
