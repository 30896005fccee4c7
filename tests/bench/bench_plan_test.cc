// What `rcuvfs bench --quick` (the README's main job) measures, cell by cell, within
// its minute (every mode at 1 and 2 threads, floor at 1, both workloads, spec and
// linux again with a 10 000 renames/s writer).
#include "tools/bench/plan.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>
#include <vector>

namespace {

using namespace rcuvfs::tools::bench;

using Key = std::tuple<Mode, Workload, int, double>;

std::set<Key> keys(const Plan& p) {
  std::set<Key> k;
  for (const Cell& c : p.cells) k.insert({c.mode, c.workload, c.threads, c.writer_rate});
  return k;
}

TEST(BenchPlan, QuickMeasuresEveryModeWithinAMinute) {
  BenchOptions opt;
  opt.quick = true;
  const Plan p = make_plan(opt, /*nproc=*/64);  // --quick ignores the CPU count
  std::set<Key> want;
  for (Workload w : kAllWorkloads) {
    for (Mode m : kAllModes)
      for (int t : {1, 2})
        if (m != Mode::kFloor || t == 1) want.insert({m, w, t, 0.0});
    for (Mode m : {Mode::kSpec, Mode::kLinux})
      for (int t : {1, 2}) want.insert({m, w, t, 10000.0});
  }
  EXPECT_EQ(keys(p), want);
  EXPECT_EQ(p.cells.size(), want.size()) << "a cell measured twice";
  EXPECT_EQ(p.rounds, 5);
  EXPECT_DOUBLE_EQ(p.seconds, 0.2);
  // Well inside the minute: cells x rounds x seconds, and a warm-up cell.
  EXPECT_LT(static_cast<double>(p.cells.size()) * p.rounds * p.seconds, 40.0);
  EXPECT_TRUE(p.needs_host);  // the kernel mode's tree
  // spec first: the table's ratios refer to it.
  EXPECT_EQ(p.cells.front().mode, Mode::kSpec);
}

TEST(BenchPlan, ExplicitChoicesWin) {
  BenchOptions opt;
  opt.quick = true;
  opt.modes = {"linux", "spec"};
  opt.threads = {2};
  opt.rounds = 2;
  opt.writer_rates = {1000};
  const Plan p = make_plan(opt, 2);
  EXPECT_EQ(p.rounds, 2);
  EXPECT_FALSE(p.needs_host);
  std::set<Key> want;
  for (Workload w : kAllWorkloads)
    for (Mode m : {Mode::kSpec, Mode::kLinux})
      for (double r : {0.0, 1000.0}) want.insert({m, w, 2, r});
  EXPECT_EQ(keys(p), want);
}

// The ratio column: per round, then the median; not a ratio of the medians.
TEST(BenchRatios, AreTheMedianOfEachRoundsRatio) {
  auto at = [](Mode m, double ops) {
    return Outcome{{m, Workload::kShared, 1, 0}, ops, 1e9 / ops, 1.0};
  };
  // spec's median is 200 and floor's 100 (0.5), but each round floor ran at 0.9,
  // 0.5 and 0.8 of spec: 0.8.
  const std::vector<std::vector<Outcome>> rounds{
      {at(Mode::kSpec, 100), at(Mode::kSpec, 200), at(Mode::kSpec, 300)},
      {at(Mode::kFloor, 90), at(Mode::kFloor, 100), at(Mode::kFloor, 240)},
      {at(Mode::kLinux, 50), at(Mode::kLinux, 50), at(Mode::kLinux, 50)}};
  std::vector<Outcome> outcomes;
  for (const auto& r : rounds) outcomes.push_back(median_outcome(r));
  // A cell of another setting has no spec to be compared with.
  std::vector<std::vector<Outcome>> all = rounds;
  all.push_back({at(Mode::kLinux, 1), at(Mode::kLinux, 1), at(Mode::kLinux, 1)});
  for (auto& o : all.back()) o.cell.threads = 2;
  outcomes.push_back(median_outcome(all.back()));
  set_ratios(outcomes, all);
  EXPECT_DOUBLE_EQ(outcomes[0].ratio_to_spec, 1.0);
  EXPECT_DOUBLE_EQ(outcomes[1].ratio_to_spec, 0.8);
  EXPECT_DOUBLE_EQ(outcomes[2].ratio_to_spec, 0.25);  // 0.5, 0.25, 0.1667
  EXPECT_LT(outcomes[3].ratio_to_spec, 0);
  // 2 threads of linux over its 1 thread, round by round: 1/50 each time.
  EXPECT_DOUBLE_EQ(outcomes[3].ratio_to_one_thread, 0.02);
  EXPECT_DOUBLE_EQ(outcomes[1].ratio_to_one_thread, 1.0);
}

}  // namespace
