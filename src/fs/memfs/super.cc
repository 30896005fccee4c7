#include "fs/memfs/memfs.h"

#include <cassert>
#include <cerrno>

namespace rcuvfs::memfs {

MemSuper::MemSuper(bool rcu_callbacks, const Cred& owner, const MemOptions& options)
    : rcu_callbacks_(rcu_callbacks), max_pages_(options.max_pages) {
  flags = kSbDcacheComplete | kSbChangesReported |
          (rcu_callbacks ? kSbGenericPermission | kSbAttrSnapshot : 0);
  attr_extra = MemInode::read_extra;  // what getattr_rcu passes, when it snapshots
  root_ = new MemInode(this);
  root_->init(S_IFDIR | 0755, owner.uid, owner.gid, 0);
}

// Every file was evicted before (its pages with it): nothing is charged any more.
MemSuper::~MemSuper() { assert(!files_ && used_pages() == 0); }

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

void MemSuper::track(FileData* d) {
  std::lock_guard g(files_lock_);
  d->prev = nullptr;
  d->next = files_;
  if (files_) files_->prev = d;
  files_ = d;
}

void MemSuper::untrack(FileData* d) {
  std::lock_guard g(files_lock_);
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
