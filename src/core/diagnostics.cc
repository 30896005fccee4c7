#include <rcuvfs/diagnostics.h>

#include "core/counters.h"
#include "core/dcache.h"
#include "core/internals.h"
#include "core/inject.h"
#include "core/task_state.h"

#include <cerrno>

namespace rcuvfs::diag {

Result<Statx> floor_stat(Task& task, std::string_view path) {
  // One Result, returned from one place: built in the caller's storage and filled in
  // place, as Task::statx's is.
  Result<Statx> st(std::in_place);
  const core::FsContext* fs = core::state_of(task).fs.load(std::memory_order_relaxed);
  core::Dentry* d = fs->root.dentry;
  // Components hashed as the walker does: short ones from one load that may start
  // before them, inside the string.
  const char* const lo = path.data();
  const core::dtable::Table* const table = core::dtable::current();
  while (d && !path.empty()) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) break;
    uint32_t seq;
    const core::Component c = core::hash_component(path.data(), path.size(), lo);
    const char* name = path.data();
    path.remove_prefix(c.len());
    d = core::d_lookup_rcu(table, d, c, name, &seq);
  }
  if (Inode* inode = d ? d->inode.load(std::memory_order_relaxed) : nullptr)
    attr_snapshot_locked(*inode, *st);
  else
    st = Err{ENOENT};
  return st;
}

uint64_t thread_counter(Counter c) {
  return core::my_counters().counter[static_cast<size_t>(c)].load(std::memory_order_relaxed);
}

unsigned injected() { return core::inject(); }

void set_inject(unsigned bugs) {
  static_assert(kSkipValidation == core::kInjectSkipValidation);
  static_assert(kSkipParentRecheck == core::kInjectSkipParentRecheck);
  static_assert(kNoAttrSnapshot == core::kInjectNoAttrSnapshot);
  static_assert(kEvictHashed == core::kInjectEvictHashed);
  static_assert(kAccessSkipValidation == core::kInjectAccessSkipValidation);
  static_assert(kReadlinkSkipValidation == core::kInjectReadlinkSkipValidation);
  static_assert(kXattrSkipValidation == core::kInjectXattrSkipValidation);
  core::set_inject(bugs);
}

}  // namespace rcuvfs::diag
