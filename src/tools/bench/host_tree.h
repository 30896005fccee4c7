// The benchmark tree on the host, for `kernel` mode.
//
// As root it lives on a private tmpfs, so the kernel is measured on an in-memory
// filesystem like memfs and on nothing another process touches. The tmpfs is
// detached right after the root directory is opened: the tree then exists only as
// long as our descriptor, and nothing stays mounted if the benchmark is killed.
// Otherwise it lives in a fresh directory under $TMPDIR (or /tmp), removed by the
// destructor.
#pragma once

#include "tools/bench/tree_shape.h"

#include <memory>
#include <string>

namespace rcuvfs::tools::bench {

class HostTree {
 public:
  // nullptr and *error set when the tree cannot be made. With `parent`, the tree is
  // a fresh directory under it instead (for hostfs, which serves that directory).
  static std::unique_ptr<HostTree> create(const TreeShape& shape, std::string* error,
                                          const std::string& parent = "");
  ~HostTree();
  HostTree(const HostTree&) = delete;
  HostTree& operator=(const HostTree&) = delete;

  // Directory descriptor of the tree root: stat TreeShape paths relative to it.
  int root_fd() const { return fd_; }
  // Where the tree is, for the report ("a private tmpfs", "/tmp/rcuvfs-bench.X").
  const std::string& where() const { return where_; }
  // The tree's directory path; empty on the private tmpfs (it has none).
  const std::string& dir() const { return remove_dir_; }

 private:
  HostTree() = default;
  int fd_ = -1;
  std::string remove_dir_;  // what the destructor removes; empty for the tmpfs
  std::string where_;
};

}  // namespace rcuvfs::tools::bench
