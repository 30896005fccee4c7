// Task construction, identity (creds, umask), cwd and root.
#include "core/ops_common.h"
#include "core/rcu.h"

#include <rcuvfs/vfs.h>

#include <cerrno>

namespace rcuvfs {

using namespace core;

Task::Task(std::unique_ptr<TaskState> state) : s_(std::move(state)) {}
Task::~Task() = default;

mode_t Task::umask(mode_t mask) { return s_->umask.exchange(mask & 0777); }

void Task::set_cred(Cred cred) {
  const Cred* old;
  {
    std::lock_guard g(s_->cred_lock);
    // The security layers stay: a sandboxed task must not shed them by switching ids.
    cred.domain = s_->cred.load(std::memory_order_relaxed)->domain;
    old = s_->cred.exchange(new Cred(std::move(cred)), std::memory_order_acq_rel);
  }
  rcu_defer_call([old] { delete old; });
}

Status Task::restrict_self(std::unique_ptr<SecurityDomain> layer) {
  if (!layer) return Err{EINVAL};
  const Cred* old;
  {
    std::lock_guard g(s_->cred_lock);
    old = s_->cred.load(std::memory_order_relaxed);
    auto* next = new Cred(*old);
    // Linked before publication, immutable after: RCU walks read the chain.
    SecPathAccess::link(*layer, old->domain);
    next->domain = std::shared_ptr<const SecurityDomain>(std::move(layer));
    s_->cred.store(next, std::memory_order_release);
  }
  rcu_defer_call([old] { delete old; });
  return {};
}

Cred Task::cred() const { return current_cred(*s_); }

void Task::set_walk_mode(WalkMode mode) {
  switch (mode) {
    case WalkMode::kSpeculative: s_->lookup_flags = 0; break;
    case WalkMode::kLinux: s_->lookup_flags = kLookupLeaveRcu; break;
    case WalkMode::kRefOnly: s_->lookup_flags = kLookupRefOnly; break;
  }
}

namespace {
// The directory at `path` that chdir/chroot may enter (search permission).
Result<Path> enterable_dir(TaskState& t, int dirfd, std::string_view path, unsigned extra) {
  auto p = lookup_path(t, dirfd, path, kLookupFollow | kLookupDirectory | extra);
  if (!p.ok()) return p;
  PathRef ref(*p);
  if (int err = inode_permission(*t.vfs, sec_path(t, ref.get(), ref.inode()), kMayExec,
                                 current_cred(t)))
    return Err{-err};
  return ref.release();
}
}  // namespace

Status Task::chdir(std::string_view path) {
  RCUVFS_TRY(check_path(path, false));
  auto p = enterable_dir(*s_, AT_FDCWD, path, 0);
  if (!p.ok()) return Err{p.error()};
  s_->set_fs(nullptr, &*p);
  return {};
}

Status Task::fchdir(int fd) {
  auto p = enterable_dir(*s_, fd, "", kLookupEmpty);
  if (!p.ok()) return Err{p.error()};
  s_->set_fs(nullptr, &*p);
  return {};
}

Status Task::chroot(std::string_view path) {
  RCUVFS_TRY(check_path(path, false));
  auto p = enterable_dir(*s_, AT_FDCWD, path, 0);
  if (!p.ok()) return Err{p.error()};
  if (!current_cred(*s_).is_root()) {
    path_put(*p);
    return Err{EPERM};
  }
  s_->set_fs(&*p, nullptr);
  return {};
}

}  // namespace rcuvfs
