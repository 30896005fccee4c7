// The kernel side: a forked child makes itself a private mount namespace, mounts a
// tmpfs, builds the tree there (with a second tmpfs on mnt/), chroots into it — so
// the tree root is "/" as in rcuvfs — and runs the cases with the real openat2(2).
// Paths are read back with readlink of /proc/self/fd/N (through a /proc descriptor
// opened before the chroot). Needs root (CAP_SYS_ADMIN, CAP_SYS_CHROOT).
#pragma once

#include "resolve/cases.h"
#include "resolve/runner.h"

#include <string>
#include <vector>

namespace rcuvfs::resolve_test {

struct LinuxRun {
  bool started = false;      // false: the sandbox could not be set up
  std::string setup_error;   // why, when !started
  std::vector<CaseRun> runs; // one per case
};

LinuxRun run_on_linux(const std::vector<ResolveCase>& cases, unsigned timeout_s = 60);

}  // namespace rcuvfs::resolve_test
