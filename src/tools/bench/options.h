// What `rcuvfs bench` was asked to do, as parsed (and validated) by bench_cmd.cc.
// Empty lists and zero values mean "the default", which depends on --quick (plan.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

// The call the main benchmark measures at the end of the deep path.
enum class Call { kStat, kAccess, kStatfs, kGetxattr, kListxattr, kReadlink, kFstat };
const char* call_name(Call c);  // "stat", "access", "statfs"

struct BenchOptions {
  bool quick = false;
  std::string json;  // "": none; "-": standard output; else a file
  std::string plot;  // "": none; else an SVG file
  int depth = 8;
  std::vector<int> threads;
  double seconds = 0;
  int rounds = 0;
  std::vector<double> writer_rates;  // renames per second
  std::vector<std::string> modes;    // names accepted by parse_mode()
  Call call = Call::kStat;           // lock and floor modes measure stat only
  uint64_t files = 0;                // > 0: the namespace-size benchmark instead
  // The rcuvfs namespace: memfs, hostfs:[OPTS,]DIR, or etcd:ENDPOINTS[,OPTS] (the etcd
  // benchmark instead, etcd_bench.h).
  std::string fs = "memfs";
  // The dentry cache's workloads instead (cache_bench.h); `cache`: their budget.
  uint64_t missing = 0;
  std::vector<uint64_t> cached_names;
  uint64_t host_tree = 0;
  uint64_t cache = 0;

  bool on_hostfs() const { return fs.starts_with("hostfs:"); }
  bool on_etcd() const { return fs.starts_with("etcd:"); }
  bool cache_workloads() const { return missing || !cached_names.empty() || host_tree; }
};

}  // namespace rcuvfs::tools::bench
