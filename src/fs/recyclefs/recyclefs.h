// recyclefs: memfs whose evicted inode objects are reused at once — for a new file
// of any type, without waiting for a grace period (what XFS does with its inode
// cache). A speculative reader may therefore find the inode it is reading turned
// into a different file mid-read; the walker's validation must catch every such case.
// The memory stays a MemInode until the superblock itself is freed.
//
//   free_  guarded by lock_; objects on it are still read by stale RCU readers
#pragma once

#include "fs/memfs/memfs.h"

#include <mutex>
#include <vector>

namespace rcuvfs::recyclefs {

class RecycleSuper : public memfs::MemSuper {
 public:
  RecycleSuper(const Cred& owner, const memfs::MemOptions& options)
      : MemSuper(true, owner, options) {}
  ~RecycleSuper() override;
  memfs::MemInode* alloc_inode() override;
  void free_inode(memfs::MemInode* inode) override;
  uint64_t recycled() const { return recycled_.load(std::memory_order_relaxed); }

 private:
  std::mutex lock_;
  std::vector<memfs::MemInode*> free_;
  std::atomic<uint64_t> recycled_{0};
};

class RecycleFsType : public FsType {
 public:
  std::string_view name() const override { return "recyclefs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                 const Cred& owner) override;
};

}  // namespace rcuvfs::recyclefs
