#include "tools/bench/etcd_bench.h"

#include <rcuvfs/counters.h>
#include <rcuvfs/vfs.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

namespace {

using Clock = std::chrono::steady_clock;

int fail(const std::string& message) {
  std::fprintf(stderr, "rcuvfs bench: %s\n", message.c_str());
  return 1;
}

// One namespace with the deep path built (or found: a second instance of a prefix).
struct Side {
  std::unique_ptr<Vfs> vfs;
  std::unique_ptr<Task> task;
};

std::string make_side(const std::string& type, const std::string& options, const std::string& path,
                      bool build, Side* out) {
  auto v = Vfs::create(type, options);
  if (!v.ok()) return "cannot create a " + type + " namespace: " + std::strerror(v.error());
  out->vfs = std::move(*v);
  out->task = out->vfs->new_task();
  if (!build) return "";
  for (size_t at = path.find('/', 1); at != std::string::npos; at = path.find('/', at + 1))
    if (auto st = out->task->mkdirat(AT_FDCWD, path.substr(0, at), 0755); !st.ok())
      return "mkdir " + path.substr(0, at) + ": " + std::strerror(st.error());
  auto fd = out->task->openat(AT_FDCWD, path, O_CREAT | O_WRONLY, 0644);
  if (!fd.ok()) return "create " + path + ": " + std::strerror(fd.error());
  (void)out->task->close(*fd);
  return "";
}

// ns per stat of `path` over about `seconds` (the first stat, which may fill caches,
// not counted); -1 when a stat fails.
double time_stats(Task& t, const std::string& path, double seconds) {
  if (!t.statx(AT_FDCWD, path, 0).ok()) return -1;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  uint64_t n = 0;
  const auto t0 = Clock::now();
  auto now = t0;
  do {
    for (int i = 0; i < 64; ++i, ++n)
      if (!t.statx(AT_FDCWD, path, 0).ok()) return -1;
    now = Clock::now();
  } while (now < end);
  return std::chrono::duration<double, std::nano>(now - t0).count() / static_cast<double>(n);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int run_etcd_bench(const BenchOptions& opt, const Machine& machine) {
  const int rounds = opt.rounds > 0 ? opt.rounds : opt.quick ? 3 : 7;
  const double seconds = opt.seconds > 0 ? opt.seconds : opt.quick ? 0.1 : 0.3;
  const int changes = opt.quick ? 50 : 500;
  std::string path = "/b";
  for (int i = 1; i <= opt.depth; ++i) path += "/d" + std::to_string(i);
  path += "/file";
  const std::string base = opt.fs.substr(5) + ",prefix=bench/" + std::to_string(getpid()) +
                           "-" + std::to_string(time(nullptr)) + "/";

  Side memfs, cached, other, asked;
  if (auto e = make_side("memfs", "", path, true, &memfs); !e.empty()) return fail(e);
  if (auto e = make_side("etcd", base, path, true, &cached); !e.empty()) return fail(e);
  if (auto e = make_side("etcd", base, path, false, &other); !e.empty()) return fail(e);
  if (auto e = make_side("etcd", base + ",watch=0", path, false, &asked); !e.empty())
    return fail(e);

  std::printf("etcd filesystem (%s, %d CPUs): stat of %s, one thread, median of %d rounds "
              "of %.2f s taken in turn\n",
              machine.cpu.c_str(), machine.nproc, path.c_str(), rounds, seconds);
  std::vector<double> m_ns, c_ns, a_ns;
  // The ratios round by round, then their median (as set_ratios, cell.h): the three
  // figures of one round are taken moments apart, so a slow spell of a shared machine
  // slows all of them.
  std::vector<double> to_memfs, to_asked;
  uint64_t spec = 0, fell = 0;
  for (int r = 0; r < rounds; ++r) {
    m_ns.push_back(time_stats(*memfs.task, path, seconds));
    const Counters before = Vfs::counters();
    c_ns.push_back(time_stats(*cached.task, path, seconds));
    const Counters d = Vfs::counters() - before;
    spec += d.get(Counter::kStatSpeculative);
    fell += d.get(Counter::kStatFallback);
    a_ns.push_back(time_stats(*asked.task, path, seconds));
    if (m_ns.back() < 0 || c_ns.back() < 0 || a_ns.back() < 0) return fail("a stat failed");
    to_memfs.push_back(m_ns.back() / c_ns.back());
    to_asked.push_back(a_ns.back() / c_ns.back());
  }
  const double m = median(m_ns), c = median(c_ns), a = median(a_ns);
  std::printf("  memfs, speculative        %10.1f ns\n", m);
  std::printf("  etcd, cached (in step)    %10.1f ns   %.2fx memfs's rate; speculative "
              "fraction %.4f\n",
              c, median(to_memfs), static_cast<double>(spec) / static_cast<double>(spec + fell));
  std::printf("  etcd, asked (watch=0)     %10.1f ns   the cached stat is %.0fx faster\n", a,
              median(to_asked));

  // Visibility: a mode change made through `cached` until `other` shows it, from the
  // call's start (what a writer on one machine and a reader on another see) and from
  // its return (the change acknowledged).
  std::vector<double> delay_ms, after_ack_ms;
  for (int i = 0; i < changes; ++i) {
    const mode_t mode = (i & 1) ? 0600 : 0644;
    const auto start = Clock::now();
    if (!cached.task->fchmodat(AT_FDCWD, path, mode, 0).ok()) return fail("chmod failed");
    const auto t0 = Clock::now();
    for (;;) {
      auto st = other.task->statx(AT_FDCWD, path, 0);
      if (st.ok() && (st->stx_mode & 07777) == mode) break;
      if (Clock::now() - t0 > std::chrono::seconds(10))
        return fail("a change did not show on the other instance within 10 s");
    }
    const auto seen = Clock::now();
    delay_ms.push_back(std::chrono::duration<double, std::milli>(seen - start).count());
    after_ack_ms.push_back(std::chrono::duration<double, std::milli>(seen - t0).count());
  }
  std::printf("  a chmod on one instance until a stat on another shows it (%d chmods): "
              "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n"
              "    of which after the chmod returned: p50 %.2f ms, p99 %.2f ms\n",
              changes, percentile(delay_ms, 0.5), percentile(delay_ms, 0.99),
              percentile(delay_ms, 1.0), percentile(after_ack_ms, 0.5),
              percentile(after_ack_ms, 0.99));
  return 0;
}

}  // namespace rcuvfs::tools::bench
