// hostfs directories: lookup, revalidation, namespace changes and listing, each an
// *at() call relative to the directory's own descriptor.
#include "fs/hostfs/creator.h"
#include "fs/hostfs/hostfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace rcuvfs::hostfs {

namespace {
// The host wants NUL-terminated names; rcuvfs names never contain a NUL.
std::string z(std::string_view s) { return std::string(s); }

int statx_fd(int fd, struct ::statx& st) {
  return ::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
                 &st);
}

HostInode* host(Inode* i) { return static_cast<HostInode*>(i); }
}  // namespace

Result<Inode*> HostInode::lookup_host(std::string_view name) {
  // Never into another host filesystem: its inode numbers would collide with this
  // one's under the single device rcuvfs reports (a host mountpoint is EXDEV).
  open_how how{};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_NO_XDEV;
  int fd = static_cast<int>(::syscall(SYS_openat2, fd_, z(name).c_str(), &how, sizeof how));
  if (fd < 0) return Err{errno};
  struct ::statx st;
  if (statx_fd(fd, st) != 0) {
    int e = errno;
    ::close(fd);
    return Err{e};
  }
  return static_cast<Inode*>(super().get_inode(fd, st));
}

Result<Inode*> HostInode::lookup(std::string_view name) {
  auto r = lookup_host(name);
  if (!r.ok() && r.error() == ENOENT) return static_cast<Inode*>(nullptr);
  return r;
}

int HostInode::revalidate(std::string_view name, const Inode* child, uint32_t age_ms,
                          unsigned flags) const {
  if (super().entry_fresh(age_ms)) return 1;
  if (flags & kMayNotBlock) return -ECHILD;
  struct ::statx st;
  if (::statx(fd_, z(name).c_str(), AT_SYMLINK_NOFOLLOW, STATX_INO, &st) != 0)
    return errno == ENOENT && !child ? 1 : 0;
  if (!child) return 0;
  auto* c = static_cast<const HostInode*>(child);
  return c->host_ino() == st.stx_ino &&
                 c->host_dev() == makedev(st.stx_dev_major, st.stx_dev_minor)
             ? 1
             : 0;
}

Result<Inode*> HostInode::finish_create(const Cred& cred, uid_t u, gid_t g,
                                        std::string_view name,
                                        const std::function<int()>& make) {
  if (int e = super().creator().run(u, g, cred.groups, make)) return Err{e};
  (void)refresh();
  return lookup_host(name);
}

Result<Inode*> HostInode::create(std::string_view name, mode_t m, dev_t rdev,
                                 const Cred& cred) {
  uid_t u;
  gid_t g;
  init_owner(*this, m, u, g, cred);
  const std::string n = z(name);
  return finish_create(cred, u, g, name, [&] {
    if (!S_ISREG(m)) return ::mknodat(fd_, n.c_str(), m, rdev);
    int fd = ::openat(fd_, n.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, m & 07777);
    return fd < 0 ? -1 : ::close(fd);
  });
}

Result<Inode*> HostInode::mkdir(std::string_view name, mode_t m, const Cred& cred) {
  uid_t u;
  gid_t g;
  m = S_IFDIR | (m & 07777);
  init_owner(*this, m, u, g, cred);
  const std::string n = z(name);
  return finish_create(cred, u, g, name,
                       [&] { return ::mkdirat(fd_, n.c_str(), m & 07777); });
}

Result<Inode*> HostInode::symlink(std::string_view name, std::string_view target,
                                  const Cred& cred) {
  uid_t u;
  gid_t g;
  mode_t m = S_IFLNK | 0777;
  init_owner(*this, m, u, g, cred);
  const std::string n = z(name), body = z(target);
  return finish_create(cred, u, g, name,
                       [&] { return ::symlinkat(body.c_str(), fd_, n.c_str()); });
}

Status HostInode::link(Inode* target, std::string_view name) {
  const std::string n = z(name);
  if (::linkat(host(target)->fd_, "", fd_, n.c_str(), AT_EMPTY_PATH) != 0) {
    // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link works without it.
    if (errno != ENOENT && errno != EPERM) return Err{errno};
    std::string p = "/proc/self/fd/" + std::to_string(host(target)->fd_);
    if (::linkat(AT_FDCWD, p.c_str(), fd_, n.c_str(), AT_SYMLINK_FOLLOW) != 0)
      return Err{errno};
  }
  (void)host(target)->refresh();
  return refresh();
}

Status HostInode::unlink(std::string_view name, Inode* victim) {
  if (::unlinkat(fd_, z(name).c_str(), 0) != 0) return Err{errno};
  (void)host(victim)->refresh();
  return refresh();
}

Status HostInode::rmdir(std::string_view name, Inode* victim) {
  if (::unlinkat(fd_, z(name).c_str(), AT_REMOVEDIR) != 0) return Err{errno};
  (void)host(victim)->refresh();
  return refresh();
}

Status HostInode::rename(std::string_view old_name, Inode* source, Inode* new_dir,
                         std::string_view new_name, Inode* target, unsigned flags) {
  if (::renameat2(fd_, z(old_name).c_str(), host(new_dir)->fd_, z(new_name).c_str(),
                  flags) != 0)
    return Err{errno};
  for (Inode* i : {source, target, new_dir})
    if (i) (void)host(i)->refresh();
  return refresh();
}

Result<size_t> HostInode::readdir(int64_t& pos, std::vector<DirEntry>& out,
                                  size_t max_entries) {
  // A descriptor per call: the position is the host's own d_off cookie, so no
  // state is kept between calls.
  int dfd = ::openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Err{errno};
  if (::lseek(dfd, pos == 2 ? 0 : pos, SEEK_SET) < 0) {
    int e = errno;
    ::close(dfd);
    return Err{e};
  }
  size_t n = 0;
  alignas(8) char buf[16384];
  bool done = false;
  while (!done && n < max_entries) {
    long got = ::syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (got < 0) {
      int e = errno;
      ::close(dfd);
      return Err{e};
    }
    if (got == 0) break;
    for (long off = 0; off < got;) {
      auto* d = reinterpret_cast<dirent64*>(buf + off);
      off += d->d_reclen;
      std::string_view name = d->d_name;
      if (name != "." && name != "..") {
        out.push_back({d->d_ino, d->d_off, d->d_type, std::string(name)});
        ++n;
      }
      pos = d->d_off;
      if (n == max_entries) {
        done = true;
        break;
      }
    }
  }
  ::close(dfd);
  return n;
}

}  // namespace rcuvfs::hostfs
