// `rcuvfs bench` end to end: run the tool the way the README does (small sizes) and
// check the JSON it writes against the documented shape and against itself.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

// Runs `rcuvfs bench ARGS --json -` and parses standard output.
nlohmann::json run_bench(const std::string& args) {
  const std::string cmd = std::string(RCUVFS_TOOL) + " bench " + args + " --json - 2>/dev/null";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return nullptr;
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  if (status != 0) return nullptr;
  return nlohmann::json::parse(out, nullptr, false);
}

// One run of `rcuvfs bench ARGS`: its exit status and both of its streams.
struct ToolRun {
  int status = -1;
  std::string out, err;
};

ToolRun run_tool(const std::string& args) {
  char err_file[] = "/tmp/rcuvfs-bench-cli.XXXXXX";
  const int fd = ::mkstemp(err_file);
  if (fd < 0) return {};
  ::close(fd);
  // A run that should have been refused must not hang the test if it goes ahead.
  const std::string cmd = "timeout 60 " + std::string(RCUVFS_TOOL) + " bench " + args +
                          " 2>" + err_file;
  ToolRun r;
  if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
    const int ws = ::pclose(p);
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  }
  std::ifstream in(err_file);
  std::ostringstream text;
  text << in.rdbuf();
  r.err = text.str();
  ::unlink(err_file);
  return r;
}

TEST(BenchCli, StatResultsHaveTheDocumentedShape) {
  const nlohmann::json doc =
      run_bench("--modes spec,linux,floor --threads 1,2 --seconds 0.05 --rounds 2 "
                "--writer-rate 0,1000 --depth 3");
  ASSERT_TRUE(doc.is_object()) << "no JSON document";
  EXPECT_EQ(doc["depth"], 3);
  EXPECT_EQ(doc["rounds"], 2);
  EXPECT_EQ(doc["seconds_per_round"], 0.05);
  ASSERT_TRUE(doc["results"].is_array());
  std::set<std::string> cells;
  for (const auto& r : doc["results"]) {
    for (const char* key : {"mode", "threads", "workload", "writer_rate", "ops_per_sec",
                            "ns_per_op", "speculative_fraction", "ratio_to_spec",
                            "ratio_to_one_thread"})
      ASSERT_TRUE(r.contains(key)) << key << " missing in " << r.dump();
    const std::string mode = r["mode"];
    const int threads = r["threads"];
    const double ops = r["ops_per_sec"], ns = r["ns_per_op"], frac = r["speculative_fraction"];
    EXPECT_TRUE(mode == "spec" || mode == "linux" || mode == "floor") << mode;
    EXPECT_GT(ops, 0) << r.dump();
    // ns per op is per thread: threads / ops, within rounding.
    EXPECT_NEAR(ns, 1e9 * threads / ops, 1e9 * threads / ops * 0.01) << r.dump();
    EXPECT_GE(frac, 0.0);
    EXPECT_LE(frac, 1.0);
    if (mode == "linux") {
      EXPECT_EQ(frac, 0.0) << "linux mode never stats speculatively";
    }
    if (mode == "spec" && r["writer_rate"] == 0) {
      EXPECT_GT(frac, 0.99) << r.dump();
    }
    if (mode == "floor") {
      EXPECT_EQ(threads, 1) << "floor is single-threaded";
    }
    // Every setting here has its spec cell; spec over itself is 1 in every round.
    ASSERT_TRUE(r["ratio_to_spec"].is_number()) << r.dump();
    if (mode == "spec") {
      EXPECT_EQ(r["ratio_to_spec"], 1.0) << r.dump();
    } else {
      EXPECT_GT(r["ratio_to_spec"], 0.0) << r.dump();
    }
    // Every mode ran at 1 thread in each of its settings here.
    ASSERT_TRUE(r["ratio_to_one_thread"].is_number()) << r.dump();
    if (threads == 1) {
      EXPECT_EQ(r["ratio_to_one_thread"], 1.0) << r.dump();
    } else {
      EXPECT_GT(r["ratio_to_one_thread"], 0.0) << r.dump();
    }
    cells.insert(mode + "/" + std::to_string(threads) + "/" + std::string(r["workload"]) + "/" +
                 std::to_string(static_cast<long>(r["writer_rate"])));
  }
  for (const char* want : {"spec/1/shared/0", "spec/2/private/0", "linux/2/shared/0",
                           "floor/1/shared/0", "spec/1/shared/1000", "linux/1/private/1000"})
    EXPECT_TRUE(cells.count(want)) << want << " not measured";
}

TEST(BenchCli, FilesReportsBuildTimeAndMemoryForBothSides) {
  const nlohmann::json doc = run_bench("--files 3000");
  ASSERT_TRUE(doc.is_object()) << "no JSON document";
  const auto& f = doc["files"];
  EXPECT_EQ(f["count"], 3000);
  EXPECT_EQ(f["directories"], 3);
  EXPECT_GT(f["build_seconds"].get<double>(), 0.0);
  EXPECT_GT(f["bytes_per_file"].get<double>(), 0.0);
  struct statfs sfs;
  if (::statfs("/dev/shm", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC) {
    ASSERT_TRUE(doc.contains("kernel_tmpfs"));
    EXPECT_EQ(doc["kernel_tmpfs"]["count"], 3000);
    EXPECT_GT(doc["kernel_tmpfs"]["build_seconds"].get<double>(), 0.0);
  }
}

TEST(BenchCli, CacheWorkloadsStayWithinTheirBudget) {
  const nlohmann::json doc =
      run_bench("--missing 50000 --cached-names 10,20000 --host-tree 20000 --cache 1m "
                "--seconds 0.05 --rounds 2");
  ASSERT_TRUE(doc.is_object()) << "no JSON document";
  EXPECT_EQ(doc["budget"], 1 << 20);
  const auto& m = doc["missing"];
  EXPECT_EQ(m["names"], 50000);
  // The names did not fit: most were evicted, and what is charged is within budget.
  EXPECT_GT(m["cache"]["reclaimed"].get<uint64_t>(), 30000u);
  EXPECT_LE(m["cache"]["bytes"].get<uint64_t>(), 1u << 20);
  EXPECT_GT(m["path_ns_before"].get<double>(), 0.0);
  EXPECT_GT(m["path_ns_after"].get<double>(), 0.0);
  // Growing, then none again: the table grows past the names, and back.
  const auto& n = doc["cached_names"];
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0]["names"], 10);
  EXPECT_EQ(n[1]["names"], 20000);
  EXPECT_EQ(n[2]["names"], 0);
  EXPECT_GE(n[1]["buckets"].get<uint64_t>(), n[0]["buckets"].get<uint64_t>());
  EXPECT_EQ(n[2]["buckets"], n[0]["buckets"]);
  const auto& h = doc["host_tree"];
  EXPECT_EQ(h["files"], 20000);
  EXPECT_EQ(h["failed"], 0);
  EXPECT_GT(h["stats"].get<uint64_t>(), 0u);
  EXPECT_GT(h["cache"]["reclaimed"].get<uint64_t>(), 0u);
  EXPECT_LE(h["cache"]["bytes"].get<uint64_t>(), 1u << 20);
  EXPECT_GT(h["hit_rate"].get<double>(), 0.0);
  EXPECT_LT(h["hit_rate"].get<double>(), 1.0);
  EXPECT_GE(h["max_fds"].get<int>(), h["base_fds"].get<int>());
}

// The other calls: the same cells, each answered speculatively in spec mode.
TEST(BenchCli, OtherCallsAreMeasuredTheSameWay) {
  for (const std::string call :
       {"access", "statfs", "getxattr", "listxattr", "readlink", "fstat"}) {
    const nlohmann::json doc = run_bench("--call " + call +
                                         " --modes spec,linux --threads 1 --seconds 0.05 "
                                         "--rounds 2 --writer-rate 0 --depth 3");
    ASSERT_TRUE(doc.is_object()) << call << ": no JSON document";
    EXPECT_EQ(doc["call"], call);
    ASSERT_EQ(doc["results"].size(), 4u) << doc.dump();  // 2 modes x shared, private
    for (const auto& r : doc["results"]) {
      EXPECT_GT(r["ops_per_sec"].get<double>(), 0.0) << r.dump();
      if (r["mode"] == "spec") {
        EXPECT_GT(r["speculative_fraction"].get<double>(), 0.99);
      }
      if (r["mode"] == "linux") {
        EXPECT_EQ(r["speculative_fraction"].get<double>(), 0.0);
      }
    }
  }
  // The modes that only know stat, and the other workloads, are refused before a run.
  for (const std::string bad : {"--call access --modes spec,lock", "--call statfs --modes floor",
                                "--call access --files 10"}) {
    const ToolRun r = run_tool(bad + " --seconds 0.05 --rounds 1");
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find("--call"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << bad;
  }
  EXPECT_TRUE(run_bench("--call chmod").is_null());
}

TEST(BenchCli, RejectsBadOptions) {
  EXPECT_TRUE(run_bench("--modes spec,nosuchmode").is_null());
  EXPECT_TRUE(run_bench("--threads 0").is_null());
  EXPECT_TRUE(run_bench("--rounds 0").is_null());
  EXPECT_TRUE(run_bench("--missing 10 --cache 12q").is_null());
  EXPECT_TRUE(run_bench("--cached-names 10,x").is_null());
}

// A number that is not finite, or one the run cannot use, is refused before anything
// runs: status 2, a short message naming the option and the value, nothing measured.
TEST(BenchCli, RefusesNumbersOutOfRangeBeforeTheRun) {
  const std::string small = "--modes floor --threads 1 --rounds 1 --depth 1 ";
  for (const std::string bad :
       {"--seconds inf", "--seconds nan", "--seconds -5", "--seconds 0", "--seconds 2000000",
        "--writer-rate inf", "--writer-rate nan", "--writer-rate -1", "--writer-rate -0", "--writer-rate 0,1.5",
        "--rounds 1e2", "--depth 9999999999999999999"}) {
    const ToolRun r = run_tool(small + bad);
    const std::string option = bad.substr(0, bad.find(' '));
    std::string value = bad.substr(bad.find(' ') + 1);
    value = value.substr(value.rfind(',') + 1);
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find(option + ": must be a "), std::string::npos) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find("'" + value + "'"), std::string::npos) << bad << "\n" << r.err;
    EXPECT_LT(r.err.size(), 200u) << bad << "\n" << r.err;
    EXPECT_EQ(r.out, "") << bad;
  }
}

// An output file that cannot be written is found out before the run, not after it:
// the message names the file, and nothing was measured (no progress, no table).
TEST(BenchCli, UnwritableOutputFailsBeforeTheRun) {
  const std::string small = "--modes floor --threads 1 --rounds 1 --depth 1 --seconds 0.05 ";
  for (const std::string out : {"--json /nonexistent/x.json", "--plot /nonexistent/x.svg"}) {
    const ToolRun r = run_tool(small + out);
    const std::string file = out.substr(out.find(' ') + 1);
    EXPECT_EQ(r.status, 1) << out << "\n" << r.err;
    EXPECT_NE(r.err.find("rcuvfs bench: " + file + ": No such file or directory"),
              std::string::npos)
        << out << "\n" << r.err;
    EXPECT_EQ(r.err.find("floor shared"), std::string::npos) << "the run went ahead:\n" << r.err;
    EXPECT_EQ(r.out, "") << out;
  }
}

// The file is written at the end, whole, and one that existed is replaced.
TEST(BenchCli, JsonFileIsWrittenAfterTheRun) {
  char path[] = "/tmp/rcuvfs-bench-json.XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string stale(100000, 'x');
  ASSERT_EQ(::write(fd, stale.data(), stale.size()), static_cast<ssize_t>(stale.size()));
  ::close(fd);
  const ToolRun r = run_tool("--modes floor --threads 1 --rounds 1 --depth 1 --seconds 0.05 "
                             "--json " + std::string(path));
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  ::unlink(path);
  EXPECT_EQ(r.status, 0) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  ASSERT_TRUE(doc.is_object()) << text.str().substr(0, 200);
  EXPECT_EQ(doc["depth"], 1);
}

}  // namespace
