// Options of `rcuvfs torture`, and the names it accepts for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rcuvfs::torture {

struct Options {
  std::string scenario = "mixed";  // "mixed" or "rename-attack"
  std::string fs = "memfs";        // the root filesystem type, or etcd:<its options>
  double seconds = 10;             // run time; with an injected bug, the most to wait
  int threads = 4;                 // reader (or victim) threads
  uint32_t seed = 1;
  std::string inject;              // "" or a bug name (parse_inject)
  uint64_t cache = 0;              // the dentry cache's budget in bytes; 0: the default
  bool host_writer = false;        // hostfs: change the host behind rcuvfs's back
  std::string host_watch = "1";    // hostfs's watch= option: 1 (inotify), inotify, fanotify, 0
  bool json = false;
  bool progress = true;            // the progress line on stderr
};

// The diag::Inject bit for a bug name ("skip-validation", "skip-parent-recheck",
// "no-attr-snapshot", "evict-hashed", "drop-watch-events", "access-skip-validation",
// "xattr-in-place", "readlink-skip-validation", "xattr-skip-validation"), or nothing.
std::optional<unsigned> parse_inject(std::string_view name);
bool known_scenario(std::string_view name);
bool known_fs(std::string_view name);
bool known_host_watch(std::string_view name);

inline constexpr const char* kInjectNames =
    "skip-validation, skip-parent-recheck, no-attr-snapshot, evict-hashed, drop-watch-events, "
    "access-skip-validation, xattr-in-place, readlink-skip-validation, xattr-skip-validation";
inline constexpr const char* kScenarioNames = "mixed, rename-attack";
inline constexpr const char* kFsNames =
    "memfs, recyclefs, legacyfs, hostfs, etcd:ENDPOINTS[,prefix=P]";
inline constexpr const char* kHostWatchNames = "1, inotify, fanotify, 0";

}  // namespace rcuvfs::torture
