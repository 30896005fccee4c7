// anon_inodefs (anon_inode.h).
#include "core/anon_inode.h"

#include <cerrno>

namespace rcuvfs::core {
namespace {

class AnonInode final : public Inode {
 public:
  explicit AnonInode(Superblock* sb) : Inode(sb) {
    ino.store(1, std::memory_order_relaxed);
    mode.store(0600, std::memory_order_relaxed);  // no S_IF* type, as Linux's
    nlink.store(1, std::memory_order_relaxed);
    const int64_t now = now_ns();
    atime_ns.store(now, std::memory_order_relaxed);
    mtime_ns.store(now, std::memory_order_relaxed);
    ctime_ns.store(now, std::memory_order_relaxed);
  }
  int getattr_rcu(Statx& out, unsigned, unsigned) const override {
    return attr_snapshot_rcu(*this, out);
  }
  // Linux's simple_statfs for anon_inodefs.
  int statfs(Statfs& out, unsigned) const override {
    out.f_type = ANON_INODE_FS_MAGIC;
    out.f_bsize = 4096;
    out.f_namelen = kNameMax;
    return 0;
  }
  Result<size_t> read(void*, size_t, off_t) override { return Err{EINVAL}; }
  Result<size_t> write(const void*, size_t, off_t) override { return Err{EINVAL}; }
  Status truncate(off_t) override { return Err{EINVAL}; }
};

class AnonSuper final : public Superblock {
 public:
  AnonSuper() { flags = kSbDcacheComplete | kSbGenericPermission | kSbAttrSnapshot; }
  Inode* root_inode() override { return new AnonInode(this); }
};

class AnonFs final : public FsType {
 public:
  std::string_view name() const override { return "anon_inodefs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view, const Cred&) override {
    return std::unique_ptr<Superblock>(new AnonSuper);
  }
};

}  // namespace

std::shared_ptr<FsType> anon_inode_fs() {
  static const std::shared_ptr<FsType> fs = std::make_shared<AnonFs>();
  return fs;
}

}  // namespace rcuvfs::core
