#include "tools/bench/measure.h"

#include "tools/bench/call.h"
#include "tools/bench/writer.h"

#include <rcuvfs/diagnostics.h>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>
#include <utility>

namespace rcuvfs::tools::bench {

namespace {
using Clock = std::chrono::steady_clock;

// Checking the stop flag once per batch keeps its (shared, read-only) cache line out
// of the per-stat cost without delaying the stop noticeably.
constexpr int kBatch = 32;

struct Sync {
  explicit Sync(int threads) : ready(threads + 1), go(threads + 1) {}
  std::barrier<> ready;  // every worker has warmed up
  std::barrier<> go;     // the counters are sampled: start
  std::atomic<bool> stop{false};
};

// One per worker, on its own cache line: workers never write a shared line.
struct alignas(64) ThreadResult {
  uint64_t ops = 0;
  uint64_t failures = 0;
  double seconds = 0;      // wall time
  double cpu_seconds = 0;  // time this thread was on a CPU
};

double thread_cpu_seconds() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <class Op>
void spin(Op op, Sync& sync, ThreadResult& out) {
  // A first stat outside the measurement registers the thread with the RCU runtime
  // and warms the caches.
  if (!op()) ++out.failures;
  sync.ready.arrive_and_wait();
  sync.go.arrive_and_wait();
  const Clock::time_point start = Clock::now();
  const double cpu_start = thread_cpu_seconds();
  uint64_t ops = 0, failures = 0;
  while (!sync.stop.load(std::memory_order_relaxed)) {
    for (int i = 0; i < kBatch; ++i) failures += !op();
    ops += kBatch;
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.cpu_seconds = thread_cpu_seconds() - cpu_start;
  out.ops = ops;
  out.failures += failures;
}

Task::WalkMode walk_mode(Mode m) {
  switch (m) {
    case Mode::kLinux: return Task::WalkMode::kLinux;
    case Mode::kRef: return Task::WalkMode::kRefOnly;
    default: return Task::WalkMode::kSpeculative;  // spec; floor only uses the root
  }
}

// The body of worker `index`: the mode's stat, on its workload's path.
void worker(Fixture& fx, const Cell& cell, int index, Task* task, Sync& sync,
            ThreadResult& out) {
  const int subtree = cell.workload == Workload::kShared ? 0 : index;
  const std::string& abs = fx.abs_paths[subtree];
  Statx st;
  if (fx.call != Call::kStat) {
    if (cell.mode == Mode::kKernel) {
      KernelCall op(fx.host->root_fd(), fx.call, fx.rel_paths[subtree]);
      return spin([&] { return op(); }, sync, out);
    }
    RcuvfsCall op(*task, fx.call, abs);
    return spin([&] { return op(); }, sync, out);
  }
  switch (cell.mode) {
    case Mode::kSpec:
    case Mode::kLinux:
    case Mode::kRef:
      return spin([&] { return task->statx(AT_FDCWD, abs, 0, STATX_BASIC_STATS).ok(); },
                  sync, out);
    case Mode::kFloor:
      diag::wait_dcache_resized();  // floor_stat reads the hash table outside RCU
      return spin([&] { return diag::floor_stat(*task, abs).ok(); }, sync, out);
    case Mode::kLock:
      return spin([&] { return fx.lock_tree.stat(abs, st); }, sync, out);
    case Mode::kKernel: {
      const int fd = fx.host->root_fd();
      const char* rel = fx.rel_paths[subtree].c_str();
      return spin([&] { return ::statx(fd, rel, 0, STATX_BASIC_STATS, &st) == 0; }, sync,
                  out);
    }
  }
}

// The directories whose x_a the writer renames: every writer level of every walked
// subtree.
std::vector<std::string> writer_dirs(const TreeShape& shape, const Cell& cell) {
  const int walked = cell.workload == Workload::kShared ? 1 : cell.threads;
  std::vector<std::string> dirs;
  for (int t = 0; t < walked; ++t)
    for (int level : shape.writer_levels()) dirs.push_back(shape.dir(t, level));
  return dirs;
}
}  // namespace

Measurement measure(Fixture& fx, const Cell& cell, double seconds) {
  // One Task per thread, as separate processes would have. Made here, not in the
  // workers, so that no setup overlaps a measured stat.
  std::vector<std::unique_ptr<Task>> tasks(cell.threads);
  if (is_rcuvfs_walk(cell.mode) || cell.mode == Mode::kFloor) {
    for (auto& t : tasks) {
      t = fx.vfs->new_task();
      t->set_walk_mode(walk_mode(cell.mode));
    }
  }
  std::unique_ptr<RenameWriter> writer;
  if (cell.writer_rate > 0)
    writer = std::make_unique<RenameWriter>(*fx.vfs, writer_dirs(fx.shape, cell),
                                            cell.writer_rate);

  Sync sync(cell.threads);
  std::vector<ThreadResult> results(cell.threads);
  std::vector<std::thread> threads;
  for (int i = 0; i < cell.threads; ++i)
    threads.emplace_back(worker, std::ref(fx), std::cref(cell), i, tasks[i].get(),
                         std::ref(sync), std::ref(results[i]));
  sync.ready.arrive_and_wait();
  const Counters before = Vfs::counters();
  sync.go.arrive_and_wait();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  sync.stop.store(true, std::memory_order_relaxed);
  for (std::thread& t : threads) t.join();
  const Counters delta = Vfs::counters() - before;

  Measurement m;
  m.outcome.cell = cell;
  m.outcome.ops_per_sec = 0;
  for (const ThreadResult& r : results) {
    if (r.seconds > 0) m.outcome.ops_per_sec += static_cast<double>(r.ops) / r.seconds;
    m.failed_stats += r.failures;
    if (r.seconds > 0) m.cpu_share = std::min(m.cpu_share, r.cpu_seconds / r.seconds);
  }
  m.outcome.ns_per_op =
      m.outcome.ops_per_sec > 0 ? 1e9 * cell.threads / m.outcome.ops_per_sec : 0;
  m.outcome.speculative_fraction = 1.0;
  if (is_rcuvfs_walk(cell.mode)) {
    const auto [sc, fc] = call_counters(fx.call);
    const double spec = static_cast<double>(delta.get(sc));
    const double fallback = static_cast<double>(delta.get(fc));
    m.outcome.speculative_fraction = spec + fallback > 0 ? spec / (spec + fallback) : 0;
  }
  if (writer) {
    writer->stop();
    m.writer_achieved = writer->achieved_rate();
    m.writer_failures = writer->failures();
  }
  return m;
}

}  // namespace rcuvfs::tools::bench
