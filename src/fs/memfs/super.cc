#include "fs/memfs/memfs.h"

#include <cerrno>

namespace rcuvfs::memfs {

MemSuper::MemSuper(bool rcu_callbacks, const Cred& owner) : rcu_callbacks_(rcu_callbacks) {
  flags = kSbDcacheComplete | (rcu_callbacks ? kSbGenericPermission | kSbAttrSnapshot : 0);
  attr_extra = MemInode::read_extra;  // what getattr_rcu passes, when it snapshots
  root_ = new MemInode(this);
  root_->init(S_IFDIR | 0755, owner.uid, owner.gid, 0);
}

MemSuper::~MemSuper() = default;

Inode* MemSuper::root_inode() {
  // The root starts with the one reference init() gave it: hand it over once.
  Inode* r = root_;
  root_ = nullptr;
  return r;
}

MemInode* MemSuper::alloc_inode() { return new MemInode(this); }

void MemSuper::free_inode(MemInode* inode) { inode->Inode::evict(); }

Status check_options(std::string_view options) {
  if (!options.empty()) return Err{EINVAL};
  return {};
}

Result<std::unique_ptr<Superblock>> MemFsType::make_super(std::string_view options,
                                                         const Cred& owner) {
  RCUVFS_TRY(check_options(options));
  return std::unique_ptr<Superblock>(std::make_unique<MemSuper>(true, owner));
}

}  // namespace rcuvfs::memfs
