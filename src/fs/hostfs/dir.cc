// hostfs directories: lookup, revalidation, namespace changes and listing, each an
// *at() call relative to the directory's own descriptor.
#include "fs/hostfs/creator.h"
#include "fs/hostfs/hostfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

namespace rcuvfs::hostfs {

namespace {
// The host wants NUL-terminated names; rcuvfs names never contain a NUL.
std::string z(std::string_view s) { return std::string(s); }

HostInode* host(Inode* i) { return static_cast<HostInode*>(i); }
}  // namespace

Result<Inode*> HostInode::lookup_host(std::string_view name) {
  const Fetch f = super().fetch_start();
  auto dfd = pin(FdKind::kPath);
  if (!dfd.ok()) return Err{dfd.error()};
  FdCache& cache = super().fds();
  cache.reserve();
  int fd = cache.open_retrying([&] { return open_entry(dfd->get(), name); });
  if (fd < 0) {
    const int e = errno;
    cache.unreserve();
    return Err{e};
  }
  struct ::statx st;
  if (host_statx(fd, "", st) != 0) {
    const int e = errno;
    cache.close_private(fd);
    return Err{e};
  }
  HostId id = identify(fd, st, super().encodes_handles());
  return static_cast<Inode*>(super().get_inode(fd, st, std::move(id), this, name, f));
}

Result<Inode*> HostInode::lookup(std::string_view name) {
  auto r = lookup_host(name);
  if (!r.ok() && r.error() == ENOENT) return static_cast<Inode*>(nullptr);
  return r;
}

int HostInode::revalidate(std::string_view name, const Inode* child, uint32_t age_ms,
                          unsigned flags) const {
  if (flags & kMayNotBlock) return super().entry_fresh(age_ms) ? 1 : -ECHILD;
  auto* c = static_cast<const HostInode*>(child);
  if (c && c->stale()) return 0;
  if (super().entry_fresh(age_ms) && !(flags & kRevalForce)) return 1;
  // What the entry is bound to on the host now; a directory gone on the host holds
  // nothing any more.
  auto dfd = pin(FdKind::kPath);
  if (!dfd.ok()) return 0;
  const std::string n = z(name);
  if (super().encodes_handles()) {
    std::string handle;
    int mount_id;
    if (encode_handle(dfd->get(), n.c_str(), 0, handle, mount_id) != 0)
      return errno == ENOENT && !c ? 1 : 0;
    return c && mount_id == super().mount_id() && handle == c->id().handle ? 1 : 0;
  }
  struct ::statx st;
  if (host_statx(dfd->get(), n.c_str(), st) != 0) return errno == ENOENT && !c ? 1 : 0;
  return c && same_object(c->id(), identify(-1, st, false)) ? 1 : 0;
}

Result<Inode*> HostInode::finish_create(const Cred& cred, uid_t u, gid_t g,
                                        std::string_view name,
                                        const std::function<int(int dirfd)>& make) {
  {
    auto dfd = pin(FdKind::kPath);
    if (!dfd.ok()) return Err{dfd.error()};
    const int dirfd = dfd->get();
    Echo echo(super().watcher(), this, name, IN_CREATE);
    if (int e = super().creator().run(u, g, cred.groups, [&] { return make(dirfd); }))
      return Err{e};
    echo.done();
  }
  (void)refresh();
  return lookup_host(name);
}

Result<Inode*> HostInode::create(std::string_view name, mode_t m, dev_t rdev,
                                 const Cred& cred) {
  uid_t u;
  gid_t g;
  init_owner(*this, m, u, g, cred);
  const std::string n = z(name);
  // mknodat makes regular files too, without opening them: a creation needs no
  // descriptor of its own.
  return finish_create(cred, u, g, name, [&](int dirfd) {
    return ::mknodat(dirfd, n.c_str(), m, S_ISREG(m) ? 0 : rdev);
  });
}

Result<Inode*> HostInode::mkdir(std::string_view name, mode_t m, const Cred& cred) {
  uid_t u;
  gid_t g;
  m = S_IFDIR | (m & 07777);
  init_owner(*this, m, u, g, cred);
  const std::string n = z(name);
  return finish_create(cred, u, g, name,
                       [&](int dirfd) { return ::mkdirat(dirfd, n.c_str(), m & 07777); });
}

Result<Inode*> HostInode::symlink(std::string_view name, std::string_view target,
                                  const Cred& cred) {
  uid_t u;
  gid_t g;
  mode_t m = S_IFLNK | 0777;
  init_owner(*this, m, u, g, cred);
  const std::string n = z(name), body = z(target);
  return finish_create(cred, u, g, name,
                       [&](int dirfd) { return ::symlinkat(body.c_str(), dirfd, n.c_str()); });
}

Status HostInode::link(Inode* target, std::string_view name) {
  const std::string n = z(name);
  {
    auto dfd = pin(FdKind::kPath);
    if (!dfd.ok()) return Err{dfd.error()};
    auto tfd = host(target)->pin(FdKind::kPath);
    if (!tfd.ok()) return Err{tfd.error()};
    Echo echo(super().watcher(), this, name, IN_CREATE);
    if (::linkat(tfd->get(), "", dfd->get(), n.c_str(), AT_EMPTY_PATH) != 0) {
      // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link works without it.
      if (errno != ENOENT && errno != EPERM) return Err{errno};
      const std::string p = proc_path(tfd->get());
      if (::linkat(AT_FDCWD, p.c_str(), dfd->get(), n.c_str(), AT_SYMLINK_FOLLOW) != 0)
        return Err{errno};
    }
    echo.done();
  }
  (void)host(target)->refresh();
  return refresh();
}

void HostInode::removed(HostInode* victim, Result<HostFd>& held) {
  (void)(held.ok() ? victim->refresh(held->get()) : victim->refresh());
  // Something in rcuvfs may still hold the object (an open file, a working directory):
  // without a descriptor the host would free it with its last name.
  if (held.ok() && victim->nlink.load(std::memory_order_relaxed) == 0)
    victim->super().fds().keep(*held->slot());
}

Status HostInode::remove(std::string_view name, Inode* victim, int flags) {
  {
    auto dfd = pin(FdKind::kPath);
    if (!dfd.ok()) return Err{dfd.error()};
    auto held = host(victim)->pin(FdKind::kPath);
    // The name may hold another object by now: the walk's retry finds it.
    if (!held.ok() && held.error() == ESTALE) return Err{ESTALE};
    Echo echo(super().watcher(), this, name, IN_DELETE);
    if (::unlinkat(dfd->get(), z(name).c_str(), flags) != 0) return Err{errno};
    echo.done();
    removed(host(victim), held);
  }
  return refresh();
}

Status HostInode::unlink(std::string_view name, Inode* victim) {
  return remove(name, victim, 0);
}

Status HostInode::rmdir(std::string_view name, Inode* victim) {
  return remove(name, victim, AT_REMOVEDIR);
}

Status HostInode::rename(std::string_view old_name, Inode* source, Inode* new_dir,
                         std::string_view new_name, Inode* target, unsigned flags) {
  {
    auto from = pin(FdKind::kPath);
    if (!from.ok()) return Err{from.error()};
    auto to = host(new_dir)->pin(FdKind::kPath);
    if (!to.ok()) return Err{to.error()};
    if (host(source)->stale() || (target && host(target)->stale())) return Err{ESTALE};
    std::optional<Result<HostFd>> held;
    if (target && !(flags & RENAME_EXCHANGE)) held.emplace(host(target)->pin(FdKind::kPath));
    Watcher& w = super().watcher();
    Echo from_echo(w, this, old_name, IN_MOVED_FROM), to_echo(w, host(new_dir), new_name, IN_MOVED_TO);
    std::optional<Echo> back_from, back_to;
    if (flags & RENAME_EXCHANGE) {
      back_from.emplace(w, host(new_dir), new_name, IN_MOVED_FROM);
      back_to.emplace(w, this, old_name, IN_MOVED_TO);
    }
    if (::renameat2(from->get(), z(old_name).c_str(), to->get(), z(new_name).c_str(),
                    flags) != 0)
      return Err{errno};
    from_echo.done();
    to_echo.done();
    if (back_from) back_from->done(), back_to->done();
    host(source)->seen_at(host(new_dir), new_name);
    if (held) {
      removed(host(target), *held);
    } else if (target) {
      host(target)->seen_at(this, old_name);
      (void)host(target)->refresh();
    }
  }
  (void)host(source)->refresh();
  if (new_dir != this) (void)host(new_dir)->refresh();
  return refresh();
}

Result<size_t> HostInode::readdir(int64_t& pos, std::vector<DirEntry>& out,
                                  size_t max_entries) {
  // A descriptor of this call's own: the position is the host's own d_off cookie, so
  // no state is kept between calls.
  if (stale()) return Err{ESTALE};
  FdCache& cache = super().fds();
  cache.reserve();
  int dfd;
  if (super().reopen() == Reopen::kHandle && fixed_fd_ < 0) {
    dfd = cache.open_retrying(
        [&] { return open_handle(super().root_fd(), id().handle, O_RDONLY | O_DIRECTORY); });
    if (dfd < 0 && errno == ESTALE) mark_stale();
  } else {
    auto path = pin(FdKind::kPath);
    if (!path.ok()) {
      cache.unreserve();
      return Err{path.error()};
    }
    dfd = cache.open_retrying(
        [&] { return ::openat(path->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
  }
  if (dfd < 0) {
    const int e = errno;
    cache.unreserve();
    return Err{e};
  }
  HostFd dir = HostFd::private_fd(&cache, dfd);
  if (::lseek(dfd, pos == 2 ? 0 : pos, SEEK_SET) < 0) return Err{errno};
  size_t n = 0;
  alignas(8) char buf[16384];
  bool done = false;
  while (!done && n < max_entries) {
    long got = ::syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (got < 0) return Err{errno};
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
  return n;
}

}  // namespace rcuvfs::hostfs
