// hostfs objects: cached attributes, stat, attribute changes, symlinks, file I/O.
#include "fs/hostfs/hostfs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace rcuvfs::hostfs {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

int64_t ts_ns(const statx_timestamp& t) { return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; }

// The host object behind an O_PATH descriptor, by a path the kernel resolves to it
// (for the calls that take no descriptor of that kind).
std::string proc_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }
}  // namespace

HostInode::HostInode(HostSuper* sb, int fd, const struct ::statx& st, std::string body)
    : Inode(sb),
      fd_(fd),
      host_dev_(makedev(st.stx_dev_major, st.stx_dev_minor)),
      host_ino_(st.stx_ino),
      body_(std::move(body)) {
  store_attrs(st);
}

HostInode::~HostInode() {
  // Freed after a grace period: no reader is left.
  for (int fd : {rd_fd_, wr_fd_})
    if (fd >= 0) ::close(fd);
  ::close(fd_);
}

void HostInode::store_attrs(const struct ::statx& st) {
  AttrWrite w(*this);
  ino.store(st.stx_ino, kRelaxed);
  mode.store(st.stx_mode, kRelaxed);
  uid.store(st.stx_uid, kRelaxed);
  gid.store(st.stx_gid, kRelaxed);
  nlink.store(st.stx_nlink, kRelaxed);
  size.store(st.stx_size, kRelaxed);
  blocks_.store(st.stx_blocks, kRelaxed);
  rdev_.store(makedev(st.stx_rdev_major, st.stx_rdev_minor), kRelaxed);
  atime_ns.store(ts_ns(st.stx_atime), kRelaxed);
  mtime_ns.store(ts_ns(st.stx_mtime), kRelaxed);
  ctime_ns.store(ts_ns(st.stx_ctime), kRelaxed);
  btime_ns.store((st.stx_mask & STATX_BTIME) ? ts_ns(st.stx_btime) : 0, kRelaxed);
  // Release, after the attributes: a reader that sees this time (acquire) then reads
  // these attributes or newer ones.
  fetched_.store(coarse_clock_ns(), std::memory_order_release);
}

Status HostInode::refresh() {
  struct ::statx st;
  if (::statx(fd_, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
              &st) != 0)
    return Err{errno};
  store_attrs(st);
  return {};
}

bool HostInode::fresh() const {
  return coarse_clock_ns() - fetched_.load(std::memory_order_acquire) < super().ttl_ns();
}

void HostInode::read_extra(const Inode& inode, Statx& out) {
  const auto& h = static_cast<const HostInode&>(inode);
  out.stx_blocks = h.blocks_.load(kRelaxed);
  const uint64_t rdev = h.rdev_.load(kRelaxed);
  out.stx_rdev_major = major(rdev);
  out.stx_rdev_minor = minor(rdev);
}

int HostInode::getattr_rcu(Statx& out, unsigned, unsigned) const {
  // The freshness is read first: a snapshot taken after it is at least as new.
  if (!fresh()) return -ECHILD;
  return attr_snapshot_rcu(*this, out, read_extra);
}

Status HostInode::getattr(Statx& out, unsigned, unsigned) {
  if (!fresh()) RCUVFS_TRY(refresh());
  // Refreshes by other stats don't take `lock`: read under the seqlock until a
  // snapshot holds.
  while (attr_snapshot_rcu(*this, out, read_extra) != 0) {
  }
  return {};
}

int HostInode::permission(int mask, const Cred& cred, unsigned flags) const {
  if (!fresh()) {
    if (flags & kMayNotBlock) return -ECHILD;
    (void)const_cast<HostInode*>(this)->refresh();
  }
  return generic_permission(*this, mask, cred);
}

Status HostInode::setattr(const AttrChange& c) {
  const mode_t before = mode.load(kRelaxed);
  if (c.valid & (kAttrUid | kAttrGid)) {
    uid_t u = (c.valid & kAttrUid) ? c.uid : static_cast<uid_t>(-1);
    gid_t g = (c.valid & kAttrGid) ? c.gid : static_cast<gid_t>(-1);
    if (::fchownat(fd_, "", u, g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return Err{errno};
  }
  // Only an explicit mode is written: the cached one may be stale, and the host's
  // chown already dropped the set-id bits the core would (it runs as root, for which
  // Linux's rules are the ones the core applies).
  if ((c.valid & kAttrMode) && !S_ISLNK(before)) {
    if (::fchmodat(AT_FDCWD, proc_path(fd_).c_str(), c.mode & 07777, 0) != 0) return Err{errno};
  }
  if (c.valid & (kAttrAtime | kAttrMtime)) {
    timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (c.valid & kAttrAtime) ts[0] = {c.atime_ns / 1000000000, c.atime_ns % 1000000000};
    if (c.valid & kAttrMtime) ts[1] = {c.mtime_ns / 1000000000, c.mtime_ns % 1000000000};
    if (::utimensat(AT_FDCWD, proc_path(fd_).c_str(), ts, 0) != 0) return Err{errno};
  }
  if (c.valid & kAttrSize) RCUVFS_TRY(truncate(c.size));
  return refresh();
}

int HostInode::get_link(std::string_view& out, unsigned) const {
  if (!is_symlink()) return -EINVAL;
  out = body_;
  return 0;
}

Result<int> HostInode::io_fd(bool write) {
  std::lock_guard g(io_mu_);
  int& fd = write ? wr_fd_ : rd_fd_;
  if (fd < 0) {
    // One descriptor of each kind serves every reader or writer of the object: the
    // core has checked the caller's access already.
    fd = ::open(proc_path(fd_).c_str(), (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return Err{errno};
  }
  return fd;
}

Result<size_t> HostInode::read(void* buf, size_t count, off_t offset) {
  auto fd = io_fd(false);
  if (!fd.ok()) return Err{fd.error()};
  ssize_t n = ::pread(*fd, buf, count, offset);
  if (n < 0) return Err{errno};
  return static_cast<size_t>(n);
}

Result<size_t> HostInode::write(const void* buf, size_t count, off_t offset) {
  auto fd = io_fd(true);
  if (!fd.ok()) return Err{fd.error()};
  ssize_t n = ::pwrite(*fd, buf, count, offset);
  if (n < 0) return Err{errno};
  RCUVFS_TRY(refresh());
  return static_cast<size_t>(n);
}

Status HostInode::truncate(off_t length) {
  auto fd = io_fd(true);
  if (!fd.ok()) return Err{fd.error()};
  if (::ftruncate(*fd, length) != 0) return Err{errno};
  return refresh();
}

// Another process may have written the host file since the attributes were fetched:
// appending at a cached size would overwrite what it wrote. (One that appends between
// this and the write still races, as with any two writers of a shared file without
// O_APPEND on the same descriptor.)
Result<uint64_t> HostInode::current_size() {
  RCUVFS_TRY(refresh());
  return size.load(kRelaxed);
}

void HostInode::evict() {
  super().forget(this);
  Inode::evict();
}

}  // namespace rcuvfs::hostfs
