#include "tools/bench/tree_shape.h"

#include <algorithm>

namespace rcuvfs::tools::bench {

std::string TreeShape::dir(int subtree, int level) const {
  std::string p = "b/t" + std::to_string(subtree);
  for (int k = 1; k <= level; ++k) p += "/d" + std::to_string(k);
  return p;
}

std::string TreeShape::file(int subtree) const { return dir(subtree, depth_) + "/file"; }

std::vector<int> TreeShape::writer_levels() const {
  std::vector<int> levels;
  for (int level : {1, (depth_ + 1) / 2, depth_})
    if (levels.empty() || levels.back() != level) levels.push_back(level);
  return levels;
}

std::vector<TreeShape::Entry> TreeShape::entries() const {
  const std::vector<int> levels = writer_levels();
  std::vector<Entry> out{{"b", true}};
  for (int t = 0; t < subtrees_; ++t) {
    out.push_back({dir(t, 0), true});
    for (int k = 1; k <= depth_; ++k) {
      out.push_back({dir(t, k), true});
      if (std::find(levels.begin(), levels.end(), k) != levels.end())
        out.push_back({dir(t, k) + "/" + kWriterNameA, false});
    }
    out.push_back({file(t), false});
  }
  return out;
}

}  // namespace rcuvfs::tools::bench
