// `rcuvfs bench`, once its options are valid: measures what they ask for and reports
// it (table, JSON, chart).
#pragma once

#include "tools/bench/options.h"

namespace rcuvfs::tools::bench {

// The exit status: 0, or 1 when the run could not be done or found a failed stat.
int run_bench(const BenchOptions& opt);

}  // namespace rcuvfs::tools::bench
