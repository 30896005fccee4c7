// Executor: runs shell lines (protocol: docs/shell-protocol.md) against a ShellBackend.
//
//   TaskBackend backend(*task);
//   Executor ex(backend);
//   if (auto out = ex.run_line("mkdir a")) puts(out->c_str());   // "ok"
//
// Every line that is not blank or a comment yields exactly one output line:
// "ok ...", "err ENAME" or "bad <message>".
#pragma once

#include "shell/backend.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs::shell {

class Executor {
 public:
  explicit Executor(ShellBackend& backend) : b_(backend) {}

  // The output line for `line` (without a newline), or nullopt for a blank or
  // comment line.
  std::optional<std::string> run_line(std::string_view line);

  // True once any line was malformed (answered with `bad`).
  bool saw_bad() const { return saw_bad_; }

  // The command word of a line ("mkdir", "stats", ...) after an optional `at FD`
  // prefix; empty for blank, comment or untokenizable lines.
  static std::string command_of(std::string_view line);

  struct Args {
    int dirfd;                      // AT_FDCWD, or the FD of an `at FD` prefix
    std::vector<std::string> argv;  // arguments after the command word
  };

 private:
  std::string execute(std::vector<std::string> tokens);

  // One handler per command; each returns the complete output line.
  std::string cmd_mkdir(const Args& a);
  std::string cmd_create(const Args& a);
  std::string cmd_mknod(const Args& a);
  std::string cmd_write(const Args& a);
  std::string cmd_append(const Args& a);
  std::string cmd_read(const Args& a);
  std::string cmd_symlink(const Args& a);
  std::string cmd_link(const Args& a);
  std::string cmd_unlink(const Args& a);
  std::string cmd_rmdir(const Args& a);
  std::string cmd_rename(const Args& a);
  std::string cmd_readlink(const Args& a);
  std::string cmd_stat(const Args& a);
  std::string cmd_access(const Args& a);
  std::string cmd_statfs(const Args& a);
  std::string cmd_getxattr(const Args& a);
  std::string cmd_setxattr(const Args& a);
  std::string cmd_listxattr(const Args& a);
  std::string cmd_removexattr(const Args& a);
  std::string cmd_ls(const Args& a);
  std::string cmd_open(const Args& a);
  std::string cmd_close(const Args& a);
  std::string cmd_fdpath(const Args& a);
  std::string cmd_statfd(const Args& a);
  std::string cmd_chmod(const Args& a);
  std::string cmd_chown(const Args& a);
  std::string cmd_truncate(const Args& a);
  std::string cmd_cd(const Args& a);
  std::string cmd_chroot(const Args& a);
  std::string cmd_umask(const Args& a);
  std::string cmd_as(const Args& a);
  std::string cmd_nofile(const Args& a);
  std::string cmd_mount(const Args& a);
  std::string cmd_bind(const Args& a);
  std::string cmd_umount(const Args& a);
  std::string cmd_stats(const Args& a);
  std::string cmd_watch(const Args& a);
  std::string cmd_unwatch(const Args& a);
  std::string cmd_events(const Args& a);
  std::string cmd_audit(const Args& a);
  std::string cmd_restrict(const Args& a);

  std::string write_file(const Args& a, int flags);
  // Runs `op` with the cwd temporarily moved to dirfd (for operations that have no
  // *at() form); `op` runs directly when dirfd is AT_FDCWD.
  template <class Op>
  std::string in_dir(int dirfd, Op op);

  ShellBackend& b_;
  bool saw_bad_ = false;
  // The session's inotify instance (a descriptor of the backend's), made by the first
  // `watch`.
  int watch_fd_ = -1;

  struct CommandSpec;
  static const CommandSpec* find_command(std::string_view name);
};

}  // namespace rcuvfs::shell
