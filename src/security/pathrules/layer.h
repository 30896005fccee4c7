// One pathrules layer of a task's domain: an immutable, sorted rule table.
//
// Shared by every Cred that carries the layer and read by RCU walks: nothing in it
// changes after restrict_self publishes it, so no lock guards it.
#pragma once

#include <rcuvfs/security/pathrules.h>

#include <algorithm>
#include <vector>

namespace rcuvfs::pathrules {

// The tag that marks a SecurityDomain as a pathrules layer.
inline constexpr char kLayerTag = 0;

class Layer final : public SecurityDomain {
 public:
  Layer(AccessMask handled, std::vector<std::pair<InodeId, AccessMask>> rules)
      : SecurityDomain(&kLayerTag), handled_(handled), rules_(std::move(rules)) {
    std::sort(rules_.begin(), rules_.end());
  }

  AccessMask handled() const { return handled_; }
  // The rights granted by a rule on `id` (0: none). Binary search, no allocation.
  AccessMask granted(const InodeId& id) const {
    auto it = std::lower_bound(rules_.begin(), rules_.end(), id,
                               [](const auto& r, const InodeId& k) { return r.first < k; });
    return it != rules_.end() && it->first == id ? it->second : 0;
  }

  static const Layer* of(const SecurityDomain* d) {
    return d->tag() == &kLayerTag ? static_cast<const Layer*>(d) : nullptr;
  }

 private:
  AccessMask handled_;
  std::vector<std::pair<InodeId, AccessMask>> rules_;  // sorted by id, merged
};

}  // namespace rcuvfs::pathrules
