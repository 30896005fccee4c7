// Stats racing renames, exchanges (of files and of directories), unlinks, re-creations
// as other file types, attribute changes, symlink swaps and mounts, checked against the
// writers' history: the `mixed` scenario of `rcuvfs torture` (src/tools/torture), on
// memfs, recyclefs (inode objects reused at once), legacyfs (no RCU callbacks) and
// hostfs (a cache over a host directory, walked in the same RCU mode).
//
// RCUVFS_STRESS_SECONDS sets the duration of each run (default 2).
#include "tools/torture/mixed.h"

#include <rcuvfs/diagnostics.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace rcuvfs::torture {
namespace {

double seconds() {
  const char* s = std::getenv("RCUVFS_STRESS_SECONDS");
  return s ? std::atof(s) : 2.0;
}

Report run(const std::string& fs, double secs, const std::string& inject = "",
           uint64_t cache = 0) {
  Options opt;
  opt.fs = fs;
  opt.seconds = secs;
  opt.inject = inject;
  opt.cache = cache;
  Progress quiet(false);
  diag::set_inject(inject.empty() ? 0 : *parse_inject(inject));
  Report r = run_mixed(opt, quiet);
  diag::set_inject(0);
  print_summary(stdout, r);
  return r;
}

class StatRace : public ::testing::TestWithParam<std::string> {};

// Stats a run must have checked to count: hostfs asks the host for much of what it
// does, which a sanitizer build on a loaded machine slows to a few hundred stats.
uint64_t enough_stats(const std::string& fs) { return fs == "hostfs" ? 100 : 1000; }

TEST_P(StatRace, EveryStatMatchesTheHistory) {
  const Report r = run(GetParam(), seconds());
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.violations, 0u) << r.first_violation;
  EXPECT_GT(r.stats, enough_stats(GetParam()));
  EXPECT_GT(r.ops, 1000u);
  EXPECT_GT(r.renames, 0u);
  EXPECT_GT(r.unlinks, 0u);
  EXPECT_GT(r.mounts, 0u);
  if (GetParam() == "legacyfs") {
    EXPECT_EQ(r.stat_speculative, 0u);
  } else {
    // The speculative path was exercised, and so were the fallbacks.
    EXPECT_GT(r.stat_speculative, 0u);
  }
  if (GetParam() == "recyclefs") {
    EXPECT_GT(r.recycled, 0u);
  }
  EXPECT_GT(r.stat_fallback, 0u);
}

INSTANTIATE_TEST_SUITE_P(Filesystems, StatRace,
                         ::testing::Values("memfs", "recyclefs", "legacyfs", "hostfs"));

// The same with a dentry cache budget of a few entries: the shrinker evicts negative
// entries (and on hostfs every entry) while the readers walk them.
class StatRaceTinyCache : public ::testing::TestWithParam<std::string> {};

TEST_P(StatRaceTinyCache, EveryStatMatchesTheHistory) {
  const Report r = run(GetParam(), seconds(), "", 1024);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.violations, 0u) << r.first_violation;
  EXPECT_GT(r.stats, enough_stats(GetParam()));
  EXPECT_GT(r.reclaimed, 0u) << "nothing was evicted";
}

INSTANTIATE_TEST_SUITE_P(Filesystems, StatRaceTinyCache,
                         ::testing::Values("memfs", "recyclefs", "hostfs"));

// The checker itself must be able to fail. Runs until the injected bug shows (the
// scenario stops at the first violation, usually within seconds) or 120 s have passed.
TEST(StatRaceChecker, CatchesSkippedParentRecheck) {
  const Report r = run("memfs", 120, "skip-parent-recheck");
  EXPECT_EQ(r.error, "");
  EXPECT_GT(r.violations, 0u) << "the checker did not notice a walk mixing two states";
}

}  // namespace
}  // namespace rcuvfs::torture
