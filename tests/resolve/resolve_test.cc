// Differential test of the openat2(2) RESOLVE_* flags: the cases of the kernel's
// openat2 resolve selftest (tools/testing/selftests/openat2/resolve_test.c), rebuilt
// here, plus extra ones, run on the real kernel (tmpfs in a private mount namespace)
// and on rcuvfs (memfs), in both rcuvfs walk modes. Each case must give the same
// errno in both worlds, or succeed in both with the same path (from the tree root).
//
// RESOLVE_CACHED: the kernel's answer depends on its dcache, so a kernel EAGAIN is
// never held against rcuvfs. Each cached lookup is preceded by an ordinary one (which
// warms both dcaches); in the default walk mode rcuvfs must then give the kernel's
// answer (or, where the kernel said EAGAIN, the answer of the uncached lookup, unless
// rcuvfs too says EAGAIN: then the case is skipped). RESOLVE_CACHED asks for an
// RCU-mode walk, so it takes precedence over the task's kRefOnly mode: both modes
// are judged alike.
#include "resolve/cases.h"
#include "resolve/linux_world.h"
#include "resolve/rcuvfs_world.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace rcuvfs::resolve_test {
namespace {

const LinuxRun& linux_run() {
  static const LinuxRun run = run_on_linux(resolve_cases());
  return run;
}

bool is_cached(const ResolveCase& c) { return c.resolve & RESOLVE_CACHED; }
bool is_mutating(const ResolveCase& c) { return c.flags & (O_CREAT | O_TRUNC); }

std::string mode_name(Task::WalkMode m) {
  switch (m) {
    case Task::WalkMode::kSpeculative: return "default";
    case Task::WalkMode::kLinux: return "kLinux";
    case Task::WalkMode::kRefOnly: return "kRefOnly";
  }
  return "?";
}

std::string case_label(const ResolveCase& c) {
  char res[32];
  std::snprintf(res, sizeof res, "0x%llx", static_cast<unsigned long long>(c.resolve));
  char fl[32];
  std::snprintf(fl, sizeof fl, "0%llo", static_cast<unsigned long long>(c.flags));
  return c.name + " {dir='" + (c.dir.empty() ? "<root>" : c.dir) + "' path='" + c.path +
         "' flags=" + fl + " resolve=" + res + "}";
}

struct Verdict {
  enum Kind { kMatch, kMismatch, kSkipped } kind;
  std::string linux_side;  // what rcuvfs was held against
  std::string note;
};

Verdict judge(const ResolveCase& c, const CaseRun& lx, const CaseRun& rv) {
  if (!is_cached(c)) {
    return {rv.main == lx.main ? Verdict::kMatch : Verdict::kMismatch, describe(lx.main), ""};
  }
  if (lx.main.err != EAGAIN || is_mutating(c)) {
    return {rv.main == lx.main ? Verdict::kMatch : Verdict::kMismatch, describe(lx.main), ""};
  }
  // The kernel refused to stay in RCU mode.
  if (rv.main.err == EAGAIN || !lx.warmed)
    return {Verdict::kSkipped, describe(lx.main), "kernel EAGAIN (dcache-dependent)"};
  return {rv.main == lx.warm ? Verdict::kMatch : Verdict::kMismatch,
          describe(lx.main) + "; uncached: " + describe(lx.warm),
          "kernel EAGAIN (dcache-dependent): rcuvfs held against the uncached lookup"};
}

struct Tally {
  int compared = 0, matched = 0, skipped = 0;
};
Tally g_total;

class SummaryPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    std::printf("[resolve] total over both walk modes: %d cases compared, %d matched, "
                "%d mismatched, %d skipped (kernel RESOLVE_CACHED EAGAIN); %zu selftest "
                "cases not applicable (procfs magic links)\n",
                g_total.compared, g_total.matched, g_total.compared - g_total.matched,
                g_total.skipped, skipped_selftest_cases().size());
  }
};
const auto* const g_env = ::testing::AddGlobalTestEnvironment(new SummaryPrinter);

bool verbose() { return std::getenv("RESOLVE_TEST_VERBOSE") != nullptr; }

void require_linux() {
  const LinuxRun& lx = linux_run();
  if (!lx.started) GTEST_SKIP() << "kernel side unavailable: " << lx.setup_error;
}

void run_mode(Task::WalkMode mode) {
  const auto& cases = resolve_cases();
  const LinuxRun& lx = linux_run();
  RcuvfsWorld world(mode);
  ASSERT_TRUE(world.ok()) << world.error();
  std::vector<CaseRun> rv = run_cases(world, cases);
  ASSERT_EQ(rv.size(), cases.size());

  Tally t;
  for (size_t i = 0; i < cases.size(); ++i) {
    const ResolveCase& c = cases[i];
    Verdict v = judge(c, lx.runs[i], rv[i]);
    if (v.kind == Verdict::kSkipped) {
      ++t.skipped;
      std::printf("[resolve %s] SKIP %s: kernel %s, rcuvfs %s\n", mode_name(mode).c_str(),
                  case_label(c).c_str(), v.linux_side.c_str(), describe(rv[i].main).c_str());
      continue;
    }
    ++t.compared;
    if (v.kind == Verdict::kMatch) {
      ++t.matched;
      if (verbose())
        std::printf("[resolve %s] ok   %s: %s\n", mode_name(mode).c_str(),
                    case_label(c).c_str(), describe(rv[i].main).c_str());
    } else {
      ADD_FAILURE() << "[" << mode_name(mode) << " walk] MISMATCH " << case_label(c)
                    << "\n  linux : " << v.linux_side << "\n  rcuvfs: " << describe(rv[i].main)
                    << (v.note.empty() ? "" : "\n  note  : " + v.note);
    }
    // The selftest's own expectation, when the kernel met it and rcuvfs was not
    // already reported as differing (the kernel side is checked separately).
    if (v.kind == Verdict::kMatch && c.expect && !is_cached(c) && !(rv[i].main == *c.expect) &&
        lx.runs[i].main == *c.expect) {
      ADD_FAILURE() << "[" << mode_name(mode) << " walk] expected " << describe(*c.expect)
                    << " for " << case_label(c) << ", rcuvfs gave " << describe(rv[i].main);
    }
  }
  std::printf("[resolve %s] %d cases compared, %d matched, %d mismatched, %d skipped\n",
              mode_name(mode).c_str(), t.compared, t.matched, t.compared - t.matched, t.skipped);
  g_total.compared += t.compared;
  g_total.matched += t.matched;
  g_total.skipped += t.skipped;
}

// The harness itself: the kernel must give what the selftest (or our analogue of
// it) expects, or the tree or the case table is wrong.
TEST(ResolveDifferential, KernelMeetsExpectations) {
  require_linux();
  const auto& cases = resolve_cases();
  const LinuxRun& lx = linux_run();
  int checked = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const ResolveCase& c = cases[i];
    if (!c.expect) continue;
    const CaseRun& r = lx.runs[i];
    const Outcome& got = (is_cached(c) && r.main.err == EAGAIN && r.warmed) ? r.warm : r.main;
    ++checked;
    EXPECT_TRUE(got == *c.expect) << "kernel: " << case_label(c) << "\n  expected "
                                  << describe(*c.expect) << "\n  got      " << describe(got);
  }
  std::printf("[resolve kernel] %d expectations checked\n", checked);
}

TEST(ResolveDifferential, DefaultWalk) {
  require_linux();
  if (IsSkipped()) return;
  run_mode(Task::WalkMode::kSpeculative);
}

TEST(ResolveDifferential, RefOnlyWalk) {
  require_linux();
  if (IsSkipped()) return;
  run_mode(Task::WalkMode::kRefOnly);
}

TEST(ResolveDifferential, ListsNotApplicableSelftestCases) {
  for (const std::string& s : skipped_selftest_cases())
    std::printf("[resolve] not applicable: %s\n", s.c_str());
  SUCCEED();
}

}  // namespace
}  // namespace rcuvfs::resolve_test
