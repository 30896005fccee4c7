// The openat2 rename attack (src/tools/torture/rename_attack.h), once per scope and
// walk mode: a scoped walk of "c/../c/../..." from inside a/ while another thread
// keeps exchanging a/c and b must always end at a/ itself.
//
// RCUVFS_STRESS_SECONDS sets the duration of each run (default 2).
#include "tools/torture/rename_attack.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace rcuvfs::torture {
namespace {

double seconds() {
  const char* s = std::getenv("RCUVFS_STRESS_SECONDS");
  return s ? std::atof(s) : 2.0;
}

struct Case {
  const char* name;
  uint64_t resolve;
  Task::WalkMode mode;
};

class RenameAttack : public ::testing::TestWithParam<Case> {};

TEST_P(RenameAttack, ScopedWalkNeverEscapes) {
  const Case& c = GetParam();
  // Runs on (up to 20 s) until the race has been hit.
  const AttackOutcome o = rename_attack("memfs", {{c.resolve, c.mode}}, seconds(), 20,
                                        /*stop_on_escape=*/false, nullptr);
  std::printf("%s: %llu walks: %llu ok, %llu EAGAIN, %llu EXDEV, %llu other, %llu escapes, "
              "%llu rename_seq fallbacks\n",
              c.name, static_cast<unsigned long long>(o.attempts),
              static_cast<unsigned long long>(o.ok), static_cast<unsigned long long>(o.eagain),
              static_cast<unsigned long long>(o.exdev), static_cast<unsigned long long>(o.other),
              static_cast<unsigned long long>(o.escapes),
              static_cast<unsigned long long>(o.rename_seq_fallbacks));
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.escapes, 0u) << "first escape: " << o.first_escape;
  EXPECT_EQ(o.other, 0u);
  EXPECT_GT(o.attempts, 1000u);
  EXPECT_GT(o.ok, 0u);
  // The race must actually have been exercised: ref-walk reports it as EAGAIN, the
  // RCU walk notices rename_seq and redoes the walk with references.
  EXPECT_TRUE(o.raced());
}

INSTANTIATE_TEST_SUITE_P(
    Modes, RenameAttack,
    ::testing::Values(Case{"in_root_rcu", RESOLVE_IN_ROOT, Task::WalkMode::kSpeculative},
                      Case{"in_root_ref", RESOLVE_IN_ROOT, Task::WalkMode::kRefOnly},
                      Case{"beneath_rcu", RESOLVE_BENEATH, Task::WalkMode::kSpeculative},
                      Case{"beneath_ref", RESOLVE_BENEATH, Task::WalkMode::kRefOnly}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace rcuvfs::torture
