#include "tools/bench/run.h"

#include "tools/bench/cache_bench.h"
#include "tools/bench/etcd_bench.h"
#include "tools/bench/files_bench.h"
#include "tools/bench/fixture.h"
#include "tools/bench/json_report.h"
#include "tools/bench/machine.h"
#include "tools/bench/measure.h"
#include "tools/bench/output_file.h"
#include "tools/bench/plan.h"
#include "tools/bench/plot.h"
#include "tools/bench/progress.h"
#include "tools/bench/table.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

namespace {
int fail(const std::string& message) {
  std::fprintf(stderr, "rcuvfs bench: %s\n", message.c_str());
  return 1;
}

std::string describe(const Cell& c) {
  return std::string(mode_name(c.mode)) + " " + std::string(workload_name(c.workload)) +
         " t=" + std::to_string(c.threads) +
         (c.writer_rate > 0 ? " writer=" + std::to_string(static_cast<long>(c.writer_rate))
                            : "");
}

int run_files(const BenchOptions& opt, const Machine& machine, OutputFile& json) {
  FilesOutcome f;
  if (std::string e = run_files_bench(opt.files, &f); !e.empty()) return fail(e);
  // With --json - the document owns standard output.
  std::FILE* out = opt.json == "-" ? stderr : stdout;
  std::fprintf(out,
               "memfs namespace of %llu files in %llu directories (%s, %d CPUs)\n"
               "  build:  %.3f s (%.3f s per million files)\n"
               "  memory: %.0f bytes per file (growth of VmRSS)\n",
               static_cast<unsigned long long>(f.files), static_cast<unsigned long long>(f.dirs),
               machine.cpu.c_str(), machine.nproc, f.seconds, f.seconds_per_million(),
               f.bytes_per_file);
  FilesOutcome k;
  std::string where;
  const std::string kernel_error = run_kernel_files_bench(opt.files, &k, &where);
  if (kernel_error.empty()) {
    std::fprintf(out,
                 "the same tree made by the kernel on tmpfs (%s, removed)\n"
                 "  build:  %.3f s (%.3f s per million files; mkdirat/openat/mknodat calls)\n"
                 "  memory: %.0f bytes per file (growth of kernel Slab in /proc/meminfo)\n",
                 where.c_str(), k.seconds, k.seconds_per_million(), k.bytes_per_file);
  } else {
    std::fprintf(out, "kernel tmpfs: %s\n", kernel_error.c_str());
  }
  if (!opt.json.empty()) {
    const std::string doc = files_json(machine, f, kernel_error.empty() ? &k : nullptr);
    if (std::string e = json.write(doc); !e.empty()) return fail(e);
  }
  return 0;
}

double mib(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

int run_cache(const BenchOptions& opt, const Machine& machine, OutputFile& json) {
  CacheBenchSetup setup;
  if (opt.cache) setup.budget = opt.cache;
  if (opt.seconds > 0) setup.seconds = opt.seconds;
  if (opt.rounds > 0) setup.rounds = opt.rounds;
  if (opt.on_hostfs()) setup.host_parent = hostfs_dir(opt.fs);
  std::FILE* out = opt.json == "-" ? stderr : stdout;
  std::fprintf(out, "the dentry cache (%s, %d CPUs), budget %.0f MiB; stat times: median of %d "
               "rounds of %.2f s, one thread\n",
               machine.cpu.c_str(), machine.nproc, mib(static_cast<int64_t>(setup.budget)),
               setup.rounds, setup.seconds);
  MissingOutcome missing;
  std::vector<CachedNamesPoint> names;
  HostTreeOutcome host;
  if (opt.missing) {
    if (std::string e = run_missing_bench(setup, opt.missing, &missing); !e.empty())
      return fail(e);
    const CacheStats& c = missing.cache;
    std::fprintf(out,
                 "%llu distinct missing names in one memfs directory: %.2f s (%.0f ns each)\n"
                 "  resident set: %.1f MiB before, %.1f MiB after (+%.1f), peak %.1f MiB\n"
                 "  cache: %llu entries (%llu negative), %.1f MiB charged, %llu evicted\n"
                 "  stat of %s: %.0f ns before, %.0f ns after\n",
                 static_cast<unsigned long long>(missing.names), missing.seconds,
                 missing.seconds * 1e9 / static_cast<double>(missing.names),
                 mib(missing.rss_base), mib(missing.rss_after),
                 mib(missing.rss_after - missing.rss_base), mib(missing.rss_peak),
                 static_cast<unsigned long long>(c.entries),
                 static_cast<unsigned long long>(c.negative), mib(static_cast<int64_t>(c.bytes)),
                 static_cast<unsigned long long>(c.reclaimed), "/b/t0/d1/.../d8/file",
                 missing.path_ns_before, missing.path_ns_after);
  }
  if (!opt.cached_names.empty()) {
    if (std::string e = run_cached_names_bench(setup, opt.cached_names, &names); !e.empty())
      return fail(e);
    std::fprintf(out, "stat of /b/t0/d1/.../d8/file with other names cached (memfs files):\n");
    for (const CachedNamesPoint& p : names)
      std::fprintf(out, "  %10llu names: %6.1f ns  (vs first: %.2fx; %llu hash chains, "
                   "resident %.0f MiB)%s\n",
                   static_cast<unsigned long long>(p.names), p.path_ns,
                   p.path_ns / names.front().path_ns, static_cast<unsigned long long>(p.buckets),
                   mib(p.rss), &p == &names.back() ? "  (in a new namespace, the names gone)" : "");
  }
  if (opt.host_tree) {
    if (std::string e = run_host_tree_bench(setup, opt.host_tree, &host); !e.empty())
      return fail(e);
    const CacheStats& c = host.cache;
    std::fprintf(out,
                 "random stats over a host tree of %llu files (hostfs, %s):\n"
                 "  rcuvfs %.0f ns per stat, the kernel's statx %.0f ns (%.2fx); %llu failed\n"
                 "  dcache hit rate %.3f, speculative fraction %.3f\n"
                 "  descriptors: %d open before, at most %d during\n"
                 "  cache: %llu entries, %.1f MiB charged, %llu evicted\n",
                 static_cast<unsigned long long>(host.files), setup.host_parent.c_str(),
                 host.ns_per_stat, host.kernel_ns_per_stat,
                 host.kernel_ns_per_stat / host.ns_per_stat,
                 static_cast<unsigned long long>(host.failed), host.hit_rate,
                 host.speculative_fraction, host.base_fds, host.max_fds,
                 static_cast<unsigned long long>(c.entries), mib(static_cast<int64_t>(c.bytes)),
                 static_cast<unsigned long long>(c.reclaimed));
  }
  if (!opt.json.empty()) {
    const std::string doc = cache_json(machine, setup, opt.missing ? &missing : nullptr,
                                       names.empty() ? nullptr : &names,
                                       opt.host_tree ? &host : nullptr);
    if (std::string e = json.write(doc); !e.empty()) return fail(e);
  }
  return host.failed ? fail(std::to_string(host.failed) + " stats failed") : 0;
}

int run_stat(const BenchOptions& opt, const Machine& machine, OutputFile& json) {
  OutputFile plot;
  if (!opt.plot.empty()) {
    if (std::string e = plot.open(opt.plot); !e.empty()) return fail(e);
    if (std::string e = check_gnuplot(); !e.empty()) return fail(e);
  }
  const Plan plan = make_plan(opt, machine.nproc);
  std::string error;
  auto fx = build_fixture(TreeShape(opt.depth, plan.subtrees), plan.needs_host, opt.fs, &error);
  if (!fx) return fail(error);
  fx->call = opt.call;
  if (opt.on_hostfs())
    std::fprintf(stderr, "rcuvfs on hostfs (%s) serving %s; kernel mode stats the same files\n",
                 opt.fs.c_str(), fx->host->where().c_str());
  else if (fx->host)
    std::fprintf(stderr, "kernel mode: host statx(2) on %s\n", fx->host->where().c_str());

  // The first cell measured would otherwise also pay for cold caches, page faults of
  // the fresh tree and the CPU's clock ramp: warm up with it, untimed.
  if (!plan.cells.empty()) (void)measure(*fx, plan.cells.front(), std::min(plan.seconds, 0.3));

  Progress progress(plan.cells.size() * static_cast<size_t>(plan.rounds));
  std::vector<std::vector<Outcome>> rounds(plan.cells.size());
  // What went wrong in a cell's rounds, gathered into one note per cell.
  struct Trouble {
    int low_cpu_rounds = 0;
    double min_cpu_share = 1;
    int slow_writer_rounds = 0;
    double min_writer_rate = std::numeric_limits<double>::infinity();
  };
  std::vector<Trouble> trouble(plan.cells.size());
  std::vector<std::string> problems;
  for (int round = 0; round < plan.rounds; ++round) {
    for (size_t i = 0; i < plan.cells.size(); ++i) {
      const Cell& cell = plan.cells[i];
      progress.start(cell);
      const Measurement m = measure(*fx, cell, plan.seconds);
      rounds[i].push_back(m.outcome);
      // The walked path always exists, so a failed stat is a bug in what was measured.
      if (m.failed_stats)
        problems.push_back(describe(cell) + ": " + std::to_string(m.failed_stats) +
                           " stats failed");
      if (m.writer_failures)
        problems.push_back(describe(cell) + ": " + std::to_string(m.writer_failures) +
                           " renames failed");
      Trouble& t = trouble[i];
      if (m.cpu_share < 0.9) {
        ++t.low_cpu_rounds;
        t.min_cpu_share = std::min(t.min_cpu_share, m.cpu_share);
      }
      if (cell.writer_rate > 0 && m.writer_achieved < 0.9 * cell.writer_rate) {
        ++t.slow_writer_rounds;
        t.min_writer_rate = std::min(t.min_writer_rate, m.writer_achieved);
      }
    }
  }
  std::vector<Outcome> outcomes;
  for (const std::vector<Outcome>& r : rounds) outcomes.push_back(median_outcome(r));
  set_ratios(outcomes, rounds);
  progress.finish();
  for (size_t i = 0; i < plan.cells.size(); ++i) {
    const Cell& cell = plan.cells[i];
    const Trouble& t = trouble[i];
    if (t.low_cpu_rounds) {
      const bool own_writer = cell.writer_rate > 0 && cell.threads + 1 > machine.nproc;
      std::fprintf(stderr,
                   "note: %s: a thread had a CPU as little as %d%% of the time in %d of %d "
                   "rounds (%s): its figures are low\n",
                   describe(cell).c_str(), static_cast<int>(t.min_cpu_share * 100),
                   t.low_cpu_rounds, plan.rounds,
                   own_writer ? "the writer is one thread more than there are CPUs"
                              : "other processes running?");
    }
    if (t.slow_writer_rounds)
      std::fprintf(stderr,
                   "note: %s: the writer managed as few as %ld renames/s in %d of %d rounds\n",
                   describe(cell).c_str(), static_cast<long>(t.min_writer_rate),
                   t.slow_writer_rounds, plan.rounds);
  }

  // With --json - the document owns standard output.
  print_table(opt.json == "-" ? stderr : stdout, machine, call_name(opt.call), opt.depth,
              plan.seconds, plan.rounds, outcomes);
  std::fflush(stdout);

  int status = 0;
  for (const std::string& p : problems) status = fail(p);
  if (!opt.json.empty())
    if (std::string e = json.write(stat_json(call_name(opt.call), opt.depth, plan, machine, outcomes)); !e.empty())
      status = fail(e);
  if (!opt.plot.empty()) {
    if (std::string e = draw_plot(opt.plot, machine, opt.depth, outcomes); !e.empty())
      status = fail(e);
    else
      plot.keep();
  }
  return status;
}
}  // namespace

int run_bench(const BenchOptions& opt) {
  OutputFile json;
  if (!opt.json.empty())
    if (std::string e = json.open(opt.json); !e.empty()) return fail(e);
  const Machine machine = probe_machine();
  if (opt.on_etcd()) return run_etcd_bench(opt, machine);
  if (opt.cache_workloads()) return run_cache(opt, machine, json);
  return opt.files > 0 ? run_files(opt, machine, json) : run_stat(opt, machine, json);
}

}  // namespace rcuvfs::tools::bench
