#include "resolve/rcuvfs_world.h"

#include "resolve/tree.h"

namespace rcuvfs::resolve_test {

RcuvfsWorld::RcuvfsWorld(Task::WalkMode mode) {
  auto vfs = Vfs::create("memfs");
  if (!vfs.ok()) {
    error_ = "Vfs::create(memfs) failed: errno " + std::to_string(vfs.error());
    return;
  }
  vfs_ = std::move(*vfs);
  task_ = vfs_->new_task();
  task_->umask(022);
  TreeOps ops;
  ops.mkdir = [&](const std::string& p) { return task_->mkdirat(AT_FDCWD, p, 0755).error(); };
  ops.mkfile = [&](const std::string& p) {
    return task_->mknodat(AT_FDCWD, p, S_IFREG | 0644, 0).error();
  };
  ops.symlink = [&](const std::string& t, const std::string& p) {
    return task_->symlinkat(t, AT_FDCWD, p).error();
  };
  ops.mount = [&](const std::string& p) { return task_->mount("memfs", "/" + p).error(); };
  std::string why;
  if (!build_tree(ops, &why)) {
    error_ = "building the tree: " + why;
    return;
  }
  task_->set_walk_mode(mode);
  auto root = task_->openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY);
  if (!root.ok()) {
    error_ = "opening the root: errno " + std::to_string(root.error());
    return;
  }
  root_ = *root;
}

RcuvfsWorld::~RcuvfsWorld() {
  if (task_ && root_ >= 0) (void)task_->close(root_);
  task_.reset();
  vfs_.reset();
}

int RcuvfsWorld::openat(int dirfd, const std::string& path, int flags) {
  auto fd = task_->openat(dirfd, path, flags);
  return fd.ok() ? *fd : -fd.error();
}

Outcome RcuvfsWorld::openat2(int dirfd, const std::string& path, const open_how& how) {
  auto fd = task_->openat2(dirfd, path, how);
  if (!fd.ok()) return Outcome::failure(fd.error());
  auto p = task_->fdpath(*fd);
  (void)task_->close(*fd);
  if (!p.ok()) return Outcome::success("<fdpath failed: errno " + std::to_string(p.error()) + ">");
  return Outcome::success(*p);
}

void RcuvfsWorld::close(int fd) { (void)task_->close(fd); }

}  // namespace rcuvfs::resolve_test
