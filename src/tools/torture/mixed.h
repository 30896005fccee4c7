// The `mixed` scenario: reader threads stat watched paths while one writer thread per
// domain (domain.h) renames, exchanges, unlinks, recreates, changes attributes, swaps
// symlinks and mounts. The run goes in short epochs; between two, every thread is
// stopped and the epoch's stats are checked, so that a bug shows within an epoch and
// the checker's memory stays bounded.
#pragma once

#include "tools/torture/options.h"
#include "tools/torture/progress.h"
#include "tools/torture/report.h"

namespace rcuvfs::torture {

// Stops at the first violation when opt.inject is set.
Report run_mixed(const Options& opt, Progress& progress);

}  // namespace rcuvfs::torture
