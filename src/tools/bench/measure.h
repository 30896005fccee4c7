// One cell, measured: its threads start together, stat for a fixed time, and count.
#pragma once

#include "tools/bench/cell.h"
#include "tools/bench/fixture.h"

#include <cstdint>

namespace rcuvfs::tools::bench {

struct Measurement {
  Outcome outcome;
  uint64_t failed_stats = 0;      // stats that did not succeed (the path must exist)
  double writer_achieved = 0;     // renames per second the writer managed
  uint64_t writer_failures = 0;   // renames that failed
  // The least share of the wall time any worker spent on a CPU. Below ~0.9 other
  // processes took the CPUs from this cell and its numbers are low.
  double cpu_share = 1;
};

Measurement measure(Fixture& fx, const Cell& cell, double seconds);

}  // namespace rcuvfs::tools::bench
