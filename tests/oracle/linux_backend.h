// LinuxBackend: the shell backend over real Linux system calls — the oracle of the
// differential tests. Meant to run inside the sandbox of sandbox.h (a private mount
// namespace chrooted into a fresh tmpfs), never in the test process itself: it
// changes the calling process's cwd, root, umask and fs credentials.
//
// Descriptors: the kernel's numbers are hidden behind a table so that the shell sees
// rcuvfs's numbering (from 3 upward, lowest free first).
#pragma once

#include "shell/backend.h"

#include <map>

namespace rcuvfs::oracle {

class LinuxBackend final : public shell::ShellBackend {
 public:
  // proc_fd_dir: an open descriptor of /proc/self/fd, taken before any chroot; fdpath
  // reads the magic links through it. -1: fdpath answers ENOSYS.
  explicit LinuxBackend(int proc_fd_dir) : proc_fd_dir_(proc_fd_dir) {}
  ~LinuxBackend() override;

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

  // Mounts a fresh tmpfs (mode 0755) whatever `fstype` says.
  Status mount(std::string_view fstype, std::string_view target) override;
  bool supports_bind() const override { return true; }
  Status bind(std::string_view source, std::string_view target, bool recursive) override;
  Status umount(std::string_view target, int flags) override;

  mode_t umask(mode_t mask) override;
  Status set_cred(const Cred& cred) override;
  // setrlimit(RLIMIT_NOFILE) with soft limit n and a hard limit never lowered (raising
  // it back would need CAP_SYS_RESOURCE): n above fs.nr_open is EPERM, as in rcuvfs.
  Status set_fd_limit(uint64_t n) override;
  // The kernel has no walker counters to show.
  std::vector<std::pair<std::string, uint64_t>> stats() override { return {}; }

 private:
  // The kernel descriptor behind shell descriptor `fd`; AT_FDCWD stays AT_FDCWD and
  // an unknown number becomes -1 (EBADF, unless the path is absolute).
  int real(int fd) const;
  int install(int real_fd);  // returns the shell number

  int proc_fd_dir_;
  std::map<int, int> fds_;  // shell number -> kernel descriptor
};

}  // namespace rcuvfs::oracle
