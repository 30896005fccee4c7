// Running a shell script on the Linux kernel, isolated: a forked child unshares its
// mount namespace, mounts a fresh tmpfs (mode 0755, root:root), chroots into it,
// sets cwd "/" and umask 022, and runs the script through the shell executor over
// LinuxBackend. Needs root (CAP_SYS_ADMIN, CAP_SYS_CHROOT, CAP_SETUID, ...).
#pragma once

#include <string>
#include <vector>

namespace rcuvfs::oracle {

struct LinuxRun {
  bool started = false;            // false: the sandbox could not be set up
  std::string setup_error;         // why, when !started
  std::vector<std::string> output; // one entry per output line
  int exit_status = -1;            // the shell's exit status (0, or 1 after a `bad`)
};

// Runs `script` (one command per element). The whole run gets `timeout_s` seconds
// (SIGALRM): a script that blocks (say, reading a FIFO) is killed and reported as a
// failure to run (started == false), with the output produced so far.
LinuxRun run_on_linux(const std::vector<std::string>& script, unsigned timeout_s = 60);

// Splits text into lines (without the '\n'); a missing final newline is allowed.
std::vector<std::string> split_lines(const std::string& text);

}  // namespace rcuvfs::oracle
