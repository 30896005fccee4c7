// The cases: every case of the kernel's openat2 resolve selftest that does not need
// procfs (magic links), the two /proc-based RESOLVE_NO_XDEV cases re-aimed at the
// tree's own mount point, and extra cases (combinations, RESOLVE_CACHED, O_CREAT
// through dangling links, O_PATH|O_NOFOLLOW, `..` at the root, invalid arguments).
#pragma once

#include "resolve/outcome.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rcuvfs::resolve_test {

struct ResolveCase {
  std::string name;
  std::string dir;  // the dirfd: "" is the tree root, else this path opened from it
                    // with O_PATH|O_DIRECTORY ("/" is the tree root too)
  std::string path;
  uint64_t flags = 0;
  uint64_t mode = 0;
  uint64_t resolve = 0;
  std::optional<Outcome> expect;  // the outcome the selftest (or its analogue) demands
};

const std::vector<ResolveCase>& resolve_cases();

// Selftest cases left out because they need procfs magic links, with the reason.
const std::vector<std::string>& skipped_selftest_cases();

}  // namespace rcuvfs::resolve_test
