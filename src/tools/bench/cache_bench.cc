#include "tools/bench/cache_bench.h"

#include "tools/bench/error_message.h"
#include "tools/bench/proc_status.h"

#include <rcuvfs/diagnostics.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rcuvfs::tools::bench {

namespace {
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The deep path every stat timing here walks: 11 components, as the main benchmark's.
constexpr const char* kDeepPath = "/b/t0/d1/d2/d3/d4/d5/d6/d7/d8/file";

std::string make_deep_path(Task& t) {
  std::string p;
  std::string_view rest = kDeepPath + 1;
  for (size_t slash; (slash = rest.find('/')) != std::string_view::npos;) {
    p += "/";
    p += rest.substr(0, slash);
    rest.remove_prefix(slash + 1);
    if (Status st = t.mkdirat(AT_FDCWD, p, 0755); !st.ok() && st.error() != EEXIST)
      return fail(p, st.error());
  }
  if (Status st = t.mknodat(AT_FDCWD, kDeepPath, S_IFREG | 0644, 0); !st.ok())
    return fail(kDeepPath, st.error());
  return "";
}

// The median over rounds of ns per stat of `path`; -1 when a stat failed.
double time_path(Task& t, const char* path, const CacheBenchSetup& s) {
  std::vector<double> ns;
  for (int r = 0; r < s.rounds; ++r) {
    uint64_t n = 0;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(s.seconds);
    while (Clock::now() < end) {
      for (int i = 0; i < 256; ++i)
        if (!t.statx(AT_FDCWD, path).ok()) return -1;
      n += 256;
    }
    ns.push_back(since(start) * 1e9 / static_cast<double>(n));
  }
  std::sort(ns.begin(), ns.end());
  return ns[ns.size() / 2];
}

// "<prefix><i>" into buf, NUL-terminated.
std::string_view numbered(char (&buf)[64], std::string_view prefix, uint64_t i) {
  std::memcpy(buf, prefix.data(), prefix.size());
  char* end = std::to_chars(buf + prefix.size(), buf + sizeof buf - 1, i).ptr;
  *end = '\0';
  return {buf, static_cast<size_t>(end - buf)};
}

// "d<i/1000>/f<i%1000>" into buf: the trees here hold 1000 names per directory.
std::string_view tree_name(char (&buf)[64], uint64_t i) {
  char* p = buf;
  *p++ = 'd';
  p = std::to_chars(p, buf + sizeof buf, i / 1000).ptr;
  *p++ = '/';
  *p++ = 'f';
  p = std::to_chars(p, buf + sizeof buf, i % 1000).ptr;
  *p = '\0';
  return {buf, static_cast<size_t>(p - buf)};
}
}  // namespace

std::string run_missing_bench(const CacheBenchSetup& s, uint64_t names, MissingOutcome* out) {
  auto vfs = Vfs::create("memfs");
  if (!vfs.ok()) return fail("memfs", vfs.error());
  if (Status st = (*vfs)->set_cache_budget(s.budget); !st.ok()) return fail("budget", st.error());
  auto t = (*vfs)->new_task();
  if (std::string e = make_deep_path(*t); !e.empty()) return e;
  if (Status st = t->mkdirat(AT_FDCWD, "/m", 0755); !st.ok()) return fail("/m", st.error());
  out->path_ns_before = time_path(*t, kDeepPath, s);
  out->rss_base = vm_rss();
  char buf[64];
  const auto start = Clock::now();
  for (uint64_t i = 0; i < names; ++i) {
    auto st = t->statx(AT_FDCWD, numbered(buf, "/m/missing", i));
    if (st.ok() || st.error() != ENOENT) return "a missing name was not ENOENT";
  }
  out->seconds = since(start);
  out->names = names;
  out->rss_after = vm_rss();
  out->rss_peak = vm_hwm();
  out->cache = (*vfs)->cache_stats();
  out->path_ns_after = time_path(*t, kDeepPath, s);
  if (out->path_ns_before < 0 || out->path_ns_after < 0) return "the deep path's stat failed";
  return "";
}

std::string run_cached_names_bench(const CacheBenchSetup& s, std::vector<uint64_t> counts,
                                   std::vector<CachedNamesPoint>* out) {
  std::sort(counts.begin(), counts.end());
  auto vfs = Vfs::create("memfs");
  if (!vfs.ok()) return fail("memfs", vfs.error());
  auto t = (*vfs)->new_task();
  if (std::string e = make_deep_path(*t); !e.empty()) return e;
  if (Status st = t->mkdirat(AT_FDCWD, "/n", 0755); !st.ok()) return fail("/n", st.error());
  auto n_fd = t->openat(AT_FDCWD, "/n", O_PATH | O_DIRECTORY);
  if (!n_fd.ok()) return fail("/n", n_fd.error());
  const auto measure = [&](uint64_t names) -> std::string {
    diag::wait_dcache_resized();  // the table's size once it fits: the steady state
    CachedNamesPoint p;
    p.names = names;
    p.path_ns = time_path(*t, kDeepPath, s);
    p.buckets = diag::dcache_buckets();
    p.rss = vm_rss();
    if (p.path_ns < 0) return "the deep path's stat failed";
    out->push_back(p);
    return "";
  };
  char buf[64];
  uint64_t made = 0;
  for (uint64_t want : counts) {
    for (; made < want; ++made) {
      if (made % 1000 == 0)
        if (Status st = t->mkdirat(*n_fd, numbered(buf, "d", made / 1000), 0755); !st.ok())
          return fail("mkdir", st.error());
      if (Status st = t->mknodat(*n_fd, tree_name(buf, made), S_IFREG | 0644, 0); !st.ok())
        return fail("mknod", st.error());
    }
    if (std::string e = measure(want); !e.empty()) return e;
  }
  // All of them gone again, with the namespace: the table shrinks back.
  (void)t->close(*n_fd);
  t.reset();
  vfs->reset();
  diag::quiesce();
  vfs = Vfs::create("memfs");
  if (!vfs.ok()) return fail("memfs", vfs.error());
  t = (*vfs)->new_task();
  if (std::string e = make_deep_path(*t); !e.empty()) return e;
  return measure(0);
}

std::string run_host_tree_bench(const CacheBenchSetup& s, uint64_t files,
                                HostTreeOutcome* out) {
  std::string dir = s.host_parent + "/rcuvfs-cache-bench.XXXXXX";
  if (!::mkdtemp(dir.data())) return fail("mkdtemp under " + s.host_parent, errno);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir};
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  } root_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  const int root = root_fd.fd;
  if (root < 0) return fail(dir, errno);
  char buf[64];
  for (uint64_t i = 0; i < files; ++i) {
    if (i % 1000 == 0 && ::mkdirat(root, numbered(buf, "d", i / 1000).data(), 0755) != 0)
      return fail("mkdir", errno);
    if (::mknodat(root, tree_name(buf, i).data(), S_IFREG | 0644, 0) != 0)
      return fail("mknod", errno);
  }
  out->files = files;
  out->base_fds = open_descriptors();

  auto vfs = Vfs::create("hostfs", "ttl=3600,dir=" + dir);
  if (!vfs.ok()) return fail("hostfs", vfs.error());
  if (Status st = (*vfs)->set_cache_budget(s.budget); !st.ok()) return fail("budget", st.error());
  auto t = (*vfs)->new_task();
  std::mt19937_64 rng(1);
  const auto random_file = [&] { return tree_name(buf, rng() % files); };
  char path[80] = "/";
  const auto rcuvfs_path = [&] {
    const std::string_view n = random_file();
    std::memcpy(path + 1, n.data(), n.size() + 1);
    return std::string_view(path, n.size() + 1);
  };
  // Fill the cache first: the figures are those of a cache at its budget.
  for (uint64_t i = 0; i < std::min<uint64_t>(files, 2'000'000); ++i)
    if (!t->statx(AT_FDCWD, rcuvfs_path()).ok()) ++out->failed;

  const Counters before = Vfs::counters();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(s.seconds * s.rounds);
  uint64_t n = 0;
  while (Clock::now() < end) {
    for (int i = 0; i < 1000; ++i)
      if (!t->statx(AT_FDCWD, rcuvfs_path()).ok()) ++out->failed;
    n += 1000;
    out->max_fds = std::max(out->max_fds, open_descriptors());
  }
  out->ns_per_stat = since(start) * 1e9 / static_cast<double>(n);
  out->stats = n;
  const Counters d = Vfs::counters() - before;
  const double hits = static_cast<double>(d.get(Counter::kDcacheHit));
  const double misses = static_cast<double>(d.get(Counter::kDcacheMiss));
  out->hit_rate = hits + misses > 0 ? hits / (hits + misses) : 0;
  const double spec = static_cast<double>(d.get(Counter::kStatSpeculative));
  const double fallback = static_cast<double>(d.get(Counter::kStatFallback));
  out->speculative_fraction = spec + fallback > 0 ? spec / (spec + fallback) : 0;
  out->cache = (*vfs)->cache_stats();

  // The kernel's statx of the same random files, for as long.
  rng.seed(1);
  struct statx stx;
  uint64_t k = 0;
  const auto kstart = Clock::now();
  const auto kend = kstart + std::chrono::duration<double>(s.seconds * s.rounds);
  while (Clock::now() < kend) {
    for (int i = 0; i < 1000; ++i)
      if (::statx(root, random_file().data(), 0, STATX_BASIC_STATS, &stx) != 0) ++out->failed;
    k += 1000;
  }
  out->kernel_ns_per_stat = since(kstart) * 1e9 / static_cast<double>(k);
  t.reset();
  vfs->reset();
  return "";
}

}  // namespace rcuvfs::tools::bench
