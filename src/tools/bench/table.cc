#include "tools/bench/table.h"

#include <string>

namespace rcuvfs::tools::bench {

namespace {
// 23400000 -> "23.40 M": the magnitude at a glance, three significant digits.
std::string si(double v) {
  char buf[32];
  if (v >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f G", v / 1e9);
  else if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%.2f k", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f  ", v);
  return buf;
}

std::string ratio(double r) {
  char buf[16] = "-";
  if (r >= 0) std::snprintf(buf, sizeof buf, "%.2f", r);
  return buf;
}
}  // namespace

void print_table(std::FILE* out, const Machine& machine, const char* call, int depth,
                 double seconds, int rounds, const std::vector<Outcome>& outcomes) {
  std::fprintf(out, "rcuvfs bench on %s (%d CPUs, %s)\n", machine.cpu.c_str(), machine.nproc,
               machine.kernel.c_str());
  std::fprintf(out,
               "%s of /b/t<i>/d1/.../d%d/file (%d components); each cell the median of "
               "%d interleaved rounds of %.2g s; vs spec, vs 1t: the median over rounds of "
               "ops/s over spec's in the same round and row group, over the same mode's at "
               "1 thread\n\n",
               call, depth, depth + 3, rounds, seconds);
  std::fprintf(out, "%-7s %-8s %7s %9s %11s %9s %8s %6s %10s\n", "mode", "workload", "threads",
               "writer/s", "ops/s", "ns/op", "vs spec", "vs 1t", "spec.frac");
  const Cell* prev = nullptr;
  for (const Outcome& o : outcomes) {
    // A blank line between settings groups each mode with the spec it is compared to.
    if (prev && !same_setting(*prev, o.cell)) std::fputc('\n', out);
    prev = &o.cell;
    std::fprintf(out, "%-7s %-8s %7d %9.0f %11s %9.1f %8s %6s %10.3f\n",
                 std::string(mode_name(o.cell.mode)).c_str(),
                 std::string(workload_name(o.cell.workload)).c_str(), o.cell.threads,
                 o.cell.writer_rate, si(o.ops_per_sec).c_str(), o.ns_per_op,
                 ratio(o.ratio_to_spec).c_str(), ratio(o.ratio_to_one_thread).c_str(),
                 o.speculative_fraction);
  }
}

}  // namespace rcuvfs::tools::bench
