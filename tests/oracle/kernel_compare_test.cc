// Differential test: every script of tests/shell/scripts/*.sh, and a few hundred
// random scripts, run on rcuvfs (memfs, hostfs over a tmpfs directory, etcd) and on the
// Linux kernel (tmpfs in a private mount namespace); the outputs must agree line by
// line once inode and device numbers are renumbered by order of first appearance.
//
// Environment knobs: RCUVFS_RANDOM_SCRIPTS (default 200), RCUVFS_RANDOM_LINES
// (default 60), RCUVFS_RANDOM_SEED (first seed, default 1).
#include "oracle/compare.h"
#include "oracle/rcuvfs_run.h"
#include "oracle/sandbox.h"
#include "oracle/script_gen.h"

#include "common/etcd_cluster.h"
#include "common/host_dir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rcuvfs::oracle {
namespace {

namespace fs = std::filesystem;

const char* linux_unavailable() {
  static const std::string reason = [] {
    auto run = run_on_linux({"stat /"});
    return run.started ? std::string()
                       : "the Linux oracle cannot start (needs root and mount "
                         "namespaces): " + run.setup_error;
  }();
  return reason.empty() ? nullptr : reason.c_str();
}

size_t env_or(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return split_lines(ss.str());
}

std::string numbered(const std::vector<std::string>& script) {
  std::string s;
  for (size_t i = 0; i < script.size(); ++i) {
    std::string line = script[i].size() > 200 ? script[i].substr(0, 200) + "..." : script[i];
    s += "  " + std::to_string(i + 1) + "\t" + line + "\n";
  }
  return s;
}

// Where the rcuvfs side runs: memfs, hostfs over a scratch directory of a tmpfs, or
// the etcd filesystem under a fresh prefix of the test cluster.
enum class Root { kMemfs, kHostfs, kEtcd };

RcuvfsRun run_rcuvfs(const std::vector<std::string>& script, Root root) {
  if (root == Root::kMemfs) return run_on_rcuvfs(script);
  if (root == Root::kEtcd) {
    const std::string eps = rcuvfs_test::etcd_endpoints();
    if (eps.empty()) {
      RcuvfsRun r;
      r.setup_error = "no etcd cluster (scripts/etcd-cluster.sh failed)";
      return r;
    }
    return run_on_rcuvfs(script, "etcd", eps + ",prefix=" + rcuvfs_test::etcd_prefix());
  }
  rcuvfs_test::HostDir dir;
  if (dir.path().empty()) {
    RcuvfsRun r;
    r.setup_error = "no scratch directory for hostfs";
    return r;
  }
  return run_on_rcuvfs(script, "hostfs", "dir=" + dir.path());
}

// Empty when both agree; otherwise a report.
std::string differential(const std::vector<std::string>& script, Root root = Root::kMemfs) {
  auto lin = run_on_linux(script);
  if (!lin.started) return "Linux run failed: " + lin.setup_error + "\n";
  auto rcu = run_rcuvfs(script, root);
  if (!rcu.started) return "rcuvfs run failed: " + rcu.setup_error + "\n";
  auto mismatches = compare_outputs(script, rcu.output, lin.output);
  if (mismatches.empty()) return {};
  return std::to_string(mismatches.size()) + " mismatching line(s); the first is the " +
         "interesting one, later ones may follow from it:\n" + describe(mismatches);
}

std::vector<std::string> script_files() {
  std::vector<std::string> files;
  fs::path dir = RCUVFS_SHELL_SCRIPTS_DIR;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".sh") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

class ScriptCompare : public ::testing::TestWithParam<std::string> {};

TEST_P(ScriptCompare, MatchesLinux) {
  if (const char* why = linux_unavailable()) GTEST_SKIP() << why;
  auto script = read_lines(fs::path(RCUVFS_SHELL_SCRIPTS_DIR) / GetParam());
  std::string report = differential(script);
  EXPECT_TRUE(report.empty()) << GetParam() << ": " << report;
}

// The same scripts with hostfs as the root, serving a directory of a tmpfs.
TEST_P(ScriptCompare, MatchesLinuxOnHostfs) {
  if (const char* why = linux_unavailable()) GTEST_SKIP() << why;
  auto script = read_lines(fs::path(RCUVFS_SHELL_SCRIPTS_DIR) / GetParam());
  std::string report = differential(script, Root::kHostfs);
  EXPECT_TRUE(report.empty()) << GetParam() << " (hostfs): " << report;
}

// The same scripts with the etcd filesystem as the root.
TEST_P(ScriptCompare, MatchesLinuxOnEtcd) {
  if (const char* why = linux_unavailable()) GTEST_SKIP() << why;
  auto script = read_lines(fs::path(RCUVFS_SHELL_SCRIPTS_DIR) / GetParam());
  std::string report = differential(script, Root::kEtcd);
  EXPECT_TRUE(report.empty()) << GetParam() << " (etcd): " << report;
}

INSTANTIATE_TEST_SUITE_P(Scripts, ScriptCompare, ::testing::ValuesIn(script_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 3);
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

void random_compare(Root root, size_t default_count) {
  const size_t count = env_or("RCUVFS_RANDOM_SCRIPTS", default_count);
  const size_t lines = env_or("RCUVFS_RANDOM_LINES", 60);
  const size_t first = env_or("RCUVFS_RANDOM_SEED", 1);
  size_t failures = 0;
  for (size_t seed = first; seed < first + count; ++seed) {
    auto script = generate_script(seed, lines);
    std::string report = differential(script, root);
    if (report.empty()) continue;
    ++failures;
    if (failures <= 5)
      ADD_FAILURE() << "seed " << seed << " (rerun: RCUVFS_RANDOM_SEED=" << seed
                    << " RCUVFS_RANDOM_SCRIPTS=1): " << report << "script:\n"
                    << numbered(script);
  }
  EXPECT_EQ(failures, 0u) << failures << " of " << count << " random scripts differ";
}

TEST(RandomCompare, MatchesLinux) {
  if (const char* why = linux_unavailable()) GTEST_SKIP() << why;
  random_compare(Root::kMemfs, 200);
}

TEST(RandomCompare, MatchesLinuxOnHostfs) {
  if (const char* why = linux_unavailable()) GTEST_SKIP() << why;
  random_compare(Root::kHostfs, 100);
}

TEST(RandomCompare, MatchesLinuxOnEtcd) {
  if (const char* why = linux_unavailable()) GTEST_SKIP() << why;
  random_compare(Root::kEtcd, 100);
}

}  // namespace
}  // namespace rcuvfs::oracle
