// The openat2 rename attack (the scenario of the kernel's selftest): scoped walks of
// "c/../c/../..." from inside r/a while another thread keeps exchanging r/a/c and r/b.
// A rename can move the walk's position out from under its root between two steps,
// so that the next ".." lands in r/; a correct walk notices (EAGAIN, or a redo with
// references) and never resolves to anything but r/a. Anything else is an escape.
#pragma once

#include "tools/torture/options.h"
#include "tools/torture/progress.h"
#include "tools/torture/report.h"

#include <rcuvfs/task.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rcuvfs::torture {

struct AttackCase {
  uint64_t resolve;  // RESOLVE_BENEATH or RESOLVE_IN_ROOT
  Task::WalkMode mode;
};

struct AttackOutcome {
  uint64_t attempts = 0, ok = 0, eagain = 0, exdev = 0, other = 0, escapes = 0;
  uint64_t exchanges = 0;
  uint64_t rename_seq_fallbacks = 0;  // RCU walks that saw the race and fell back
  std::string first_escape;
  std::string error;  // the setup or the attacker failed, or the namespace check after
  double seconds = 0, caught_after = -1;
  bool raced() const { return eagain + exdev + rename_seq_fallbacks > 0; }
};

// One victim thread per case. Runs `seconds`, then on (up to `max_seconds`) until the
// race has been seen; with `stop_on_escape`, ends at the first escape.
AttackOutcome rename_attack(const std::string& fs, const std::vector<AttackCase>& cases,
                            double seconds,
                            double max_seconds, bool stop_on_escape, Progress* progress);

// The `rename-attack` scenario of `rcuvfs torture`: opt.threads victims cycling
// through both scopes and both walk modes.
Report run_rename_attack(const Options& opt, Progress& progress);

}  // namespace rcuvfs::torture
