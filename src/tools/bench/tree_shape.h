// The benchmark's namespace, identical in every backend (rcuvfs memfs, the lock
// baseline, the host's tmpfs):
//
//   b/t<i>/d1/d2/.../d<depth>/file      one subtree per thread (at least 4)
//   b/t<i>/d<k>/x_a                     for k in writer_levels(): the entry the
//                                       writer renames to x_b and back
//
// The x_* entries sit inside walked directories, so renames dirty exactly the
// directories a stat passes through, but never a component of the walked path.
#pragma once

#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

class TreeShape {
 public:
  TreeShape(int depth, int subtrees) : depth_(depth), subtrees_(subtrees) {}

  int depth() const { return depth_; }
  int subtrees() const { return subtrees_; }

  // Relative paths (no leading '/'): every backend resolves them from its root.
  std::string file(int subtree) const;            // b/t<i>/d1/.../d<depth>/file
  std::string dir(int subtree, int level) const;  // b/t<i>/d1/.../d<level>
  // Directory levels that hold a renamable x_a: the first, the middle, the last.
  std::vector<int> writer_levels() const;

  struct Entry {
    std::string path;
    bool is_dir;
  };
  // Everything to create, parents before children.
  std::vector<Entry> entries() const;

 private:
  int depth_;
  int subtrees_;
};

// Names the writer toggles between, inside each writer-level directory.
inline constexpr const char* kWriterNameA = "x_a";
inline constexpr const char* kWriterNameB = "x_b";

}  // namespace rcuvfs::tools::bench
