#include "tools/bench/cell.h"

#include <algorithm>

namespace rcuvfs::tools::bench {

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::kSpec: return "spec";
    case Mode::kLinux: return "linux";
    case Mode::kRef: return "ref";
    case Mode::kLock: return "lock";
    case Mode::kKernel: return "kernel";
    case Mode::kFloor: return "floor";
  }
  return "?";
}

std::optional<Mode> parse_mode(std::string_view name) {
  for (Mode m : kAllModes)
    if (mode_name(m) == name) return m;
  return std::nullopt;
}

bool is_rcuvfs_walk(Mode m) {
  return m == Mode::kSpec || m == Mode::kLinux || m == Mode::kRef;
}

std::string_view workload_name(Workload w) {
  return w == Workload::kShared ? "shared" : "private";
}

bool same_setting(const Cell& a, const Cell& b) {
  return a.workload == b.workload && a.threads == b.threads &&
         a.writer_rate == b.writer_rate;
}

Outcome median_outcome(std::vector<Outcome> rounds) {
  double lowest_fraction = 1.0;
  for (const Outcome& o : rounds) lowest_fraction = std::min(lowest_fraction, o.speculative_fraction);
  std::sort(rounds.begin(), rounds.end(),
            [](const Outcome& a, const Outcome& b) { return a.ops_per_sec < b.ops_per_sec; });
  Outcome m = rounds[(rounds.size() - 1) / 2];
  m.speculative_fraction = lowest_fraction;
  return m;
}

}  // namespace rcuvfs::tools::bench
