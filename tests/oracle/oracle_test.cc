// Tests of the oracle itself (no librcuvfs needed): the normaliser, the comparator,
// the generator's determinism, and the Linux sandbox run twice on each script giving
// identical output (so that any difference the differential test reports comes from
// rcuvfs, not from the oracle).
#include "oracle/compare.h"
#include "oracle/sandbox.h"
#include "oracle/script_gen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rcuvfs::oracle {
namespace {

namespace fs = std::filesystem;

TEST(Normalize, RenumbersInoAndDevByFirstAppearance) {
  std::vector<std::string> in = {
      "ok type=dir mode=0755 nlink=2 uid=0 gid=0 size=40 ino=17 dev=0:39 rdev=0:0",
      "ok",
      "ok type=reg mode=0644 nlink=1 uid=0 gid=0 size=0 ino=5 dev=0:40 rdev=1:3",
      "ok type=reg mode=0644 nlink=1 uid=0 gid=0 size=0 ino=17 dev=0:39 rdev=0:0",
      "ok ino=5 dev=1"};
  std::vector<std::string> want = {
      "ok type=dir mode=0755 nlink=2 uid=0 gid=0 size=40 ino=1 dev=1 rdev=0:0", "ok",
      "ok type=reg mode=0644 nlink=1 uid=0 gid=0 size=0 ino=2 dev=2 rdev=1:3",
      "ok type=reg mode=0644 nlink=1 uid=0 gid=0 size=0 ino=1 dev=1 rdev=0:0",
      "ok ino=5 dev=1"};
  EXPECT_EQ(normalize(in), want);
}

TEST(Compare, PairsLinesSkipsStatsAndReportsExtras) {
  std::vector<std::string> script = {"# c", "mkdir a", "", "stats", "at 3 stat a", "ls /"};
  EXPECT_TRUE(compare_outputs(script, {"ok", "ok x=1", "err EBADF", "ok a"},
                              {"ok", "ok", "err EBADF", "ok a"})
                  .empty());
  auto m = compare_outputs(script, {"ok", "ok", "err EBADF", "ok b"},
                           {"ok", "ok", "err EBADF", "ok a"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].script_line, 6u);
  EXPECT_EQ(m[0].rcuvfs, "ok b");
  EXPECT_EQ(m[0].linux_out, "ok a");
  m = compare_outputs(script, {"ok", "ok"}, {"ok", "ok", "err EBADF", "ok a"});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].rcuvfs, "<missing>");
  EXPECT_NE(describe(m).find("at 3 stat a"), std::string::npos);
}

TEST(Generator, IsDeterministic) {
  EXPECT_EQ(generate_script(42, 60), generate_script(42, 60));
  EXPECT_NE(generate_script(42, 60), generate_script(43, 60));
  EXPECT_GE(generate_script(1, 60).size(), 60u);
}

bool linux_available(std::string* why) {
  auto run = run_on_linux({"stat /"});
  if (!run.started) *why = run.setup_error;
  return run.started;
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return split_lines(ss.str());
}

TEST(LinuxSandbox, RunsAScript) {
  std::string why;
  if (!linux_available(&why)) GTEST_SKIP() << "Linux oracle unavailable: " << why;
  auto run = run_on_linux({"# comment", "mkdir a", "stat a", "ls /", "open a", "fdpath 3",
                           "frob"});
  ASSERT_TRUE(run.started);
  EXPECT_EQ(run.exit_status, 1);
  ASSERT_EQ(run.output.size(), 6u);
  EXPECT_EQ(run.output[0], "ok");
  EXPECT_EQ(run.output[1].rfind("ok type=dir mode=0755 nlink=2 uid=0 gid=0 size=40 ", 0),
            0u);
  EXPECT_EQ(run.output[2], "ok a");
  EXPECT_EQ(run.output[3], "ok fd=3");
  EXPECT_EQ(run.output[4], "ok /a");
  EXPECT_EQ(run.output[5].rfind("bad ", 0), 0u);
}

TEST(LinuxSandbox, BlockingLineIsReported) {
  std::string why;
  if (!linux_available(&why)) GTEST_SKIP() << "Linux oracle unavailable: " << why;
  auto run = run_on_linux({"mknod p fifo", "read p"}, 1);
  EXPECT_FALSE(run.started);
  EXPECT_NE(run.setup_error.find("signal"), std::string::npos) << run.setup_error;
}

TEST(LinuxSandbox, IsDeterministic) {
  std::string why;
  if (!linux_available(&why)) GTEST_SKIP() << "Linux oracle unavailable: " << why;
  std::vector<std::vector<std::string>> scripts;
  for (const auto& e : fs::directory_iterator(RCUVFS_SHELL_SCRIPTS_DIR))
    if (e.path().extension() == ".sh") scripts.push_back(read_lines(e.path()));
  for (uint64_t seed = 1; seed <= 20; ++seed) scripts.push_back(generate_script(seed, 60));
  for (const auto& script : scripts) {
    auto a = run_on_linux(script);
    auto b = run_on_linux(script);
    ASSERT_TRUE(a.started) << a.setup_error << "\n" << script[0];
    ASSERT_TRUE(b.started) << b.setup_error;
    auto m = compare_outputs(script, a.output, b.output);
    EXPECT_TRUE(m.empty()) << script[0] << "\n" << describe(m);
  }
}

}  // namespace
}  // namespace rcuvfs::oracle
