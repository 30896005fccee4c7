#include "tools/bench/cell.h"

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

}  // namespace rcuvfs::tools::bench
