// The benchmark tree in an rcuvfs namespace, built through the public API only.
#pragma once

#include "tools/bench/tree_shape.h"

#include <rcuvfs/task.h>

#include <string>

namespace rcuvfs::tools::bench {

// Creates every entry of `shape` under the task's root. Returns an error message
// naming the failed path, or "" on success.
std::string build_vfs_tree(Task& task, const TreeShape& shape);

}  // namespace rcuvfs::tools::bench
