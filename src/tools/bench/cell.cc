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

void set_ratios(std::vector<Outcome>& outcomes, const std::vector<std::vector<Outcome>>& rounds) {
  for (size_t i = 0; i < outcomes.size(); ++i) {
    for (size_t s = 0; s < outcomes.size(); ++s) {
      if (outcomes[s].cell.mode != Mode::kSpec || !same_setting(outcomes[s].cell, outcomes[i].cell))
        continue;
      std::vector<double> r;
      for (size_t k = 0; k < rounds[i].size() && k < rounds[s].size(); ++k)
        if (rounds[s][k].ops_per_sec > 0)
          r.push_back(rounds[i][k].ops_per_sec / rounds[s][k].ops_per_sec);
      if (r.empty()) break;
      std::sort(r.begin(), r.end());
      outcomes[i].ratio_to_spec = r[(r.size() - 1) / 2];
      break;
    }
  }
}

}  // namespace rcuvfs::tools::bench
