#include "fs/memfs/memfs.h"

#include <algorithm>
#include <cassert>
#include <cerrno>

namespace rcuvfs::memfs {

MemSuper::MemSuper(bool rcu_callbacks, const Cred& owner, const MemOptions& options)
    : rcu_callbacks_(rcu_callbacks),
      max_pages_(options.max_pages),
      max_inodes_(options.max_inodes),
      free_ispace_(options.max_inodes * kInodeSpace) {
  flags = kSbDcacheComplete | kSbChangesReported |
          (rcu_callbacks ? kSbGenericPermission | kSbAttrSnapshot : 0);
  attr_extra = MemInode::read_extra;  // what getattr_rcu passes, when it snapshots
  root_ = new MemInode(this);
  (void)reserve_ispace(kInodeSpace);  // the root is an object too (nr_inodes=1: all of it)
  root_->init(S_IFDIR | 0755, owner.uid, owner.gid, 0);
}

// Every file was evicted before (its pages with it): nothing is charged any more.
MemSuper::~MemSuper() { assert(!files_ && used_pages() == 0); }

int MemInode::statfs(Statfs& out, unsigned) const {
  const MemSuper& s = super();
  out.f_type = TMPFS_MAGIC;
  out.f_bsize = kPageSize;
  out.f_namelen = kNameMax;
  if (const uint64_t max = s.max_pages()) {
    const uint64_t used = std::min(s.used_pages(), max);
    out.f_blocks = max;
    out.f_bfree = out.f_bavail = max - used;
  }
  if (const uint64_t max = s.max_inodes()) {
    out.f_files = max;
    out.f_ffree = s.free_ispace() / kInodeSpace;
  }
  // The device number, encoded as Linux's huge_encode_dev, as many filesystems do.
  const uint64_t major = ::major(sb->dev), minor = ::minor(sb->dev);
  const uint64_t id = (minor & 0xff) | (major << 8) | ((minor & ~uint64_t{0xff}) << 12);
  out.f_fsid.__val[0] = static_cast<int>(id & 0xffffffff);
  out.f_fsid.__val[1] = static_cast<int>(id >> 32);
  return 0;
}

Inode* MemSuper::root_inode() {
  // The root starts with the one reference init() gave it: hand it over once.
  Inode* r = root_;
  root_ = nullptr;
  return r;
}

MemInode* MemSuper::alloc_inode() { return new MemInode(this); }

void MemSuper::free_inode(MemInode* inode) { inode->Inode::evict(); }

bool MemSuper::charge_page() {
  uint64_t used = used_pages_.load(std::memory_order_relaxed);
  do {
    if (max_pages_ != 0 && used >= max_pages_) return false;
  } while (!used_pages_.compare_exchange_weak(used, used + 1, std::memory_order_relaxed));
  return true;
}

void MemSuper::uncharge_pages(uint64_t n) {
  if (n) used_pages_.fetch_sub(n, std::memory_order_relaxed);
}

bool MemSuper::reserve_ispace(uint64_t n) {
  if (max_inodes_ == 0) return true;
  uint64_t free = free_ispace_.load(std::memory_order_relaxed);
  do {
    if (free < n) return false;
  } while (!free_ispace_.compare_exchange_weak(free, free - n, std::memory_order_relaxed));
  return true;
}

void MemSuper::release_ispace(uint64_t n) {
  if (max_inodes_ != 0 && n) free_ispace_.fetch_add(n, std::memory_order_relaxed);
}

void MemSuper::track(FileData* d) {
  MutexLock g(files_lock_);
  d->prev = nullptr;
  d->next = files_;
  if (files_) files_->prev = d;
  files_ = d;
}

void MemSuper::untrack(FileData* d) {
  MutexLock g(files_lock_);
  (d->prev ? d->prev->next : files_) = d->next;
  if (d->next) d->next->prev = d->prev;
  d->prev = d->next = nullptr;
}

Result<std::unique_ptr<Superblock>> MemFsType::make_super(std::string_view options,
                                                         const Cred& owner) {
  auto opts = parse_options(options);
  if (!opts.ok()) return Err{opts.error()};
  return std::unique_ptr<Superblock>(std::make_unique<MemSuper>(true, owner, *opts));
}

}  // namespace rcuvfs::memfs
