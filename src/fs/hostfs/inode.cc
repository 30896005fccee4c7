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
}  // namespace

HostInode::HostInode(HostSuper* sb, HostId id, int fixed_fd, const struct ::statx& st,
                     Fetch f, std::string body)
    : Inode(sb), fixed_fd_(fixed_fd), id_(std::move(id)), body_(std::move(body)) {
  store_attrs(st, f);
}

// Freed after a grace period: its descriptors went with evict().
HostInode::~HostInode() = default;

void HostInode::store_attrs(const struct ::statx& st, Fetch f) {
  {
    AttrWrite w(*this);
    if (f.ticket < stored_ticket_) return;  // older than what is there
    stored_ticket_ = f.ticket;
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
  // A mark_stale or a change the watch saw that ran meanwhile may have been
  // overwritten: the object stays stale, the attributes not fresh (the fence orders
  // the store above before the loads: either they see the flag or the counter, or
  // the other side's store comes later).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (stale_.load(std::memory_order_seq_cst) || super().host_gen() != f.gen)
    fetched_.store(kNeverFresh, std::memory_order_seq_cst);
}

void HostInode::store_attrs_unlocked(const struct ::statx& st, Fetch f) {
  // A fetch made without the inode's lock may have caught a change through rcuvfs
  // between two of its host calls (a chown and the chmod after it): a state rcuvfs
  // never had. Stored only when no such change holds the lock now; one that held it
  // during the fetch and has finished stored a later-started fetch, which the ticket
  // keeps over this one.
  if (!lock.try_lock_shared()) return;
  store_attrs(st, f);
  lock.unlock_shared();
}

Status HostInode::refresh_unlocked() {
  auto fd = pin(FdKind::kPath);
  if (!fd.ok()) return Err{fd.error()};
  return fetch(fd->get(), false);
}

void HostInode::mark_stale() {
  stale_.store(true, std::memory_order_seq_cst);
  fetched_.store(kNeverFresh, std::memory_order_seq_cst);
}

Status HostInode::refresh() {
  auto fd = pin(FdKind::kPath);
  if (!fd.ok()) return Err{fd.error()};
  return refresh(fd->get());
}

Status HostInode::refresh(int fd) { return fetch(fd, true); }

Status HostInode::fetch(int fd, bool locked) {
  const Fetch f = super().fetch_start();
  struct ::statx st;
  if (host_statx(fd, "", st) != 0) return Err{errno};
  if (locked)
    store_attrs(st, f);
  else
    store_attrs_unlocked(st, f);
  return {};
}

void HostInode::host_changed() {
  super().bump_host_gen();
  fetched_.store(kNeverFresh, std::memory_order_seq_cst);
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
  if (stale()) return Err{ESTALE};
  if (!fresh()) {
    // Not in the middle of a change through rcuvfs (which holds the lock exclusively
    // across its host calls): the host's statx is no atomic snapshot, and one taken
    // between a chown and the chmod that follows it would be a state rcuvfs never had.
    std::shared_lock lk(lock);
    if (!fresh()) RCUVFS_TRY(refresh());
  }
  // Refreshes by other stats don't take `lock`: read under the seqlock until a
  // snapshot holds.
  while (attr_snapshot_rcu(*this, out, read_extra) != 0) {
  }
  return {};
}

int HostInode::permission(int mask, const Cred& cred, unsigned flags) const {
  if (!fresh()) {
    if (flags & kMayNotBlock) return -ECHILD;
    // Other failures leave the cached attributes to decide; a gone object is gone.
    // Without the lock: a caller may hold it (a create checks its directory).
    (void)const_cast<HostInode*>(this)->refresh_unlocked();
    if (stale()) return -ESTALE;
  }
  return generic_permission(*this, mask, cred);
}

int HostInode::statfs(Statfs& out, unsigned flags) const {
  if (flags & kMayNotBlock) return -ECHILD;
  auto fd = const_cast<HostInode*>(this)->pin(FdKind::kPath);
  if (!fd.ok()) return -fd.error();
  return ::fstatfs(fd->get(), &out) == 0 ? 0 : -errno;
}

Status HostInode::setattr(const AttrChange& c) {
  const mode_t before = mode.load(kRelaxed);
  auto fd = pin(FdKind::kPath);
  if (!fd.ok()) return Err{fd.error()};
  if (c.valid & (kAttrUid | kAttrGid)) {
    uid_t u = (c.valid & kAttrUid) ? c.uid : static_cast<uid_t>(-1);
    gid_t g = (c.valid & kAttrGid) ? c.gid : static_cast<gid_t>(-1);
    if (::fchownat(fd->get(), "", u, g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
      return Err{errno};
  }
  // Only an explicit mode is written: the cached one may be stale, and the host's
  // chown already dropped the set-id bits the core would (it runs as root, for which
  // Linux's rules are the ones the core applies).
  if ((c.valid & kAttrMode) && !S_ISLNK(before)) {
    if (::fchmodat(AT_FDCWD, proc_path(fd->get()).c_str(), c.mode & 07777, 0) != 0)
      return Err{errno};
  }
  if (c.valid & (kAttrAtime | kAttrMtime)) {
    timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (c.valid & kAttrAtime) ts[0] = {c.atime_ns / 1000000000, c.atime_ns % 1000000000};
    if (c.valid & kAttrMtime) ts[1] = {c.mtime_ns / 1000000000, c.mtime_ns % 1000000000};
    if (::utimensat(AT_FDCWD, proc_path(fd->get()).c_str(), ts, 0) != 0) return Err{errno};
  }
  if (c.valid & kAttrSize) RCUVFS_TRY(truncate(c.size));
  return refresh(fd->get());
}

int HostInode::get_link(std::string_view& out, unsigned) const {
  if (!is_symlink()) return -EINVAL;
  out = body_;
  return 0;
}

// One descriptor of each kind serves every reader or writer of the object (the core
// has checked the caller's access already); reading never opens one for writing, so
// that it never makes the host file busy for exec.
Result<size_t> HostInode::read(void* buf, size_t count, off_t offset) {
  auto fd = pin(FdKind::kRead);
  if (!fd.ok()) return Err{fd.error()};
  ssize_t n = ::pread(fd->get(), buf, count, offset);
  if (n < 0) return Err{errno};
  return static_cast<size_t>(n);
}

Result<size_t> HostInode::write(const void* buf, size_t count, off_t offset) {
  auto fd = pin(FdKind::kWrite);
  if (!fd.ok()) return Err{fd.error()};
  ssize_t n = ::pwrite(fd->get(), buf, count, offset);
  if (n < 0) return Err{errno};
  RCUVFS_TRY(refresh(fd->get()));
  return static_cast<size_t>(n);
}

Status HostInode::truncate(off_t length) {
  auto fd = pin(FdKind::kWrite);
  if (!fd.ok()) return Err{fd.error()};
  if (::ftruncate(fd->get(), length) != 0) return Err{errno};
  return refresh(fd->get());
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
  if (is_dir()) super().watcher().unwatch(this);
  // The instance is going: nothing may reach its inodes through the watch any more.
  if (this == super().root()) super().watcher().stop();
  super().forget(this);
  super().fds().drop(slots_, kFdKinds);
  HostInode* dir;
  {
    std::lock_guard g(super().where_mu_);
    dir = std::exchange(where_dir_, nullptr);
  }
  if (dir) iput(dir);
  Inode::evict();
}

}  // namespace rcuvfs::hostfs
