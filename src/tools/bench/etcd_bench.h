// `rcuvfs bench --fs etcd:ENDPOINTS[,OPTIONS]`: what the etcd filesystem's coherent
// cache buys, on a cluster the caller names.
//
//   the stat of a deep path (/b/d1/.../dN/file), one thread, median of rounds taken in
//   turn: memfs's speculative stat; etcd's from the cache an instance keeps in step
//   with its watch (and the fraction of those stats that stayed speculative); and
//   etcd's with watch=0, where every stat asks the cluster; the ratios are taken round
//   by round, then their median
//   the visibility delay: a change made on one instance (from the call's start, and
//   from its return) until a stat on another instance of the same prefix shows it,
//   p50 and p99 over many changes
//
// Each run works under a fresh prefix (bench/<pid>-<time>/), which it leaves behind.
#pragma once

#include "tools/bench/machine.h"
#include "tools/bench/options.h"

namespace rcuvfs::tools::bench {

int run_etcd_bench(const BenchOptions& opt, const Machine& machine);

}  // namespace rcuvfs::tools::bench
