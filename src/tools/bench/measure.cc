#include "tools/bench/measure.h"

#include "tools/bench/writer.h"

#include <rcuvfs/diagnostics.h>

#include <sys/syscall.h>
#include <sys/vfs.h>
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

// The call's speculative and fallback counters.
std::pair<Counter, Counter> call_counters(Call c) {
  switch (c) {
    case Call::kAccess: return {Counter::kAccessSpeculative, Counter::kAccessFallback};
    case Call::kStatfs: return {Counter::kStatfsSpeculative, Counter::kStatfsFallback};
    case Call::kGetxattr: return {Counter::kGetxattrSpeculative, Counter::kGetxattrFallback};
    case Call::kListxattr: return {Counter::kListxattrSpeculative, Counter::kListxattrFallback};
    case Call::kReadlink: return {Counter::kReadlinkSpeculative, Counter::kReadlinkFallback};
    case Call::kStat: break;
  }
  return {Counter::kStatSpeculative, Counter::kStatFallback};
}

// The body of a worker measuring a call other than stat: rcuvfs's (in its walk mode)
// or the kernel's. Linux has no statfs relative to a descriptor: the kernel's goes
// through /proc/self/fd/N of the tree's root, one more lookup than rcuvfs walks; its
// *xattrat calls take the root's descriptor as rcuvfs's take the path.
void call_worker(Fixture& fx, const Cell& cell, int subtree, Task* task, Sync& sync,
                 ThreadResult& out) {
  const std::string& abs = fx.abs_paths[subtree];
  char buf[256];
  if (cell.mode != Mode::kKernel) {
    switch (fx.call) {
      case Call::kAccess:
        return spin([&] { return task->faccessat2(AT_FDCWD, abs, R_OK).ok(); }, sync, out);
      case Call::kGetxattr:
        return spin(
            [&] { return task->getxattr(abs, kBenchXattr, buf, sizeof buf).ok(); }, sync, out);
      case Call::kListxattr:
        return spin([&] { return task->listxattr(abs, buf, sizeof buf).ok(); }, sync, out);
      case Call::kReadlink: {
        const std::string link = abs + kBenchLinkSuffix;
        return spin([&] { return task->readlinkat(AT_FDCWD, link).ok(); }, sync, out);
      }
      default: return spin([&] { return task->statfs(abs).ok(); }, sync, out);
    }
  }
  const int fd = fx.host->root_fd();
  const char* rel = fx.rel_paths[subtree].c_str();
  switch (fx.call) {
    case Call::kAccess:
      return spin([&] { return ::faccessat(fd, rel, R_OK, 0) == 0; }, sync, out);
    case Call::kGetxattr: {
      struct {
        uint64_t value;
        uint32_t size, flags;
      } args{reinterpret_cast<uintptr_t>(buf), sizeof buf, 0};
      return spin([&] {
        return ::syscall(kSysGetxattrat, fd, rel, 0, kBenchXattr, &args, sizeof args) >= 0;
      }, sync, out);
    }
    case Call::kListxattr:
      return spin([&] { return ::syscall(kSysListxattrat, fd, rel, 0, buf, sizeof buf) >= 0; },
                  sync, out);
    case Call::kReadlink: {
      const std::string link = std::string(rel) + kBenchLinkSuffix;
      return spin([&] { return ::readlinkat(fd, link.c_str(), buf, sizeof buf) > 0; }, sync,
                  out);
    }
    default: {
      const std::string via_proc = "/proc/self/fd/" + std::to_string(fd) + "/" + rel;
      struct statfs sf;
      return spin([&] { return ::statfs(via_proc.c_str(), &sf) == 0; }, sync, out);
    }
  }
}

// The body of worker `index`: the mode's stat, on its workload's path.
void worker(Fixture& fx, const Cell& cell, int index, Task* task, Sync& sync,
            ThreadResult& out) {
  const int subtree = cell.workload == Workload::kShared ? 0 : index;
  const std::string& abs = fx.abs_paths[subtree];
  Statx st;
  if (fx.call != Call::kStat) return call_worker(fx, cell, subtree, task, sync, out);
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
