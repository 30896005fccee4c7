// Vfs: one rcuvfs namespace — a mount tree and the registry of filesystem types.
//
//   auto vfs = rcuvfs::Vfs::create();          // root: a fresh memfs, 0755 root:root
//   auto task = vfs->new_task();               // uid 0, cwd = root, umask 022
//   task->mkdirat(AT_FDCWD, "a", 0755);
//   auto st = task->statx(AT_FDCWD, "a", 0, STATX_BASIC_STATS);
#pragma once

#include <rcuvfs/counters.h>
#include <rcuvfs/result.h>
#include <rcuvfs/security.h>
#include <rcuvfs/task.h>
#include <rcuvfs/uapi.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs {

class FsType;
namespace core {
struct VfsState;
}

class Vfs {
 public:
  // A namespace whose root is a fresh filesystem of type `root_fstype` ("memfs" by
  // default; any registered type, with its option string).
  static Result<std::unique_ptr<Vfs>> create(std::string_view root_fstype = "memfs",
                                             std::string_view options = "");
  ~Vfs();
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  std::unique_ptr<Task> new_task(Cred cred = {});

  // Filesystem types known to this namespace: the built-in ones plus any registered.
  Status register_fs(std::shared_ptr<FsType> type);
  std::vector<std::string> fs_types() const;

  // Stack a security module on top of those already registered (they are consulted
  // in registration order, after the DAC checks).
  Status add_security_module(std::shared_ptr<SecurityModule> module);

  // Walker counters summed over every thread (live and exited).
  static Counters counters();

  core::VfsState& state() { return *s_; }

 private:
  explicit Vfs(std::unique_ptr<core::VfsState> s);
  std::unique_ptr<core::VfsState> s_;
};

}  // namespace rcuvfs
