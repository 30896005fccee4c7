// The `lock` baseline: the simplest thread-safe user-space VFS. A plain tree of
// nodes (children in a hash map, attributes in a struct) behind one global
// reader-writer lock that a stat holds shared for its whole walk.
//
// It is what rcuvfs would be without RCU: lookups are just as cheap, but every stat
// writes the lock's reader count, one cache line that all cores then fight over.
#pragma once

#include <rcuvfs/uapi.h>

#include <memory>
#include <shared_mutex>
#include <string_view>

namespace rcuvfs::tools::bench {

class LockTree {
 public:
  LockTree();
  ~LockTree();
  LockTree(const LockTree&) = delete;
  LockTree& operator=(const LockTree&) = delete;

  // Creates the last component of `path` (relative to the root, '/'-separated) as a
  // directory or a regular file, per `mode`. False if the parent is missing, is not
  // a directory, or the name exists.
  bool create(std::string_view path, mode_t mode);

  // Fills `out` for `path` (a leading '/' is allowed). False if it does not resolve.
  bool stat(std::string_view path, Statx& out) const;

 private:
  struct Node;
  const Node* find_locked(std::string_view path) const;

  mutable std::shared_mutex lock_;
  uint64_t next_ino_ = 1;  // before root_: the root takes the first number
  std::unique_ptr<Node> root_;
};

}  // namespace rcuvfs::tools::bench
