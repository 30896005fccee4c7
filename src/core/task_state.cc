#include "core/task_state.h"

#include "core/rcu.h"

#include <cstdlib>
#include <new>

namespace rcuvfs::core {

namespace {
FdArray* new_array(size_t n) {
  void* mem = ::operator new(sizeof(FdArray) + (n - 1) * sizeof(std::atomic<File*>));
  auto* a = static_cast<FdArray*>(mem);
  a->size = n;
  for (size_t i = 0; i < n; ++i) new (&a->slot[i]) std::atomic<File*>(nullptr);
  return a;
}
}  // namespace

TaskState::~TaskState() {
  if (FdArray* a = fds.load()) {
    for (size_t i = 0; i < a->size; ++i)
      if (File* f = a->slot[i].load()) fput(f);
    ::operator delete(a);
  }
  if (FsContext* f = fs.load()) {
    path_put(f->root);
    path_put(f->cwd);
    delete f;
  }
  delete cred.load();
}

File* TaskState::fd_peek_rcu(int fd) const {
  const FdArray* a = fds.load(std::memory_order_acquire);
  if (fd < 0 || !a || static_cast<size_t>(fd) >= a->size) return nullptr;
  return a->slot[fd].load(std::memory_order_acquire);
}

File* TaskState::fd_get(int fd) {
  // Slots are written under fd_lock; taking the reference there makes it safe
  // against a concurrent close.
  std::lock_guard g(fd_lock);
  File* f = fd_peek_rcu(fd);
  return f ? fget(f) : nullptr;
}

int TaskState::fd_install(File* f) {
  std::lock_guard g(fd_lock);
  FdArray* a = fds.load(std::memory_order_relaxed);
  size_t n = a ? a->size : 0;
  for (size_t i = 3; i < n; ++i) {
    if (!a->slot[i].load(std::memory_order_relaxed)) {
      a->slot[i].store(f, std::memory_order_release);
      return static_cast<int>(i);
    }
  }
  size_t grown = n ? n * 2 : 64;
  FdArray* b = new_array(grown);
  for (size_t i = 0; i < n; ++i)
    b->slot[i].store(a->slot[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
  size_t slot = n < 3 ? 3 : n;
  b->slot[slot].store(f, std::memory_order_relaxed);
  fds.store(b, std::memory_order_release);
  if (a) rcu_defer_call([a] { ::operator delete(a); });
  return static_cast<int>(slot);
}

File* TaskState::fd_remove(int fd) {
  std::lock_guard g(fd_lock);
  FdArray* a = fds.load(std::memory_order_relaxed);
  if (fd < 0 || !a || static_cast<size_t>(fd) >= a->size) return nullptr;
  return a->slot[fd].exchange(nullptr, std::memory_order_acq_rel);
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
