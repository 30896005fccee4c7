// Default Inode operations and the attribute helpers every filesystem builds on.
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/superblock.h>

#include "core/attr_snapshot.h"
#include "core/inject.h"

#include <cerrno>
#include <ctime>
#include <mutex>

namespace rcuvfs {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

namespace {
std::atomic<int64_t> g_live_inodes{0};
}

// The layout inode.h promises on 64-bit Linux: no padding hole. vptr 8, ino 8, six
// 4-byte words (generation .. nlink, attr_seq) 24, size 8, four times 32, refcount +
// lock 8, sb 8.
#if defined(__x86_64__) || defined(__aarch64__)
static_assert(sizeof(Inode) == 96, "a padding hole in Inode");
#endif

Inode::Inode(Superblock* sb) : sb(sb) { g_live_inodes.fetch_add(1, std::memory_order_relaxed); }
Inode::~Inode() { g_live_inodes.fetch_sub(1, std::memory_order_relaxed); }

int64_t diag::live_inodes() { return g_live_inodes.load(std::memory_order_relaxed); }

void iget(Inode* inode) { inode->refcount.fetch_add(1, std::memory_order_relaxed); }

bool iget_live(Inode* inode) {
  int32_t c = inode->refcount.load(std::memory_order_relaxed);
  while (c > 0)
    if (inode->refcount.compare_exchange_weak(c, c + 1, std::memory_order_acquire,
                                              std::memory_order_relaxed))
      return true;
  return false;
}

void iput(Inode* inode) {
  if (inode->refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) inode->evict();
}

Result<Inode*> Inode::lookup(std::string_view) { return static_cast<Inode*>(nullptr); }
Result<Inode*> Inode::create(std::string_view, mode_t, dev_t, const Cred&) { return Err{EPERM}; }
Result<Inode*> Inode::mkdir(std::string_view, mode_t, const Cred&) { return Err{EPERM}; }
Result<Inode*> Inode::symlink(std::string_view, std::string_view, const Cred&) {
  return Err{EPERM};
}
Status Inode::link(Inode*, std::string_view) { return Err{EPERM}; }
Status Inode::unlink(std::string_view, Inode*) { return Err{EPERM}; }
Status Inode::rmdir(std::string_view, Inode*) { return Err{EPERM}; }
Status Inode::rename(std::string_view, Inode*, Inode*, std::string_view, Inode*, unsigned) {
  return Err{EPERM};
}
int Inode::revalidate(std::string_view, const Inode*, uint32_t, unsigned) const { return 1; }
Result<size_t> Inode::readdir(int64_t&, std::vector<DirEntry>&, size_t) {
  return Err{EOPNOTSUPP};
}
int Inode::getattr_rcu(Statx&, unsigned, unsigned) const { return -ECHILD; }

Status Inode::getattr(Statx& out, unsigned, unsigned) {
  std::shared_lock lk(lock);
  attr_snapshot_locked(*this, out);
  return {};
}

Status Inode::setattr(const AttrChange& c) {
  AttrWrite w(*this);
  if (c.valid & kAttrMode)
    mode.store((mode.load(std::memory_order_relaxed) & S_IFMT) | (c.mode & 07777),
               std::memory_order_relaxed);
  if (c.valid & kAttrUid) uid.store(c.uid, std::memory_order_relaxed);
  if (c.valid & kAttrGid) gid.store(c.gid, std::memory_order_relaxed);
  if (c.valid & kAttrAtime) atime_ns.store(c.atime_ns, std::memory_order_relaxed);
  if (c.valid & kAttrMtime) mtime_ns.store(c.mtime_ns, std::memory_order_relaxed);
  if (c.valid & kAttrCtime) ctime_ns.store(c.ctime_ns, std::memory_order_relaxed);
  if (c.valid & kAttrSize) return Err{EINVAL};
  return {};
}

int Inode::permission(int mask, const Cred& cred, unsigned) const {
  return generic_permission(*this, mask, cred);
}

int Inode::get_link(std::string_view&, unsigned) const { return -EINVAL; }
int Inode::statfs(Statfs&, unsigned) const { return -ENOSYS; }
int Inode::getxattr(std::string_view, void*, size_t, unsigned) const { return -EOPNOTSUPP; }
int Inode::listxattr(XattrNameFn, void*, unsigned) const { return 0; }
Status Inode::setxattr(std::string_view, std::string_view, int) { return Err{EOPNOTSUPP}; }
Status Inode::removexattr(std::string_view) { return Err{EOPNOTSUPP}; }
Result<size_t> Inode::read(void*, size_t, off_t) { return Err{EINVAL}; }
Result<size_t> Inode::write(const void*, size_t, off_t) { return Err{EINVAL}; }
Status Inode::truncate(off_t) { return Err{EINVAL}; }
Result<uint64_t> Inode::current_size() { return size.load(std::memory_order_relaxed); }

void Inode::evict() {
  rcu_free(this, [](void* p) { delete static_cast<Inode*>(p); });
}

void init_owner(const Inode& dir, mode_t& mode, uid_t& uid, gid_t& gid, const Cred& cred) {
  uid = cred.uid;
  gid = cred.gid;
  if (dir.mode.load(std::memory_order_relaxed) & S_ISGID) {
    gid = dir.gid.load(std::memory_order_relaxed);
    if (S_ISDIR(mode)) mode |= S_ISGID;
  }
  if (!S_ISDIR(mode) && (mode & S_ISGID) && (mode & S_IXGRP) && !cred.in_group(gid) &&
      !cred.is_root())
    mode &= ~S_ISGID;
}

int attr_snapshot_rcu(const Inode& inode, Statx& out, AttrExtra extra) {
  return core::snapshot_rcu(inode, out, extra);
}

void attr_snapshot_locked(const Inode& inode, Statx& out, AttrExtra extra) {
  core::copy_attrs(inode, out);
  if (extra) extra(inode, out);
}

}  // namespace rcuvfs
