// The core's view of the public objects: the state behind a Task or a Vfs. Not
// installed: only the core, and tests that inspect the core, include it. The public
// headers name core::Internals as a friend and expose nothing else of the state.
#pragma once

#include "core/task_state.h"
#include "core/vfs_state.h"

#include <rcuvfs/task.h>
#include <rcuvfs/vfs.h>

namespace rcuvfs::core {

struct Internals {
  static TaskState& state(Task& t) { return *t.s_; }
  static VfsState& state(Vfs& v) { return *v.s_; }
};

inline TaskState& state_of(Task& t) { return Internals::state(t); }
inline VfsState& state_of(Vfs& v) { return Internals::state(v); }

}  // namespace rcuvfs::core
