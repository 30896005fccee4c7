#include "tools/bench/vfs_tree.h"

#include <cstring>

namespace rcuvfs::tools::bench {

std::string build_vfs_tree(Task& task, const TreeShape& shape) {
  for (const TreeShape::Entry& e : shape.entries()) {
    Status st = e.is_dir ? task.mkdirat(AT_FDCWD, e.path, 0755)
                         : task.mknodat(AT_FDCWD, e.path, S_IFREG | 0644, 0);
    if (!st.ok()) return "rcuvfs: cannot create " + e.path + ": " + std::strerror(st.error());
  }
  return "";
}

}  // namespace rcuvfs::tools::bench
