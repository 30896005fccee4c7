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
  for (const Outcome& o : rounds)
    lowest_fraction = std::min(lowest_fraction, o.speculative_fraction);
  std::sort(rounds.begin(), rounds.end(),
            [](const Outcome& a, const Outcome& b) { return a.ops_per_sec < b.ops_per_sec; });
  Outcome m = rounds[(rounds.size() - 1) / 2];
  m.speculative_fraction = lowest_fraction;
  return m;
}

namespace {
// The median over rounds of a's ops/s over b's; -1 without a round to compare.
double median_ratio(const std::vector<Outcome>& a, const std::vector<Outcome>& b) {
  std::vector<double> r;
  for (size_t k = 0; k < a.size() && k < b.size(); ++k)
    if (b[k].ops_per_sec > 0) r.push_back(a[k].ops_per_sec / b[k].ops_per_sec);
  if (r.empty()) return -1;
  std::sort(r.begin(), r.end());
  return r[(r.size() - 1) / 2];
}
}  // namespace

void set_ratios(std::vector<Outcome>& outcomes, const std::vector<std::vector<Outcome>>& rounds) {
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Cell& c = outcomes[i].cell;
    for (size_t j = 0; j < outcomes.size(); ++j) {
      const Cell& o = outcomes[j].cell;
      if (o.mode == Mode::kSpec && same_setting(o, c))
        outcomes[i].ratio_to_spec = median_ratio(rounds[i], rounds[j]);
      if (o.mode == c.mode && o.workload == c.workload && o.writer_rate == c.writer_rate &&
          o.threads == 1)
        outcomes[i].ratio_to_one_thread = median_ratio(rounds[i], rounds[j]);
    }
  }
}

}  // namespace rcuvfs::tools::bench
