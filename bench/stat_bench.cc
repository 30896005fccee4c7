// Micro-benchmarks of stat of a depth-8 path (/b/t<i>/d1/.../d8/file) in each Task
// walk mode, at 1 and 2 threads: one namespace shared by all threads, one Task per
// thread. `shared`: every thread stats b/t0/...; `private`: thread i stats b/t<i>/....
// The counter spec_frac is the share of stats that completed without leaving RCU.
// BM_StatInDirOf/N: stat of one file in a directory of N entries.
// BM_Call/C: each read-only call on that file, speculative, one thread, so that with
//   --benchmark_enable_random_interleaving=true --benchmark_repetitions=5 they run
//   side by side in one process (stat, access, statfs, getxattr, listxattr, readlink
//   of a symlink beside the file, fstat of an O_PATH descriptor of it).
// BM_HostfsStat/watch:fanotify, /watch:inotify and /watch:0: the same stat on hostfs
//   (ttl=3600) serving one host tree (under /dev/shm), with each source of host
//   changes and without, to run side by side the same way: what following the host
//   costs a cached stat.
//
// `rcuvfs bench` compares the modes with the baselines; this is the tool for
// looking at one of them closely (perf record -- rcuvfs_stat_bench --benchmark_filter=...).
#include "tools/bench/call.h"
#include "tools/bench/fixture.h"
#include "tools/bench/host_tree.h"
#include "tools/bench/vfs_tree.h"

#include <rcuvfs/vfs.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using rcuvfs::Counter;
using rcuvfs::Task;
using rcuvfs::tools::bench::Call;
using rcuvfs::tools::bench::call_counters;
using rcuvfs::tools::bench::call_name;
using rcuvfs::tools::bench::kBenchLinkSuffix;
using rcuvfs::tools::bench::kBenchXattr;
using rcuvfs::tools::bench::kBenchXattrValue;
using rcuvfs::tools::bench::RcuvfsCall;
using rcuvfs::tools::bench::TreeShape;

constexpr int kDepth = 8;
constexpr int kSubtrees = 4;

// Built once, on first use, and shared by every benchmark and thread.
rcuvfs::Vfs& namespace_under_test() {
  static rcuvfs::Vfs* vfs = [] {
    auto v = rcuvfs::Vfs::create("memfs");
    if (!v.ok()) {
      std::fprintf(stderr, "cannot create a memfs namespace\n");
      std::exit(1);
    }
    std::string err = rcuvfs::tools::bench::build_vfs_tree(*(*v)->new_task(),
                                                            TreeShape(kDepth, kSubtrees));
    if (!err.empty()) {
      std::fprintf(stderr, "%s\n", err.c_str());
      std::exit(1);
    }
    return v->release();  // lives until exit: threads may still be winding down
  }();
  return *vfs;
}

// The timed loop: one stat per iteration, of `paths` in turn (their count a power of
// two, so that taking turns costs one AND).
void stat_loop(benchmark::State& state, Task& task, const std::vector<std::string>& paths) {
  const size_t mask = paths.size() - 1;
  size_t next = 0;
  for (auto _ : state) {
    auto st = task.statx(AT_FDCWD, paths[next], 0, STATX_BASIC_STATS);
    if (!st.ok()) {
      state.SkipWithError("stat failed");
      break;
    }
    benchmark::DoNotOptimize(st);
    next = (next + 1) & mask;
  }
}

void BM_Stat(benchmark::State& state, Task::WalkMode mode, bool private_paths) {
  auto task = namespace_under_test().new_task();
  task->set_walk_mode(mode);
  const int subtree = private_paths ? state.thread_index() % kSubtrees : 0;
  std::string path = "/";  // (not "/" + ...: g++ 12 warns about that, PR105651)
  path += TreeShape(kDepth, kSubtrees).file(subtree);

  // The counters are process-wide: thread 0 samples them outside the loop, where
  // Google Benchmark holds every thread at a barrier, so the delta covers exactly the
  // timed stats of all threads.
  rcuvfs::Counters before;
  if (state.thread_index() == 0) before = rcuvfs::Vfs::counters();
  stat_loop(state, *task, {path});
  if (state.thread_index() == 0) {
    const rcuvfs::Counters d = rcuvfs::Vfs::counters() - before;
    const double spec = static_cast<double>(d.get(Counter::kStatSpeculative));
    const double total = spec + static_cast<double>(d.get(Counter::kStatFallback));
    // Only thread 0 reports it: user counters are summed over threads.
    state.counters["spec_frac"] = total > 0 ? spec / total : 0;
  }
}

// Stat of one file in a directory of `entries` files: the dcache hash should make
// the cost independent of the directory's size.
void BM_StatInDirOf(benchmark::State& state) {
  const auto entries = static_cast<int>(state.range(0));
  auto v = rcuvfs::Vfs::create("memfs");
  if (!v.ok()) {
    state.SkipWithError("cannot create a memfs namespace");
    return;
  }
  auto task = (*v)->new_task();
  if (!task->mkdirat(AT_FDCWD, "/d", 0755).ok()) {
    state.SkipWithError("mkdir failed");
    return;
  }
  for (int i = 0; i < entries; ++i)
    if (!task->mknodat(AT_FDCWD, "/d/f" + std::to_string(i), S_IFREG | 0644, 0).ok()) {
      state.SkipWithError("mknod failed");
      return;
    }
  // Eight names spread over the directory, in turn: one name alone would measure how
  // long its particular hash chain happens to be.
  std::vector<std::string> paths;
  for (int i = 0; i < 8; ++i) paths.push_back("/d/f" + std::to_string(i * entries / 8));
  stat_loop(state, *task, paths);
  task.reset();
}

// One of the read-only calls on the depth-8 file of subtree 0 (its symlink for
// readlink, an O_PATH descriptor of it for fstat), spec_frac as BM_Stat's for the
// call's own counters.
void BM_Call(benchmark::State& state, Call call) {
  auto task = namespace_under_test().new_task();
  std::string path = "/";
  path += TreeShape(kDepth, kSubtrees).file(0);
  static const bool made = [&] {
    auto t = namespace_under_test().new_task();
    return t->setxattr(path, kBenchXattr, kBenchXattrValue).ok() &&
           t->symlinkat("file", AT_FDCWD, path + kBenchLinkSuffix).ok();
  }();
  if (!made) {
    state.SkipWithError("cannot set the attribute or make the symlink");
    return;
  }
  RcuvfsCall one(*task, call, path);
  const auto [spec_c, fallback_c] = call_counters(call);
  const rcuvfs::Counters before = rcuvfs::Vfs::counters();
  for (auto _ : state) {
    if (!one()) {
      state.SkipWithError("the call failed");
      break;
    }
  }
  const rcuvfs::Counters d = rcuvfs::Vfs::counters() - before;
  const double spec = static_cast<double>(d.get(spec_c));
  const double total = spec + static_cast<double>(d.get(fallback_c));
  state.counters["spec_frac"] = total > 0 ? spec / total : 0;
}

// hostfs over one host tree (made once), with or without the host watch; built on
// first use and kept until exit, as namespace_under_test.
rcuvfs::Vfs& hostfs_under_test(const std::string& watch) {
  static rcuvfs::tools::bench::HostTree* tree = [] {
    std::string err;
    const char* parent = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    auto t = rcuvfs::tools::bench::HostTree::create(TreeShape(kDepth, kSubtrees), &err, parent);
    if (!t) {
      std::fprintf(stderr, "%s\n", err.c_str());
      std::exit(1);
    }
    return t.release();
  }();
  static std::map<std::string, rcuvfs::Vfs*> each;  // single-threaded benchmarks, one at a time
  rcuvfs::Vfs*& vfs = each[watch];
  if (!vfs) {
    auto v = rcuvfs::Vfs::create("hostfs", "ttl=3600,watch=" + watch + ",dir=" + tree->dir());
    if (!v.ok()) {
      std::fprintf(stderr, "cannot create a hostfs namespace (watch=%s) over %s\n",
                   watch.c_str(), tree->dir().c_str());
      std::exit(1);
    }
    vfs = v->release();
  }
  return *vfs;
}

void BM_HostfsStat(benchmark::State& state, const std::string& watch) {
  auto task = hostfs_under_test(watch).new_task();
  std::string path = "/";
  path += TreeShape(kDepth, kSubtrees).file(0);
  stat_loop(state, *task, {path});
}

void register_all() {
  for (const char* watch : {"fanotify", "inotify", "0"})
    benchmark::RegisterBenchmark((std::string("BM_HostfsStat/watch:") + watch).c_str(),
                                 BM_HostfsStat, std::string(watch))
        ->Unit(benchmark::kNanosecond);
  for (Call c : {Call::kStat, Call::kAccess, Call::kStatfs, Call::kGetxattr, Call::kListxattr,
                 Call::kReadlink, Call::kFstat})
    benchmark::RegisterBenchmark((std::string("BM_Call/") + call_name(c)).c_str(), BM_Call, c)
        ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("BM_StatInDirOf", BM_StatInDirOf)
      ->Arg(10)
      ->Arg(1000)
      ->Arg(1000000)
      ->Unit(benchmark::kNanosecond);
  const struct {
    const char* name;
    Task::WalkMode mode;
  } modes[] = {{"spec", Task::WalkMode::kSpeculative},
               {"linux", Task::WalkMode::kLinux},
               {"ref", Task::WalkMode::kRefOnly}};
  for (const auto& m : modes) {
    for (bool priv : {false, true}) {
      std::string name = std::string("BM_Stat/") + m.name + (priv ? "/private" : "/shared");
      benchmark::RegisterBenchmark(name.c_str(), BM_Stat, m.mode, priv)
          ->Threads(1)
          ->Threads(2)
          ->UseRealTime();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
