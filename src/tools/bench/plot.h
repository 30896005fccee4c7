// Runs gnuplot to draw the chart of a run (plot_script.h says what it shows).
#pragma once

#include "tools/bench/cell.h"
#include "tools/bench/machine.h"

#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

// "" when gnuplot can be run, else what to install. Checked before a run, so that a
// missing gnuplot is not discovered only after the measurements.
std::string check_gnuplot();

// Returns an error message (gnuplot missing or failing), or "" once svg_file exists.
std::string draw_plot(const std::string& svg_file, const Machine& machine, int depth,
                      const std::vector<Outcome>& outcomes);

}  // namespace rcuvfs::tools::bench
