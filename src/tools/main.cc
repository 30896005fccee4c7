// rcuvfs: the command-line front-end. Each subcommand lives in its own file and
// registers itself here.
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"rcuvfs: a user-space VFS with a lock-free path walk"};
  // RCUVFS_VERSION: the CMake project's version (src/tools/CMakeLists.txt).
  app.set_version_flag("--version", "rcuvfs " RCUVFS_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  rcuvfs::tools::add_shell_command(app, exit_code);
  rcuvfs::tools::add_bench_command(app, exit_code);
  rcuvfs::tools::add_torture_command(app, exit_code);
  rcuvfs::tools::add_mount_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // Usage errors mean the program could not start (shell protocol: status 2).
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
