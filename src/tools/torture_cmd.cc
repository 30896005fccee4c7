// `rcuvfs torture`: the command line. Options are checked here (bad input: a message
// and exit status 2); torture/mixed.cc and torture/rename_attack.cc do the work.
#include "tools/commands.h"
#include "tools/number_option.h"
#include "tools/size_option.h"
#include "tools/torture/mixed.h"
#include "tools/torture/options.h"
#include "tools/torture/rename_attack.h"

#include <rcuvfs/diagnostics.h>

#include <cstdio>
#include <memory>
#include <string>

namespace rcuvfs::tools {

namespace {
CLI::Validator one_of(bool (*known)(std::string_view), const char* what, const char* names) {
  return CLI::Validator(
      [=](std::string& s) -> std::string {
        if (known(s)) return "";
        return std::string("unknown ") + what + " '" + s + "' (" + names + ")";
      },
      "");
}

bool known_inject(std::string_view s) { return torture::parse_inject(s).has_value(); }

}  // namespace

void add_torture_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<torture::Options>();
  CLI::App* sub = app.add_subcommand(
      "torture", "Race stats against namespace writes and check every result against "
                 "the writers' history");
  sub->add_option("--seconds", opt->seconds,
                  "How long to run; with --inject, the most to wait for the bug (default 10)")
      ->check(positive_seconds());
  sub->add_option("--threads", opt->threads, "Reader (or victim) threads (default 4)")
      ->check(whole_number(1, 256));
  sub->add_option("--fs", opt->fs,
                  "Root filesystem: memfs, recyclefs, legacyfs, hostfs (over a temporary "
                  "directory) or etcd:ENDPOINTS[,prefix=P] (a fresh prefix under P; the "
                  "writers work through a second instance, the readers through the first)")
      ->check(one_of(torture::known_fs, "filesystem", torture::kFsNames));
  sub->add_option("--seed", opt->seed, "Seed of the writers' and readers' choices")
      ->check(whole_number(0, UINT32_MAX));
  sub->add_option("--inject", opt->inject,
                  "Turn on a deliberate bug; succeed only if it is caught: " +
                      std::string(torture::kInjectNames))
      ->check(one_of(known_inject, "bug", torture::kInjectNames));
  sub->add_option("--scenario", opt->scenario, "mixed (default) or rename-attack")
      ->check(one_of(torture::known_scenario, "scenario", torture::kScenarioNames));
  add_cache_option(sub, opt->cache);
  sub->add_flag("--host-writer", opt->host_writer,
                "hostfs: add a writer that changes the host directory behind rcuvfs's "
                "back");
  sub->add_option("--host-watch", opt->host_watch,
                  "hostfs: its watch= option: 1 or inotify (the default), fanotify, or 0 "
                  "(no watch: the cache is trusted for the whole run)")
      ->check(one_of(torture::known_host_watch, "watch", torture::kHostWatchNames));
  sub->add_flag("--json", opt->json, "Print the result as JSON on stdout");
  sub->callback([opt, &exit_code] {
    if (opt->host_writer && opt->fs != "hostfs") {
      std::fprintf(stderr, "rcuvfs torture: --host-writer needs --fs hostfs\n");
      exit_code = 2;
      return;
    }
    if (opt->host_writer && opt->host_watch == "0") {
      // Nothing would bring the host's changes through within the run.
      std::fprintf(stderr, "rcuvfs torture: --host-writer needs the host watch\n");
      exit_code = 2;
      return;
    }
    torture::Progress progress(opt->progress);
    diag::set_inject(opt->inject.empty() ? 0 : *torture::parse_inject(opt->inject));
    torture::Report r = opt->scenario == "rename-attack"
                            ? torture::run_rename_attack(*opt, progress)
                            : torture::run_mixed(*opt, progress);
    diag::set_inject(0);
    torture::print_summary(opt->json ? stderr : stdout, r);
    if (opt->json) std::printf("%s\n", torture::to_json(r).c_str());
    exit_code = torture::exit_status(r);
  });
}

}  // namespace rcuvfs::tools
