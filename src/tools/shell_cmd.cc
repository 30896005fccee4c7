// `rcuvfs shell [--fs TYPE] [FILE]`: the scriptable shell (protocol: docs/shell-protocol.md).
#include "shell/executor.h"
#include "shell/session.h"
#include "shell/task_backend.h"
#include "tools/commands.h"
#include "tools/number_option.h"
#include "tools/size_option.h"

#include <rcuvfs/vfs.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace rcuvfs::tools {
namespace {

struct ShellOptions {
  std::string fs = "memfs";
  std::optional<double> ttl;  // hostfs: seconds a cached name or attribute is trusted
  std::string file = "-";
  uint64_t cache = 0;  // the dentry cache's budget; 0: the default
};

int run_shell(const ShellOptions& opt) {
  std::string_view type = opt.fs;
  std::string_view options;
  if (auto colon = type.find(':'); colon != std::string_view::npos) {
    options = type.substr(colon + 1);
    type = type.substr(0, colon);
  }
  std::string with_ttl;
  if (opt.ttl) {
    if (type != "hostfs") {
      std::cerr << "rcuvfs shell: --ttl applies to hostfs only\n";
      return 2;
    }
    // hostfs takes decimal digits and a point only, to the nanosecond it keeps.
    char ttl[64];
    std::snprintf(ttl, sizeof ttl, "%.9f", *opt.ttl);
    // In front of hostfs's own options ("watch=1,dir=DIR"), or of a bare DIR.
    const bool has_options = options.starts_with("dir=") || options.starts_with("fds=") ||
                             options.starts_with("watch=") || options.starts_with("ttl=");
    with_ttl = std::string("ttl=") + ttl + "," + (has_options ? "" : "dir=") + std::string(options);
    options = with_ttl;
  }
  auto vfs = Vfs::create(type, options);
  if (!vfs.ok()) {
    std::cerr << "rcuvfs shell: cannot create a '" << opt.fs
              << "' namespace: " << std::strerror(vfs.error()) << "\n";
    return 2;
  }
  if (opt.cache) (void)(*vfs)->set_cache_budget(opt.cache);
  std::unique_ptr<Task> task = (*vfs)->new_task();
  shell::TaskBackend backend(*task);
  shell::Executor ex(backend);

  if (opt.file == "-") {
    bool interactive = isatty(STDIN_FILENO);
    return shell::run_session(ex, std::cin, std::cout, interactive);
  }
  std::error_code ec;
  if (std::filesystem::is_directory(opt.file, ec)) {
    std::cerr << "rcuvfs shell: " << opt.file << " is a directory\n";
    return 2;
  }
  std::ifstream in(opt.file, std::ios::binary);
  if (!in) {
    std::cerr << "rcuvfs shell: cannot open " << opt.file << ": "
              << std::strerror(errno) << "\n";
    return 2;
  }
  return shell::run_session(ex, in, std::cout, false);
}

}  // namespace

void add_shell_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<ShellOptions>();
  CLI::App* sub = app.add_subcommand(
      "shell", "Run shell commands (one per line) from FILE or standard input");
  sub->add_option("--fs", opt->fs,
                  "Root filesystem type, optionally TYPE:OPTIONS (default memfs; "
                  "hostfs:DIR serves host directory DIR; etcd:HOST:PORT[,...][,prefix=P] a "
                  "namespace kept in an etcd cluster)");
  sub->add_option("--ttl", opt->ttl,
                  "hostfs: seconds a cached name or attribute is trusted (0: always "
                  "ask the host; default 2)")
      ->type_name("SECONDS")
      ->check(seconds_or_zero());
  add_cache_option(sub, opt->cache);
  sub->add_option("file", opt->file, "Script to run; '-' or absent: standard input");
  sub->callback([opt, &exit_code] { exit_code = run_shell(*opt); });
}

}  // namespace rcuvfs::tools
