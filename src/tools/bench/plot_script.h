// The gnuplot script for `rcuvfs bench --plot`: an SVG with two panels,
//   left:  ops/s of every mode, bars grouped by mode, one bar per workload and
//          thread count (no writer; log scale, as modes differ by orders of magnitude)
//   right: spec and linux throughput against the writer's rename rate (at the
//          largest thread count that ran with a writer); left out when no cell had one
#pragma once

#include "tools/bench/cell.h"
#include "tools/bench/machine.h"

#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

std::string plot_script(const std::string& svg_file, const Machine& machine, int depth,
                        const std::vector<Outcome>& outcomes);

}  // namespace rcuvfs::tools::bench
