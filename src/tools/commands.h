// Subcommands of the `rcuvfs` program: one file each, registered by main.cc.
#pragma once

#include <CLI/CLI.hpp>

namespace rcuvfs::tools {

// `rcuvfs shell [--fs TYPE] [FILE]` (shell_cmd.cc). The subcommand sets the process
// exit status through `exit_code`.
void add_shell_command(CLI::App& app, int& exit_code);

// `rcuvfs bench [--quick] [--json FILE|-] [--plot FILE.svg] ...` (bench_cmd.cc).
void add_bench_command(CLI::App& app, int& exit_code);

// `rcuvfs torture [--seconds S] [--threads N] [--fs F] [--inject BUG] ...`
// (torture_cmd.cc). Exit status 0 only when the run found nothing or, with --inject,
// when it caught the injected bug.
void add_torture_command(CLI::App& app, int& exit_code);
// `rcuvfs mount MOUNTPOINT [--fs TYPE[:ARG]] [-f] [-s] [-o OPTIONS]` (mount_cmd.cc).
void add_mount_command(CLI::App& app, int& exit_code);

}  // namespace rcuvfs::tools
