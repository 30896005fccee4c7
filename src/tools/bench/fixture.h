// Everything the cells measure against, built once per run: the rcuvfs namespace,
// the lock baseline and (for `kernel`) the host tree, all of one TreeShape.
#pragma once

#include "tools/bench/options.h"

#include "tools/bench/host_tree.h"
#include "tools/bench/lock_tree.h"
#include "tools/bench/tree_shape.h"

#include <rcuvfs/vfs.h>

#include <memory>
#include <string>
#include <vector>

namespace rcuvfs::tools::bench {

struct Fixture {
  explicit Fixture(const TreeShape& s) : shape(s) {}

  TreeShape shape;
  std::unique_ptr<Vfs> vfs;
  LockTree lock_tree;
  std::unique_ptr<HostTree> host;  // null unless asked for
  // Per subtree, the stat target: absolute ("/b/t<i>/.../file") for rcuvfs and the
  // lock tree, relative to host->root_fd() for the kernel. Same components.
  std::vector<std::string> abs_paths;
  std::vector<std::string> rel_paths;
  Call call = Call::kStat;  // what the workers call on those paths
};

// The attribute `--call getxattr` reads (and `listxattr` lists): set on every target,
// in the rcuvfs namespace and in the host tree.
inline constexpr const char* kBenchXattr = "user.bench";
inline constexpr std::string_view kBenchXattrValue = "0123456789abcdef0123456789abcdef";
// `--call readlink` reads the symlink beside each target, named after it with this
// suffix and pointing at it.
inline constexpr const char* kBenchLinkSuffix = ".l";
// Linux 6.13's getxattrat and listxattrat, which glibc 2.36 has no wrappers for.
inline constexpr long kSysGetxattrat = 464, kSysListxattrat = 465;

// The DIR of "hostfs:[OPTS,]DIR".
std::string hostfs_dir(const std::string& fs);

// nullptr and *error set on failure.
// `fs`: "memfs", or "hostfs:[OPTS,]DIR" to serve the host tree (made under DIR) with
// hostfs, so that rcuvfs and the kernel stat the very same files.
std::unique_ptr<Fixture> build_fixture(const TreeShape& shape, bool with_host,
                                       const std::string& fs, std::string* error);

}  // namespace rcuvfs::tools::bench
