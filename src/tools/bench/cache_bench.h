// `rcuvfs bench --missing N | --cached-names LIST | --host-tree N`: the dentry cache
// against its budget.
//
//   --missing N        stats of N distinct missing names in one memfs directory, with
//                      the namespace's budget (--cache): the process's resident set
//                      and the stat of an unrelated deep path, before and after
//   --cached-names L   the stat of a deep path with each count of other names cached
//                      (memfs files, 1000 per directory), growing, then in a fresh
//                      namespace once that one is gone: the hash table grows with
//                      the names and shrinks back when they go
//   --host-tree N      random stats over a host tree of N files served by hostfs with
//                      a budget it does not fit in: stats/s beside the kernel's statx
//                      of the same files, the dcache's hit rate, the speculative
//                      fraction and the host descriptors held
// Each stat time is the median over rounds of ns per stat on one thread.
#pragma once

#include <rcuvfs/vfs.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

struct CacheBenchSetup {
  uint64_t budget = 64 << 20;  // the namespace's dcache budget
  double seconds = 0.3;        // per round of a stat timing
  int rounds = 5;
  std::string host_parent = "/dev/shm";  // where --host-tree makes its tree
};

struct MissingOutcome {
  uint64_t names = 0;
  double seconds = 0;           // all the missing-name stats
  double path_ns_before = 0, path_ns_after = 0;
  int64_t rss_base = 0;         // after the namespace was made, before the names
  int64_t rss_after = 0, rss_peak = 0;
  CacheStats cache;
};

struct CachedNamesPoint {
  uint64_t names = 0;      // names cached besides the deep path
  double path_ns = 0;
  uint64_t buckets = 0;    // the dcache hash table's chains then
  int64_t rss = 0;
};

struct HostTreeOutcome {
  uint64_t files = 0, fd_budget = 0;
  uint64_t stats = 0, failed = 0;
  double ns_per_stat = 0, kernel_ns_per_stat = 0;
  double hit_rate = 0;              // dcache hits / (hits + misses) over the timed stats
  double speculative_fraction = 0;  // stats that never left RCU mode
  int base_fds = 0, max_fds = 0;    // descriptors open before, and at most during
  CacheStats cache;
};

// Each returns an error message, or "" with the outcome filled.
std::string run_missing_bench(const CacheBenchSetup& s, uint64_t names, MissingOutcome* out);
std::string run_cached_names_bench(const CacheBenchSetup& s, std::vector<uint64_t> counts,
                                   std::vector<CachedNamesPoint>* out);
std::string run_host_tree_bench(const CacheBenchSetup& s, uint64_t files,
                                HostTreeOutcome* out);

}  // namespace rcuvfs::tools::bench
