// ESTALE from a filesystem: the core runs the path-based call once more, in ref-walk,
// with every cached entry revalidated (kRevalForce), as Linux's retry_estale. Run on
// "gonefs", a filesystem whose dcache is a cache, whose objects a test can declare gone
// from its (imaginary) backing store, and which records what the core asked of it.
#include "core/internals.h"
#include "core/namei.h"

#include <rcuvfs/fs/superblock.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace rcuvfs {
namespace {

struct Record {
  std::atomic<int> lookups{0}, getattrs{0}, setattrs{0};
  std::atomic<int> forced{0};  // revalidate calls with kRevalForce
  std::atomic<bool> reappear{true};  // a lookup finds a live object again
};
Record g_rec;

class GoneInode : public Inode {
 public:
  GoneInode(Superblock* sb, mode_t m, uint64_t n) : Inode(sb) {
    mode.store(m);
    ino.store(n);
    nlink.store(1);
  }
  std::atomic<bool> gone{false};

  Result<Inode*> lookup(std::string_view) override {
    ++g_rec.lookups;
    static std::atomic<uint64_t> next{100};
    auto* in = new GoneInode(sb, S_IFREG | 0644, next++);
    in->gone = !g_rec.reappear.load();
    return static_cast<Inode*>(in);
  }
  int revalidate(std::string_view, const Inode* child, uint32_t, unsigned flags) const override {
    if (flags & kMayNotBlock) return 1;  // young entries are trusted in RCU mode
    if (flags & kRevalForce) ++g_rec.forced;
    return child && static_cast<const GoneInode*>(child)->gone ? 0 : 1;
  }
  int getattr_rcu(Statx& out, unsigned, unsigned) const override {
    if (gone) return -ECHILD;
    return attr_snapshot_rcu(*this, out);
  }
  Status getattr(Statx& out, unsigned, unsigned) override {
    ++g_rec.getattrs;
    if (gone) return Err{ESTALE};
    attr_snapshot_locked(*this, out);
    return {};
  }
  Status setattr(const AttrChange& c) override {
    ++g_rec.setattrs;
    if (gone) return Err{ESTALE};
    return Inode::setattr(c);
  }
};

class GoneSuper : public Superblock {
 public:
  Inode* root_inode() override { return new GoneInode(this, S_IFDIR | 0755, 1); }
};

class GoneFsType : public FsType {
 public:
  std::string_view name() const override { return "gonefs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view, const Cred&) override {
    return std::unique_ptr<Superblock>(std::make_unique<GoneSuper>());
  }
};

class Estale : public ::testing::Test {
 protected:
  void SetUp() override {
    auto v = Vfs::create("memfs");
    ASSERT_TRUE(v.ok());
    vfs_ = std::move(*v);
    ASSERT_TRUE(vfs_->register_fs(std::make_shared<GoneFsType>()).ok());
    t_ = vfs_->new_task();
    ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "g", 0755).ok());
    ASSERT_TRUE(t_->mount("gonefs", "g").ok());
    g_rec.reappear = true;
  }
  void TearDown() override {
    t_.reset();
    vfs_.reset();
  }
  // The inode cached for `path`, declared gone.
  void make_gone(const char* path) {
    auto p = core::lookup_path(core::state_of(*t_), AT_FDCWD, path, 0);
    ASSERT_TRUE(p.ok());
    static_cast<GoneInode*>(p->dentry->inode.load())->gone = true;
    core::path_put(*p);
  }
  struct Calls {
    int lookups, getattrs, setattrs, forced;
  };
  static Calls calls() {
    return {g_rec.lookups.load(), g_rec.getattrs.load(), g_rec.setattrs.load(),
            g_rec.forced.load()};
  }

  std::unique_ptr<Vfs> vfs_;
  std::unique_ptr<Task> t_;
};

TEST_F(Estale, AStatRunsOnceMoreAndFindsTheNewObject) {
  auto a = t_->statx(AT_FDCWD, "g/f", 0);
  ASSERT_TRUE(a.ok());
  ASSERT_NO_FATAL_FAILURE(make_gone("g/f"));
  const Calls before = calls();
  auto b = t_->statx(AT_FDCWD, "g/f", 0);
  ASSERT_TRUE(b.ok()) << b.error();
  EXPECT_NE(b->stx_ino, a->stx_ino);
  const Calls after = calls();
  EXPECT_EQ(after.getattrs - before.getattrs, 2);  // the gone object's, then the new one's
  EXPECT_EQ(after.lookups - before.lookups, 1);
  EXPECT_GE(after.forced - before.forced, 1);  // the rerun had the entry confirmed
  // No rerun for a call that did not meet ESTALE: nothing is forced.
  const Calls quiet = calls();
  ASSERT_TRUE(t_->statx(AT_FDCWD, "g/f", 0).ok());
  EXPECT_EQ(calls().forced, quiet.forced);
}

TEST_F(Estale, ASecondEstaleIsTheAnswer) {
  ASSERT_TRUE(t_->statx(AT_FDCWD, "g/f", 0).ok());
  ASSERT_NO_FATAL_FAILURE(make_gone("g/f"));
  g_rec.reappear = false;  // every object a lookup finds is gone again at once
  const Calls before = calls();
  EXPECT_EQ(t_->statx(AT_FDCWD, "g/f", 0).error(), ESTALE);
  EXPECT_EQ(calls().getattrs - before.getattrs, 2);
}

// A Task method that calls the filesystem after its walk reruns itself.
TEST_F(Estale, AChmodRunsOnceMore) {
  ASSERT_TRUE(t_->statx(AT_FDCWD, "g/f", 0).ok());
  ASSERT_NO_FATAL_FAILURE(make_gone("g/f"));
  Calls before = calls();
  ASSERT_TRUE(t_->fchmodat(AT_FDCWD, "g/f", 0600).ok());
  Calls after = calls();
  EXPECT_EQ(after.setattrs - before.setattrs, 2);
  EXPECT_GE(after.forced - before.forced, 1);
  EXPECT_EQ(t_->statx(AT_FDCWD, "g/f", 0)->stx_mode & 07777, 0600u);
  ASSERT_NO_FATAL_FAILURE(make_gone("g/f"));
  g_rec.reappear = false;
  before = calls();
  EXPECT_EQ(t_->fchmodat(AT_FDCWD, "g/f", 0600).error(), ESTALE);
  EXPECT_EQ(calls().setattrs - before.setattrs, 2);
}

}  // namespace
}  // namespace rcuvfs
