// Which cells a run measures, in the order the table shows them.
#pragma once

#include "tools/bench/cell.h"
#include "tools/bench/options.h"

#include <vector>

namespace rcuvfs::tools::bench {

struct Plan {
  std::vector<Cell> cells;
  double seconds;     // per cell and round
  int rounds;         // every cell is measured once per round, rounds interleaved
  int subtrees;       // one per thread of the widest cell, at least 4
  bool needs_host;    // kernel mode runs or rcuvfs is on hostfs: build the host tree
};

// `nproc` sets the default thread counts of a full run (powers of two up to it).
Plan make_plan(const BenchOptions& opt, int nproc);

}  // namespace rcuvfs::tools::bench
