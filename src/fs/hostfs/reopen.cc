// How a hostfs inode gets a host descriptor when an operation needs one: from the
// instance's FdCache, or opened by file handle, or by the name it was last seen under.
#include "fs/hostfs/hostfs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace rcuvfs::hostfs {

Result<HostFd> HostInode::pin(FdKind kind) const {
  if (fixed_fd_ >= 0) return HostFd::fixed(fixed_fd_);
  if (stale()) return Err{ESTALE};
  FdCache& cache = super().fds();
  FdSlot& slot = slots_[static_cast<size_t>(kind)];
  if (int fd = cache.pin(slot); fd >= 0) return HostFd(&cache, &slot, fd);
  cache.reserve();
  const int fd = open_kind(kind);
  if (fd < 0) {
    const int e = errno;
    cache.unreserve();
    if (e == ESTALE) const_cast<HostInode*>(this)->mark_stale();
    return Err{e};
  }
  return HostFd(&cache, &slot, cache.install(slot, fd));
}

int HostInode::open_kind(FdKind kind) const {
  HostSuper& s = super();
  static constexpr int kFlags[kFdKinds] = {O_PATH, O_RDONLY | O_NOCTTY, O_WRONLY | O_NOCTTY};
  const int flags = kFlags[static_cast<size_t>(kind)];
  if (s.reopen() == Reopen::kHandle)
    return s.fds().open_retrying([&] { return open_handle(s.root_fd(), id_.handle, flags); });
  if (kind == FdKind::kPath) return reopen_by_name();
  // Through the object's own O_PATH descriptor, which was checked to be this object.
  auto path = pin(FdKind::kPath);
  if (!path.ok()) {
    errno = path.error();
    return -1;
  }
  const std::string p = proc_path(path->get());
  return s.fds().open_retrying([&] { return ::open(p.c_str(), flags | O_CLOEXEC); });
}

int HostInode::reopen_by_name() const {
  HostSuper& s = super();
  HostInode* dir;
  std::string name;
  {
    std::lock_guard g(s.where_mu_);
    dir = where_dir_;
    if (dir) iget(dir);
    name = where_name_;
  }
  if (!dir) {
    errno = ESTALE;
    return -1;
  }
  int fd = -1, err = 0;
  {
    auto dfd = dir->pin(FdKind::kPath);
    if (!dfd.ok()) {
      err = dfd.error();
    } else {
      fd = s.fds().open_retrying([&] { return open_entry(dfd->get(), name); });
      if (fd < 0) err = errno;
    }
  }
  iput(dir);
  if (fd >= 0) {
    // One component was walked: it must still be this object.
    struct ::statx st;
    if (host_statx(fd, "", st) != 0) {
      err = errno;
    } else if (!same_object(id_, identify(fd, st, s.encodes_handles()))) {
      err = ESTALE;
    } else {
      return fd;
    }
    ::close(fd);
  }
  // Nothing (or something else) under its name, or its directory gone: as far as
  // hostfs can tell, the object is gone.
  errno = (err == ENOENT || err == ENOTDIR || err == ELOOP || err == EXDEV) ? ESTALE : err;
  return -1;
}

void HostInode::seen_at(HostInode* dir, std::string_view name) {
  stale_.store(false, std::memory_order_seq_cst);
  if (super().reopen() == Reopen::kHandle) return;
  HostInode* old = dir;
  iget(dir);
  {
    std::lock_guard g(super().where_mu_);
    // Where dir was seen may be out of date (the host moved this directory under it
    // since): recorded as is, the two would hold each other for good, and reopening
    // either would reopen the other first, without end. Keep the old place; reopening
    // by it fails, and the walk that reruns looks both up again.
    const HostInode* p = dir;
    while (p && p != this) p = p->where_dir_;
    if (!p) {
      old = std::exchange(where_dir_, dir);
      where_name_.assign(name);
    }
  }
  if (old) iput(old);
}

void HostInode::adopt(FdKind kind, int fd) {
  super().fds().adopt(slots_[static_cast<size_t>(kind)], fd);
}

}  // namespace rcuvfs::hostfs
