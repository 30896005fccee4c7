// The rcuvfs side: a memfs namespace holding the tree at its root "/" (a second
// memfs mounted on /mnt), and a World over one of its tasks in a chosen walk mode.
#pragma once

#include "resolve/runner.h"

#include <rcuvfs/vfs.h>

#include <memory>
#include <string>

namespace rcuvfs::resolve_test {

class RcuvfsWorld : public World {
 public:
  // Builds the tree; on failure ok() is false and error() says why.
  explicit RcuvfsWorld(Task::WalkMode mode);
  ~RcuvfsWorld() override;
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  int root_fd() override { return root_; }
  int openat(int dirfd, const std::string& path, int flags) override;
  Outcome openat2(int dirfd, const std::string& path, const open_how& how) override;
  void close(int fd) override;

 private:
  std::unique_ptr<Vfs> vfs_;
  std::unique_ptr<Task> task_;
  int root_ = -1;
  std::string error_;
};

}  // namespace rcuvfs::resolve_test
