// The directory tree of the kernel's openat2 resolve selftest (plus a few extra
// entries), described once as a list of steps and built in either world.
//
// Paths are relative to the tree root. On rcuvfs the tree root is the namespace root
// "/"; on Linux it is the root of a private tmpfs the sandbox chroots into, so an
// absolute symlink such as "/etc/passwd" means the same object in both worlds.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace rcuvfs::resolve_test {

struct TreeStep {
  enum Kind { kDir, kFile, kSymlink, kMount } kind;
  std::string path;    // where, relative to the tree root
  std::string target;  // symlink body (kSymlink only)
};

// The steps, in order (a mount comes before the entries created inside it).
const std::vector<TreeStep>& tree_steps();

// One primitive per step kind, returning 0 or a positive errno; build_tree runs the
// steps through them and stops at the first failure, describing it in *why.
struct TreeOps {
  std::function<int(const std::string& path)> mkdir;
  std::function<int(const std::string& path)> mkfile;
  std::function<int(const std::string& target, const std::string& path)> symlink;
  std::function<int(const std::string& path)> mount;
};
bool build_tree(const TreeOps& ops, std::string* why);

}  // namespace rcuvfs::resolve_test
