#include "core/task_state.h"

#include "core/rcu.h"

namespace rcuvfs::core {

TaskState::~TaskState() {
  if (FsContext* f = fs.load()) {
    path_put(f->root);
    path_put(f->cwd);
    delete f;
  }
  delete cred.load();
}

void TaskState::set_fs(const Path* root, const Path* cwd) {
  FsContext* old;
  {
    std::lock_guard g(fs_lock);
    old = fs.load(std::memory_order_relaxed);
    auto* n = new FsContext;
    n->root = root ? *root : path_get(old->root);
    n->cwd = cwd ? *cwd : path_get(old->cwd);
    fs.store(n, std::memory_order_release);
  }
  // Walks read the old context without references: wait for them before dropping.
  rcu_synchronize();
  path_put(old->root);
  path_put(old->cwd);
  delete old;
}

}  // namespace rcuvfs::core
