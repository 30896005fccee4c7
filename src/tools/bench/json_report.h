// The JSON documents of `rcuvfs bench --json` (nlohmann-json):
//   stat runs:   {"depth": 8, "rounds": 3, "seconds_per_round": 0.2, "machine": {...},
//                 "results": [{"mode": ..., ...}, ...]}
//   --files N:   {"machine": {...}, "files": {"count": N, ...}, "kernel_tmpfs": {...}}
#pragma once

#include "tools/bench/cache_bench.h"
#include "tools/bench/cell.h"
#include "tools/bench/files_bench.h"
#include "tools/bench/machine.h"
#include "tools/bench/plan.h"

#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

std::string stat_json(const char* call, int depth, const Plan& plan, const Machine& machine,
                      const std::vector<Outcome>& outcomes);
// `kernel`: the tmpfs side, when it was measured.
std::string files_json(const Machine& machine, const FilesOutcome& files,
                       const FilesOutcome* kernel);

// The dentry cache's workloads that ran (the others null).
std::string cache_json(const Machine& machine, const CacheBenchSetup& setup,
                       const MissingOutcome* missing,
                       const std::vector<CachedNamesPoint>* names,
                       const HostTreeOutcome* host);

}  // namespace rcuvfs::tools::bench
