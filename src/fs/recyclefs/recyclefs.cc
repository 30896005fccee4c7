#include "fs/recyclefs/recyclefs.h"

namespace rcuvfs::recyclefs {

RecycleSuper::~RecycleSuper() {
  for (memfs::MemInode* i : free_) delete i;
}

memfs::MemInode* RecycleSuper::alloc_inode() {
  {
    std::lock_guard g(lock_);
    if (!free_.empty()) {
      memfs::MemInode* i = free_.back();
      free_.pop_back();
      recycled_.fetch_add(1, std::memory_order_relaxed);
      return i;  // the caller re-initialises it (new ino, generation + 1)
    }
  }
  return MemSuper::alloc_inode();
}

void RecycleSuper::free_inode(memfs::MemInode* inode) {
  std::lock_guard g(lock_);
  free_.push_back(inode);
}

Result<std::unique_ptr<Superblock>> RecycleFsType::make_super(std::string_view options,
                                                             const Cred& owner) {
  auto opts = memfs::parse_options(options);
  if (!opts.ok()) return Err{opts.error()};
  return std::unique_ptr<Superblock>(std::make_unique<RecycleSuper>(owner, *opts));
}

}  // namespace rcuvfs::recyclefs
