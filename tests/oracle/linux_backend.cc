#include "oracle/linux_backend.h"

#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace rcuvfs::oracle {
namespace {

// The C calls cannot express a path with a NUL byte; rcuvfs answers EINVAL.
bool has_nul(std::string_view p) { return p.find('\0') != std::string_view::npos; }

Status from_rc(long rc) { return rc < 0 ? Status(Err{errno}) : Status(); }

// linux_dirent64, as getdents64(2) returns it.
struct Dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

}  // namespace

LinuxBackend::~LinuxBackend() {
  for (auto& [shell_fd, real_fd] : fds_) ::close(real_fd);
}

int LinuxBackend::real(int fd) const {
  if (fd == AT_FDCWD) return AT_FDCWD;
  auto it = fds_.find(fd);
  return it == fds_.end() ? -1 : it->second;
}

int LinuxBackend::install(int real_fd) {
  int n = 3;
  for (auto& [shell_fd, r] : fds_) {
    if (shell_fd != n) break;
    ++n;
  }
  fds_[n] = real_fd;
  return n;
}

Result<Statx> LinuxBackend::statx(int dirfd, std::string_view path, int flags,
                                  unsigned mask) {
  if (has_nul(path)) return Err{EINVAL};
  Statx st{};
  if (::statx(real(dirfd), std::string(path).c_str(), flags, mask, &st) < 0)
    return Err{errno};
  return st;
}

Result<int> LinuxBackend::openat2(int dirfd, std::string_view path, const OpenHow& how) {
  if (has_nul(path)) return Err{EINVAL};
  OpenHow h = how;
  long fd = ::syscall(SYS_openat2, real(dirfd), std::string(path).c_str(), &h, sizeof h);
  if (fd < 0) return Err{errno};
  return install(static_cast<int>(fd));
}

Status LinuxBackend::close(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return Err{EBADF};
  int r = it->second;
  fds_.erase(it);
  return from_rc(::close(r));
}

Result<size_t> LinuxBackend::read(int fd, void* buf, size_t count) {
  ssize_t n = ::read(real(fd), buf, count);
  if (n < 0) return Err{errno};
  return static_cast<size_t>(n);
}

Result<size_t> LinuxBackend::write(int fd, const void* buf, size_t count) {
  ssize_t n = ::write(real(fd), buf, count);
  if (n < 0) return Err{errno};
  return static_cast<size_t>(n);
}

Result<size_t> LinuxBackend::getdents(int fd, std::vector<DirEntry>& out,
                                      size_t max_entries) {
  alignas(8) char buf[32768];
  long n = ::syscall(SYS_getdents64, real(fd), buf, sizeof buf);
  if (n < 0) return Err{errno};
  size_t count = 0;
  for (long pos = 0; pos < n;) {
    auto* d = reinterpret_cast<Dirent64*>(buf + pos);
    DirEntry e;
    e.ino = d->d_ino;
    e.off = d->d_off;
    e.type = d->d_type;
    e.name = d->d_name;
    out.push_back(std::move(e));
    ++count;
    pos += d->d_reclen;
  }
  (void)max_entries;  // the kernel fills the buffer; the caller loops until 0
  return count;
}

Result<std::string> LinuxBackend::fdpath(int fd) {
  if (proc_fd_dir_ < 0) return Err{ENOSYS};
  int r = real(fd);
  if (r < 0) return Err{EBADF};
  char buf[8192];
  ssize_t n = ::readlinkat(proc_fd_dir_, std::to_string(r).c_str(), buf, sizeof buf);
  if (n < 0) return Err{errno};
  return std::string(buf, static_cast<size_t>(n));
}

Result<int> LinuxBackend::inotify_init1(int flags) {
  const int fd = ::inotify_init1(flags);
  if (fd < 0) return Err{errno};
  return install(fd);
}

Result<int> LinuxBackend::inotify_add_watch(int fd, std::string_view path, uint32_t mask) {
  if (has_nul(path)) return Err{EINVAL};
  const int wd = ::inotify_add_watch(real(fd), std::string(path).c_str(), mask);
  if (wd < 0) return Err{errno};
  return wd;
}

Status LinuxBackend::inotify_rm_watch(int fd, int wd) {
  return from_rc(::inotify_rm_watch(real(fd), wd));
}

Status LinuxBackend::mkdirat(int dirfd, std::string_view path, mode_t mode) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::mkdirat(real(dirfd), std::string(path).c_str(), mode));
}

Status LinuxBackend::mknodat(int dirfd, std::string_view path, mode_t mode, dev_t dev) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::mknodat(real(dirfd), std::string(path).c_str(), mode, dev));
}

Status LinuxBackend::symlinkat(std::string_view target, int newdirfd,
                               std::string_view linkpath) {
  if (has_nul(target) || has_nul(linkpath)) return Err{EINVAL};
  return from_rc(::symlinkat(std::string(target).c_str(), real(newdirfd),
                             std::string(linkpath).c_str()));
}

Result<std::string> LinuxBackend::readlinkat(int dirfd, std::string_view path) {
  if (has_nul(path)) return Err{EINVAL};
  std::string buf(8192, '\0');
  ssize_t n = ::readlinkat(real(dirfd), std::string(path).c_str(), buf.data(), buf.size());
  if (n < 0) return Err{errno};
  buf.resize(static_cast<size_t>(n));
  return buf;
}

// `as` sets the fsuid and fsgid, which only AT_EACCESS checks with (plain access(2)
// uses the real ids); rcuvfs's task has one set of ids, the fsuid's.
Status LinuxBackend::faccessat2(int dirfd, std::string_view path, int mode, int flags) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::syscall(SYS_faccessat2, real(dirfd),
                          std::string(path).c_str(), mode, flags | AT_EACCESS));
}

Result<Statfs> LinuxBackend::statfs(std::string_view path) {
  if (has_nul(path)) return Err{EINVAL};
  Statfs st{};
  if (::statfs(std::string(path).c_str(), &st) != 0) return Err{errno};
  return st;
}

// The *xattrat system calls (Linux 6.13; glibc 2.36 has no wrappers). On an older
// kernel the path forms stand in for AT_FDCWD.
namespace {
#ifndef SYS_setxattrat
constexpr long SYS_setxattrat = 463, SYS_getxattrat = 464, SYS_listxattrat = 465,
               SYS_removexattrat = 466;
#endif
struct XattrArgs {
  uint64_t value;
  uint32_t size;
  uint32_t flags;
};

long xattr_result(long rc) { return rc < 0 ? -errno : rc; }
}  // namespace

Result<size_t> LinuxBackend::getxattrat(int dirfd, std::string_view path, int at_flags,
                                        std::string_view name, void* value, size_t size) {
  if (has_nul(path) || has_nul(name)) return Err{EINVAL};
  const std::string p(path), n(name);
  XattrArgs args{reinterpret_cast<uintptr_t>(value), static_cast<uint32_t>(size), 0};
  long rc = xattr_result(::syscall(SYS_getxattrat, real(dirfd), p.c_str(), at_flags,
                                   n.c_str(), &args, sizeof args));
  if (rc == -ENOSYS && dirfd == AT_FDCWD)
    rc = xattr_result((at_flags & AT_SYMLINK_NOFOLLOW)
                          ? ::lgetxattr(p.c_str(), n.c_str(), value, size)
                          : ::getxattr(p.c_str(), n.c_str(), value, size));
  if (rc < 0) return Err{static_cast<int>(-rc)};
  return static_cast<size_t>(rc);
}

Status LinuxBackend::setxattrat(int dirfd, std::string_view path, int at_flags,
                                std::string_view name, std::string_view value, int flags) {
  if (has_nul(path) || has_nul(name)) return Err{EINVAL};
  const std::string p(path), n(name);
  XattrArgs args{reinterpret_cast<uintptr_t>(value.data()),
                 static_cast<uint32_t>(value.size()), static_cast<uint32_t>(flags)};
  long rc = xattr_result(::syscall(SYS_setxattrat, real(dirfd), p.c_str(), at_flags,
                                   n.c_str(), &args, sizeof args));
  if (rc == -ENOSYS && dirfd == AT_FDCWD)
    rc = xattr_result(
        (at_flags & AT_SYMLINK_NOFOLLOW)
            ? ::lsetxattr(p.c_str(), n.c_str(), value.data(), value.size(), flags)
            : ::setxattr(p.c_str(), n.c_str(), value.data(), value.size(), flags));
  if (rc < 0) return Err{static_cast<int>(-rc)};
  return {};
}

Result<size_t> LinuxBackend::listxattrat(int dirfd, std::string_view path, int at_flags,
                                         char* list, size_t size) {
  if (has_nul(path)) return Err{EINVAL};
  const std::string p(path);
  long rc = xattr_result(
      ::syscall(SYS_listxattrat, real(dirfd), p.c_str(), at_flags, list, size));
  if (rc == -ENOSYS && dirfd == AT_FDCWD)
    rc = xattr_result((at_flags & AT_SYMLINK_NOFOLLOW) ? ::llistxattr(p.c_str(), list, size)
                                                       : ::listxattr(p.c_str(), list, size));
  if (rc < 0) return Err{static_cast<int>(-rc)};
  return static_cast<size_t>(rc);
}

Status LinuxBackend::removexattrat(int dirfd, std::string_view path, int at_flags,
                                   std::string_view name) {
  if (has_nul(path) || has_nul(name)) return Err{EINVAL};
  const std::string p(path), n(name);
  long rc = xattr_result(
      ::syscall(SYS_removexattrat, real(dirfd), p.c_str(), at_flags, n.c_str()));
  if (rc == -ENOSYS && dirfd == AT_FDCWD)
    rc = xattr_result((at_flags & AT_SYMLINK_NOFOLLOW) ? ::lremovexattr(p.c_str(), n.c_str())
                                                       : ::removexattr(p.c_str(), n.c_str()));
  if (rc < 0) return Err{static_cast<int>(-rc)};
  return {};
}

Status LinuxBackend::linkat(int olddirfd, std::string_view oldpath, int newdirfd,
                            std::string_view newpath, int flags) {
  if (has_nul(oldpath) || has_nul(newpath)) return Err{EINVAL};
  return from_rc(::linkat(real(olddirfd), std::string(oldpath).c_str(), real(newdirfd),
                          std::string(newpath).c_str(), flags));
}

Status LinuxBackend::unlinkat(int dirfd, std::string_view path, int flags) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::unlinkat(real(dirfd), std::string(path).c_str(), flags));
}

Status LinuxBackend::renameat2(int olddirfd, std::string_view oldpath, int newdirfd,
                               std::string_view newpath, unsigned flags) {
  if (has_nul(oldpath) || has_nul(newpath)) return Err{EINVAL};
  return from_rc(::syscall(SYS_renameat2, real(olddirfd), std::string(oldpath).c_str(),
                           real(newdirfd), std::string(newpath).c_str(), flags));
}

Status LinuxBackend::fchmodat(int dirfd, std::string_view path, mode_t mode, int flags) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::fchmodat(real(dirfd), std::string(path).c_str(), mode, flags));
}

Status LinuxBackend::fchownat(int dirfd, std::string_view path, uid_t owner, gid_t group,
                              int flags) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::fchownat(real(dirfd), std::string(path).c_str(), owner, group, flags));
}

Status LinuxBackend::truncate(std::string_view path, off_t length) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::truncate(std::string(path).c_str(), length));
}

Status LinuxBackend::chdir(std::string_view path) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::chdir(std::string(path).c_str()));
}

Status LinuxBackend::fchdir(int fd) { return from_rc(::fchdir(real(fd))); }

Status LinuxBackend::chroot(std::string_view path) {
  if (has_nul(path)) return Err{EINVAL};
  return from_rc(::chroot(std::string(path).c_str()));
}

Status LinuxBackend::mount(std::string_view, std::string_view target) {
  if (has_nul(target)) return Err{EINVAL};
  return from_rc(::mount("tmpfs", std::string(target).c_str(), "tmpfs", 0, "mode=0755"));
}

Status LinuxBackend::bind(std::string_view source, std::string_view target,
                          bool recursive) {
  if (has_nul(source) || has_nul(target)) return Err{EINVAL};
  unsigned long flags = MS_BIND | (recursive ? MS_REC : 0);
  return from_rc(::mount(std::string(source).c_str(), std::string(target).c_str(),
                         nullptr, flags, nullptr));
}

Status LinuxBackend::umount(std::string_view target, int flags) {
  if (has_nul(target)) return Err{EINVAL};
  return from_rc(::umount2(std::string(target).c_str(), flags));
}

mode_t LinuxBackend::umask(mode_t mask) { return ::umask(mask); }

Status LinuxBackend::set_cred(const Cred& cred) {
  // Raw system calls: these change only the calling thread's credentials (glibc's
  // wrappers would broadcast setgroups to every thread). Groups first: setgroups
  // needs CAP_SETGID, which a non-zero fsuid does not drop, but keep the order safe.
  if (::syscall(SYS_setgroups, cred.groups.size(), cred.groups.data()) < 0)
    return Err{errno};
  ::syscall(SYS_setfsgid, cred.gid);
  ::syscall(SYS_setfsuid, cred.uid);
  // setfsuid/setfsgid report failure only by returning the old value: read back.
  if (static_cast<uid_t>(::syscall(SYS_setfsuid, -1)) != cred.uid) return Err{EPERM};
  if (static_cast<gid_t>(::syscall(SYS_setfsgid, -1)) != cred.gid) return Err{EPERM};
  // setfsuid leaves CAP_SYS_ADMIN, which decides who sees and changes trusted. and
  // security. attributes: an unprivileged rcuvfs task has no such power, so the thread
  // gives it up while its fsuid is not 0 (it stays permitted, to come back with `as 0`).
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &hdr, caps) < 0) return Err{errno};
  constexpr unsigned kWord = CAP_SYS_ADMIN / 32, kBit = 1u << (CAP_SYS_ADMIN % 32);
  if (cred.uid == 0)
    caps[kWord].effective |= caps[kWord].permitted & kBit;
  else
    caps[kWord].effective &= ~kBit;
  if (::syscall(SYS_capset, &hdr, caps) < 0) return Err{errno};
  return {};
}

Status LinuxBackend::set_fd_limit(uint64_t n) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) < 0) return Err{errno};
  lim.rlim_cur = n;
  lim.rlim_max = std::max<rlim_t>(lim.rlim_max, n);
  return from_rc(::setrlimit(RLIMIT_NOFILE, &lim));
}

}  // namespace rcuvfs::oracle
