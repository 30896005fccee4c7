#include "tools/torture/options.h"

#include <rcuvfs/diagnostics.h>

namespace rcuvfs::torture {

std::optional<unsigned> parse_inject(std::string_view name) {
  if (name == "skip-validation") return diag::kSkipValidation;
  if (name == "skip-parent-recheck") return diag::kSkipParentRecheck;
  if (name == "no-attr-snapshot") return diag::kNoAttrSnapshot;
  if (name == "evict-hashed") return diag::kEvictHashed;
  if (name == "drop-watch-events") return diag::kDropWatchEvents;
  if (name == "access-skip-validation") return diag::kAccessSkipValidation;
  if (name == "xattr-in-place") return diag::kXattrInPlace;
  if (name == "readlink-skip-validation") return diag::kReadlinkSkipValidation;
  if (name == "xattr-skip-validation") return diag::kXattrSkipValidation;
  return std::nullopt;
}

bool known_scenario(std::string_view name) {
  return name == "mixed" || name == "rename-attack";
}

bool known_host_watch(std::string_view name) {
  return name == "1" || name == "inotify" || name == "fanotify" || name == "0";
}

bool known_fs(std::string_view name) {
  return name == "memfs" || name == "recyclefs" || name == "legacyfs" || name == "hostfs" ||
         (name.rfind("etcd:", 0) == 0 && name.size() > 5);
}

}  // namespace rcuvfs::torture
