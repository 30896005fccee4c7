// The human-readable result: a header naming the machine and setup, then one row per
// cell with its throughput, latency, ratio to `spec` and speculative fraction.
#pragma once

#include "tools/bench/cell.h"
#include "tools/bench/machine.h"

#include <cstdio>
#include <vector>

namespace rcuvfs::tools::bench {

// `call`: what was measured ("stat", "access", "statfs").
void print_table(std::FILE* out, const Machine& machine, const char* call, int depth,
                 double seconds, int rounds,
                 const std::vector<Outcome>& outcomes);

}  // namespace rcuvfs::tools::bench
