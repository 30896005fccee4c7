// The vocabulary of `rcuvfs bench`: what is measured (a Cell) and what came out (an
// Outcome). Every other part of the benchmark speaks in these terms.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

namespace rcuvfs::tools::bench {

// How a stat is done: spec, linux and ref are rcuvfs Task walk modes; the others are
// the baselines they are compared against. In the order cells are measured and
// listed: floor, the tightest comparison, runs right after spec.
enum class Mode {
  kSpec,    // RCU walk + speculative getattr (the rcuvfs default)
  kFloor,   // rcuvfs::diag::floor_stat: lookups and nothing else (1 thread, no writer)
  kLinux,   // RCU walk, then references for a blocking getattr (Linux today)
  kRef,     // reference-counted walk of every component
  kLock,    // a plain tree under one global reader-writer lock
  kKernel,  // the host kernel's statx(2) on the same tree in tmpfs
};
inline constexpr std::array kAllModes{Mode::kSpec, Mode::kFloor, Mode::kLinux,
                                      Mode::kRef,  Mode::kLock,  Mode::kKernel};

std::string_view mode_name(Mode m);
std::optional<Mode> parse_mode(std::string_view name);
// Served by an rcuvfs walker: the writer can race it and its counters mean something.
bool is_rcuvfs_walk(Mode m);

// Which path each thread stats.
enum class Workload {
  kShared,   // all threads the same path (b/t0/...): contended cache lines
  kPrivate,  // thread i its own subtree (b/t<i>/...): nothing shared but the top
};
inline constexpr std::array kAllWorkloads{Workload::kShared, Workload::kPrivate};
std::string_view workload_name(Workload w);

struct Cell {
  Mode mode;
  Workload workload;
  int threads;
  double writer_rate;  // renames per second; 0: no writer
};

struct Outcome {
  Cell cell;
  double ops_per_sec;  // summed over threads
  double ns_per_op;    // per thread: threads / ops_per_sec
  // Share of stats that finished without leaving RCU mode; 1 for modes that have no
  // fallback (lock, kernel, floor).
  double speculative_fraction;
  // ops/s over those of spec in the same setting, and over those of the same mode
  // with 1 thread (workload and writer alike): see set_ratios. -1 when not measured.
  double ratio_to_spec = -1;
  double ratio_to_one_thread = -1;
};

// Same workload, thread count and writer rate: the cells a ratio compares.
bool same_setting(const Cell& a, const Cell& b);

// One cell's rounds as one outcome: the median throughput (the middle round; for an
// even count the lower middle), and the lowest speculative fraction of any round.
Outcome median_outcome(std::vector<Outcome> rounds);

// outcomes[i]'s ratios from rounds[i] (cell i's rounds, in order): the median over
// rounds of the cell's ops/s over the other cell's in the same round. A round's cells
// ran moments apart, so a slow spell of a shared machine slows both: the ratio of one
// round is steadier than either figure, and steadier than a ratio of medians.
void set_ratios(std::vector<Outcome>& outcomes, const std::vector<std::vector<Outcome>>& rounds);

}  // namespace rcuvfs::tools::bench
