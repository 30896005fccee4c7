// What a torture run found: the figures, the human summary and the JSON document.
#pragma once

#include "tools/torture/options.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace rcuvfs::torture {

struct Report {
  std::string scenario, fs, inject;
  int threads = 0;
  double seconds = 0;  // how long the workload actually ran
  uint64_t ops = 0;    // writer operations (rename-attack: exchanges)
  uint64_t stats = 0;  // checked stats (rename-attack: scoped walks)
  uint64_t stat_speculative = 0, stat_fallback = 0;
  uint64_t accesses = 0;  // of the checked stats, faccessat2 calls
  uint64_t access_speculative = 0, access_fallback = 0;
  uint64_t xattr_reads = 0;  // of the checked stats, getxattr and listxattr calls
  uint64_t xattr_speculative = 0, xattr_fallback = 0;
  uint64_t readlinks = 0;  // of the checked stats, readlinkat calls
  uint64_t readlink_speculative = 0, readlink_fallback = 0;
  uint64_t fstats = 0;  // of the checked stats, fstat calls (counted with the stats)
  uint64_t renames = 0, unlinks = 0, recycled = 0, mounts = 0;
  uint64_t reclaimed = 0;  // dentries the cache's shrinker evicted during the run
  // Changes made outside the readers' instance (on hostfs's host, or through etcd's
  // writers' instance): each one's time until the readers saw it (microseconds), and
  // the changes not shown after the longest wait
  std::vector<uint32_t> lag_us;
  uint64_t late = 0;
  uint64_t violations = 0, escapes = 0;
  std::string first_violation;  // or the first escape
  double caught_after = -1;     // seconds until the first violation, when there was one
  std::string error;            // the run itself failed (a writer's operation failed)
  // rename-attack only
  uint64_t walks_ok = 0, eagain = 0, exdev = 0, rename_seq_fallbacks = 0;
};

void print_summary(std::FILE* out, const Report& r);
std::string to_json(const Report& r);
// 0 when the run proved what it was for: nothing found, or, with an injected bug,
// the bug caught. 1 otherwise.
int exit_status(const Report& r);

}  // namespace rcuvfs::torture
