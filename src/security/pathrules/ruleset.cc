// Building rulesets and installing them as layers.
#include "security/pathrules/layer.h"

#include <cerrno>

namespace rcuvfs::pathrules {

Status Ruleset::allow(const InodeId& id, AccessMask access) {
  if (access == 0 || (access & ~handled_)) return Err{EINVAL};
  for (auto& [rid, mask] : rules_)
    if (rid == id) {
      mask |= access;
      return {};
    }
  rules_.emplace_back(id, access);
  return {};
}

Status Ruleset::allow(Task& task, std::string_view path, AccessMask access) {
  if (access == 0 || (access & ~handled_)) return Err{EINVAL};
  auto id = inode_id_at(task, AT_FDCWD, path);
  if (!id.ok()) return Err{id.error()};
  return allow(*id, access);
}

Status restrict_self(Task& task, const Ruleset& rules) {
  return task.restrict_self(std::make_unique<Layer>(rules.handled(), rules.rules()));
}

}  // namespace rcuvfs::pathrules
