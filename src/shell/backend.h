// ShellBackend: what the shell executor needs from a namespace. The methods mirror
// rcuvfs::Task (same arguments, flags and errno results) so that one executor can
// drive rcuvfs (TaskBackend) and, in the differential tests, the Linux kernel
// (tests/oracle/LinuxBackend).
//
// Descriptor numbers are the backend's own: numbered from 3 upward, lowest free first.
#pragma once

#include <rcuvfs/result.h>
#include <rcuvfs/uapi.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcuvfs::shell {

class ShellBackend {
 public:
  virtual ~ShellBackend() = default;

  virtual Result<Statx> statx(int dirfd, std::string_view path, int flags,
                              unsigned mask) = 0;
  virtual Result<int> openat2(int dirfd, std::string_view path, const OpenHow& how) = 0;
  virtual Status close(int fd) = 0;
  virtual Result<size_t> read(int fd, void* buf, size_t count) = 0;
  virtual Result<size_t> write(int fd, const void* buf, size_t count) = 0;
  // As Task::getdents: appends entries (with "." and ".."), returns how many; 0 at
  // the end of the directory.
  virtual Result<size_t> getdents(int fd, std::vector<DirEntry>& out,
                                  size_t max_entries) = 0;
  virtual Result<std::string> fdpath(int fd) = 0;
  // inotify, as Task::inotify_*: an instance is a descriptor; read() returns Linux's
  // struct inotify_event records.
  virtual Result<int> inotify_init1(int flags) = 0;
  virtual Result<int> inotify_add_watch(int fd, std::string_view path, uint32_t mask) = 0;
  virtual Status inotify_rm_watch(int fd, int wd) = 0;

  virtual Status mkdirat(int dirfd, std::string_view path, mode_t mode) = 0;
  virtual Status mknodat(int dirfd, std::string_view path, mode_t mode, dev_t dev) = 0;
  virtual Status symlinkat(std::string_view target, int newdirfd,
                           std::string_view linkpath) = 0;
  virtual Result<std::string> readlinkat(int dirfd, std::string_view path) = 0;
  // As Task::faccessat2: checks with the ids `set_cred` set (AT_EACCESS or not).
  virtual Status faccessat2(int dirfd, std::string_view path, int mode, int flags) = 0;
  virtual Result<Statfs> statfs(std::string_view path) = 0;
  // The *xattrat calls of Linux 6.13, as Task's (at_flags: AT_SYMLINK_NOFOLLOW,
  // AT_EMPTY_PATH).
  virtual Result<size_t> getxattrat(int dirfd, std::string_view path, int at_flags,
                                    std::string_view name, void* value, size_t size) = 0;
  virtual Status setxattrat(int dirfd, std::string_view path, int at_flags,
                            std::string_view name, std::string_view value, int flags) = 0;
  virtual Result<size_t> listxattrat(int dirfd, std::string_view path, int at_flags,
                                     char* list, size_t size) = 0;
  virtual Status removexattrat(int dirfd, std::string_view path, int at_flags,
                               std::string_view name) = 0;
  virtual Status linkat(int olddirfd, std::string_view oldpath, int newdirfd,
                        std::string_view newpath, int flags) = 0;
  virtual Status unlinkat(int dirfd, std::string_view path, int flags) = 0;
  virtual Status renameat2(int olddirfd, std::string_view oldpath, int newdirfd,
                           std::string_view newpath, unsigned flags) = 0;
  virtual Status fchmodat(int dirfd, std::string_view path, mode_t mode, int flags) = 0;
  virtual Status fchownat(int dirfd, std::string_view path, uid_t owner, gid_t group,
                          int flags) = 0;
  virtual Status truncate(std::string_view path, off_t length) = 0;
  virtual Status chdir(std::string_view path) = 0;
  virtual Status fchdir(int fd) = 0;
  virtual Status chroot(std::string_view path) = 0;

  // Mount a fresh filesystem of `fstype` on `target`.
  virtual Status mount(std::string_view fstype, std::string_view target) = 0;
  // False while the backend cannot bind-mount (the shell then answers `bad`).
  virtual bool supports_bind() const = 0;
  virtual Status bind(std::string_view source, std::string_view target,
                      bool recursive) = 0;
  virtual Status umount(std::string_view target, int flags) = 0;

  virtual mode_t umask(mode_t mask) = 0;  // returns the previous mask
  virtual Status set_cred(const Cred& cred) = 0;
  // The most descriptors: as setrlimit(RLIMIT_NOFILE) with this soft and hard limit.
  virtual Status set_fd_limit(uint64_t n) = 0;

  // Walker counters as (key, value) pairs, in a stable order; empty when the backend
  // has none.
  virtual std::vector<std::pair<std::string, uint64_t>> stats() = 0;

  // ---- security modules (rcuvfs only; the shell answers `bad` elsewhere) ----------
  virtual bool supports_security() const { return false; }
  // Is `name` a pathrules right ("read_file", ..., "all")?
  virtual bool is_access_right(std::string_view name) const {
    (void)name;
    return false;
  }
  // Stack an audit module logging to the host file `host_path` (appended to).
  virtual Status audit(std::string_view host_path) {
    (void)host_path;
    return Err{ENOSYS};
  }
  // Add a rule (the object at `path`, a comma list of rights) to the pending ruleset.
  virtual Status restrict_add(std::string_view path, std::string_view rights) {
    (void)path, (void)rights;
    return Err{ENOSYS};
  }
  // Apply the pending ruleset to the task (handling `handled`, a comma list of
  // rights; empty: all) and start a new, empty one.
  virtual Status restrict_enforce(std::string_view handled) {
    (void)handled;
    return Err{ENOSYS};
  }
};

}  // namespace rcuvfs::shell
