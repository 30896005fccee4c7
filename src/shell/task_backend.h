// TaskBackend: the shell's backend over an rcuvfs::Task.
#pragma once

#include "shell/backend.h"

#include <rcuvfs/security.h>
#include <rcuvfs/task.h>

#include <vector>

namespace rcuvfs::shell {

class TaskBackend final : public ShellBackend {
 public:
  explicit TaskBackend(Task& task) : t_(task) {}

  Result<Statx> statx(int dirfd, std::string_view path, int flags,
                      unsigned mask) override;
  Result<int> openat2(int dirfd, std::string_view path, const OpenHow& how) override;
  Status close(int fd) override;
  Result<size_t> read(int fd, void* buf, size_t count) override;
  Result<size_t> write(int fd, const void* buf, size_t count) override;
  Result<size_t> getdents(int fd, std::vector<DirEntry>& out,
                          size_t max_entries) override;
  Result<std::string> fdpath(int fd) override;
  Result<int> inotify_init1(int flags) override;
  Result<int> inotify_add_watch(int fd, std::string_view path, uint32_t mask) override;
  Status inotify_rm_watch(int fd, int wd) override;

  Status mkdirat(int dirfd, std::string_view path, mode_t mode) override;
  Status mknodat(int dirfd, std::string_view path, mode_t mode, dev_t dev) override;
  Status symlinkat(std::string_view target, int newdirfd,
                   std::string_view linkpath) override;
  Result<std::string> readlinkat(int dirfd, std::string_view path) override;
  Status faccessat2(int dirfd, std::string_view path, int mode, int flags) override;
  Result<Statfs> statfs(std::string_view path) override;
  Result<size_t> getxattrat(int dirfd, std::string_view path, int at_flags,
                            std::string_view name, void* value, size_t size) override;
  Status setxattrat(int dirfd, std::string_view path, int at_flags, std::string_view name,
                    std::string_view value, int flags) override;
  Result<size_t> listxattrat(int dirfd, std::string_view path, int at_flags, char* list,
                             size_t size) override;
  Status removexattrat(int dirfd, std::string_view path, int at_flags,
                       std::string_view name) override;
  Status linkat(int olddirfd, std::string_view oldpath, int newdirfd,
                std::string_view newpath, int flags) override;
  Status unlinkat(int dirfd, std::string_view path, int flags) override;
  Status renameat2(int olddirfd, std::string_view oldpath, int newdirfd,
                   std::string_view newpath, unsigned flags) override;
  Status fchmodat(int dirfd, std::string_view path, mode_t mode, int flags) override;
  Status fchownat(int dirfd, std::string_view path, uid_t owner, gid_t group,
                  int flags) override;
  Status truncate(std::string_view path, off_t length) override;
  Status chdir(std::string_view path) override;
  Status fchdir(int fd) override;
  Status chroot(std::string_view path) override;

  Status mount(std::string_view fstype, std::string_view target) override;
  bool supports_bind() const override { return true; }
  Status bind(std::string_view source, std::string_view target, bool recursive) override;
  Status umount(std::string_view target, int flags) override;

  mode_t umask(mode_t mask) override;
  Status set_cred(const Cred& cred) override;
  Status set_fd_limit(uint64_t n) override;
  std::vector<std::pair<std::string, uint64_t>> stats() override;

  bool supports_security() const override { return true; }
  bool is_access_right(std::string_view name) const override;
  Status audit(std::string_view host_path) override;
  Status restrict_add(std::string_view path, std::string_view rights) override;
  Status restrict_enforce(std::string_view handled) override;

 private:
  Task& t_;
  // Rules added by `restrict PATH RIGHTS` since the last `restrict enforce`.
  std::vector<std::pair<InodeId, uint32_t>> pending_;
  bool pathrules_stacked_ = false;
};

}  // namespace rcuvfs::shell
