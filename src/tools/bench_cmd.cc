// `rcuvfs bench`: the command line. Options are checked here, so that bad input is a
// clear message and exit status 2 before anything runs; bench/run.cc does the work.
#include "tools/bench/cell.h"
#include "tools/bench/options.h"
#include "tools/bench/run.h"
#include "tools/commands.h"
#include "tools/number_option.h"
#include "tools/size_option.h"

#include <cstdio>
#include <map>
#include <memory>
#include <string>

namespace rcuvfs::tools {

namespace {
CLI::Validator known_mode() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (bench::parse_mode(s)) return "";
        return "unknown mode '" + s + "' (modes: spec, linux, ref, lock, kernel, floor)";
      },
      "");
}
}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<bench::BenchOptions>();
  CLI::App* sub = app.add_subcommand(
      "bench", "Measure stat of a deep path: rcuvfs walk modes against a global-lock "
               "tree, the host kernel and a no-synchronisation floor");
  sub->add_flag("--quick", opt->quick,
                "The short run (well under a minute on 2 cores): 1 and 2 threads, 5 "
                "rounds of 0.2 s per cell, a 10000/s writer for spec and linux");
  sub->add_option("--json", opt->json, "Write the results as JSON to FILE ('-': stdout)")
      ->type_name("FILE");
  sub->add_option("--plot", opt->plot, "Draw a chart into FILE.svg (needs gnuplot)")
      ->type_name("FILE.svg");
  sub->add_option("--depth", opt->depth, "Directories between t<i> and the file (default 8)")
      ->type_name("N")
      ->check(whole_number(1, 200));
  sub->add_option("--threads", opt->threads,
                  "Comma-separated thread counts (default 1,2 with --quick, else powers of "
                  "two up to the CPU count)")
      ->type_name("LIST")
      ->delimiter(',')
      ->check(whole_number(1, 1024));
  sub->add_option("--seconds", opt->seconds,
                  "Seconds per cell and round (default 1, 0.2 with --quick)")
      ->type_name("S")
      ->check(positive_seconds());
  sub->add_option("--rounds", opt->rounds,
                  "Measure every cell this many times, in interleaved rounds, and report "
                  "the median (default 3, 5 with --quick): a shared machine's slow spells "
                  "then hit every mode alike")
      ->type_name("N")
      ->check(whole_number(1, 100));
  sub->add_option("--writer-rate", opt->writer_rates,
                  "Renames per second of a concurrent writer (a whole number; 0: none), "
                  "racing the rcuvfs modes; a comma-separated list for several (default 10000 with --quick, else "
                  "1000,10000,100000)")
      ->type_name("R[,R...]")
      ->delimiter(',')
      ->check(whole_number(0, 1000000000));
  sub->add_option("--modes", opt->modes,
                  "Comma-separated modes: spec,linux,ref,lock,kernel,floor (default all)")
      ->type_name("LIST")
      ->delimiter(',')
      ->check(known_mode());
  sub->add_option("--call", opt->call,
                  "The call measured on the deep path: stat (default), access "
                  "(faccessat2 R_OK), statfs, getxattr (of a 32-byte user. attribute), "
                  "listxattr, readlink (of a symlink beside the file) or fstat (statx of an "
                  "O_PATH descriptor of the file, AT_EMPTY_PATH); with any but stat "
                  "the modes are spec, linux, ref and kernel")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, bench::Call>{{"stat", bench::Call::kStat},
                                             {"access", bench::Call::kAccess},
                                             {"statfs", bench::Call::kStatfs},
                                             {"getxattr", bench::Call::kGetxattr},
                                             {"listxattr", bench::Call::kListxattr},
                                             {"readlink", bench::Call::kReadlink},
                                             {"fstat", bench::Call::kFstat}}));
  sub->add_option("--fs", opt->fs,
                  "The rcuvfs namespace: memfs (default), or hostfs:DIR to build the tree "
                  "in a fresh directory under DIR, serve it with hostfs and stat the same "
                  "files with the kernel (default modes then spec,linux,ref,kernel), or "
                  "etcd:ENDPOINTS[,OPTIONS] for the etcd benchmark instead: cached stats "
                  "beside memfs's and beside stats that ask etcd, and how soon a change "
                  "on one instance shows on another")
      ->type_name("TYPE[:ARG]")
      ->check([](const std::string& v) {
        return v == "memfs" || (v.starts_with("hostfs:") && v.size() > 7) ||
                       (v.starts_with("etcd:") && v.size() > 5)
                   ? std::string()
                   : std::string("--fs: memfs, hostfs:DIR or etcd:ENDPOINTS");
      });
  sub->add_option("--missing", opt->missing,
                  "Instead: stat N distinct missing names in one memfs directory with the "
                  "cache's budget (--cache, default 64m): memory and the stat of a deep "
                  "path before and after")
      ->type_name("N")
      ->check(whole_number(1, 1000000000));
  sub->add_option("--cached-names", opt->cached_names,
                  "Instead: the stat of a deep path with each of these counts of other "
                  "names cached (e.g. 10,1000000,10000000), then with none again")
      ->type_name("LIST")
      ->delimiter(',')
      ->check(whole_number(0, 1000000000));
  sub->add_option("--host-tree", opt->host_tree,
                  "Instead: random stats over a host tree of N files served by hostfs "
                  "with the cache's budget (--cache, default 64m; the tree goes under DIR "
                  "of --fs hostfs:DIR, else /dev/shm): hit rate, descriptors, speed "
                  "beside the kernel's")
      ->type_name("N")
      ->check(whole_number(1, 100000000));
  add_cache_option(sub, opt->cache, "256m; 64m for --missing and --host-tree");
  sub->add_option("--files", opt->files,
                  "Instead: build a memfs namespace of N files and report build time and "
                  "memory per file")
      ->type_name("N")
      ->check(whole_number(1, 1000000000));
  sub->callback([opt, &exit_code] {
    if (opt->call != bench::Call::kStat) {
      std::string why;
      for (const std::string& m : opt->modes)
        if (m == "lock" || m == "floor") why = "mode " + m + " measures stat only";
      if (opt->files || opt->cache_workloads()) why = "it applies to the deep-path benchmark only";
      if (!why.empty()) {
        std::fprintf(stderr, "rcuvfs bench: --call %s: %s\n", bench::call_name(opt->call),
                     why.c_str());
        exit_code = 2;
        return;
      }
    }
    exit_code = bench::run_bench(*opt);
  });
}

}  // namespace rcuvfs::tools
