// linux_shell: runs a shell script (docs/shell-protocol.md) on the Linux kernel, inside the
// oracle's sandbox (private mount namespace, chroot into a fresh tmpfs), and prints
// the output. Used to check the oracle by hand and to (re)generate
// tests/shell/expected/*.out:
//
//   build/tests/oracle/linux_shell tests/shell/scripts/basic.sh > tests/shell/expected/basic.out
//
// Exit status as `rcuvfs shell`: 0, 1 when a line was bad, 2 when it could not start.
#include "oracle/sandbox.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc > 2) {
    std::cerr << "usage: linux_shell [FILE]\n";
    return 2;
  }
  std::stringstream text;
  std::string file = argc == 2 ? argv[1] : "-";
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "linux_shell: cannot open " << file << "\n";
      return 2;
    }
    text << in.rdbuf();
  }
  auto run = rcuvfs::oracle::run_on_linux(rcuvfs::oracle::split_lines(text.str()));
  for (const auto& line : run.output) std::cout << line << '\n';
  if (!run.started) {
    std::cerr << "linux_shell: " << run.setup_error << "\n";
    return 2;
  }
  return run.exit_status;
}
