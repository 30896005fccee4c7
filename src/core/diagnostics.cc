#include <rcuvfs/diagnostics.h>

#include "core/counters.h"
#include "core/dcache.h"
#include "core/namei.h"
#include "core/task_state.h"

#include <cerrno>

namespace rcuvfs::diag {

Result<Statx> floor_stat(Task& task, std::string_view path) {
  const core::FsContext* fs = task.state().fs.load(std::memory_order_relaxed);
  core::Dentry* d = fs->root.dentry;
  while (!path.empty()) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) break;
    uint32_t seq;
    const core::Component c = core::hash_component(path);
    const char* name = path.data();
    path.remove_prefix(c.len());
    d = core::d_lookup_rcu(d, c, name, &seq);
    if (!d) return Err{ENOENT};
  }
  Inode* inode = d->inode.load(std::memory_order_relaxed);
  if (!inode) return Err{ENOENT};
  Statx st{};
  attr_snapshot_locked(*inode, st);
  return st;
}

uint64_t thread_counter(Counter c) {
  return core::my_counters().counter[static_cast<size_t>(c)].load(std::memory_order_relaxed);
}

void set_inject(unsigned bugs) {
  static_assert(kSkipValidation == core::kInjectSkipValidation);
  static_assert(kSkipParentRecheck == core::kInjectSkipParentRecheck);
  static_assert(kNoAttrSnapshot == core::kInjectNoAttrSnapshot);
  core::set_inject(bugs);
}

}  // namespace rcuvfs::diag
