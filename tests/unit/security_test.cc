// Security modules: inode_permission denials through the walk, the -ECHILD contract of
// inode_getattr under RCU (refuse with kMayNotBlock, answer again without it), and
// outright getattr denials.
#include "test_util.h"

#include <rcuvfs/security.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

namespace {

using rcuvfs::Counter;
using rcuvfs::Counters;
using rcuvfs::Cred;
using rcuvfs::Echild;
using rcuvfs::Inode;
using rcuvfs::Task;
using rcuvfs::Vfs;

// A module whose decisions are keyed by inode number (0 = none).
class TestModule : public rcuvfs::SecurityModule {
 public:
  explicit TestModule(std::string_view name = "test") : name_(name) {}
  std::string_view name() const override { return name_; }

  int inode_permission(const rcuvfs::SecPath& at, int mask, const Cred&,
                       unsigned flags) override {
    const Inode& inode = at.inode();
    const uint64_t ino = inode.ino.load(std::memory_order_relaxed);
    if (flags & rcuvfs::kMayNotBlock) perm_rcu.fetch_add(1);
    if (ino == deny_perm_ino.load() && (mask & deny_perm_mask.load()))
      return -deny_perm_err.load();
    return 0;
  }
  int inode_getattr(const rcuvfs::SecPath& at, const Cred&, unsigned flags) override {
    const Inode& inode = at.inode();
    const uint64_t ino = inode.ino.load(std::memory_order_relaxed);
    const bool rcu = flags & rcuvfs::kMayNotBlock;
    if (ino == watch_ino.load()) (rcu ? getattr_rcu_calls : getattr_block_calls).fetch_add(1);
    if (rcu && ino == echild_ino.load()) return -ECHILD;
    if (ino == deny_getattr_ino.load()) return -deny_getattr_err.load();
    return 0;
  }
  int inode_follow_link(const rcuvfs::SecPath& at, const Cred&, unsigned) override {
    const Inode& link = at.inode();
    return link.ino.load(std::memory_order_relaxed) == deny_follow_ino.load() ? -EACCES : 0;
  }

  std::atomic<uint64_t> deny_perm_ino{0};
  std::atomic<int> deny_perm_mask{rcuvfs::kMayExec | rcuvfs::kMayRead | rcuvfs::kMayWrite};
  std::atomic<int> deny_perm_err{EACCES};
  std::atomic<uint64_t> echild_ino{0};
  std::atomic<uint64_t> deny_getattr_ino{0};
  std::atomic<int> deny_getattr_err{EPERM};
  std::atomic<uint64_t> deny_follow_ino{0};
  std::atomic<uint64_t> watch_ino{0};
  std::atomic<int> getattr_rcu_calls{0}, getattr_block_calls{0}, perm_rcu{0};

 private:
  std::string name_;
};

class Security : public ::testing::TestWithParam<std::string>, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make(GetParam());
    ASSERT_OK(t->mkdirat(AT_FDCWD, "a", 0755));
    put("a/f", "12345");
    put("g", "xy");
    ASSERT_OK(t->symlinkat("a/f", AT_FDCWD, "l"));
    mod = std::make_shared<TestModule>();
    ASSERT_OK(vfs->add_security_module(mod));
  }
  bool speculative_fs() const { return GetParam() != "legacyfs"; }
  std::shared_ptr<TestModule> mod;
};

TEST_P(Security, PermissionDeniedThroughTheWalk) {
  mod->deny_perm_ino = st("a").stx_ino;
  mod->deny_perm_mask = rcuvfs::kMayExec;
  // Root passes DAC but the module refuses the search of "a".
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EACCES);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/nothing"), EACCES);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "a/f", O_RDONLY), EACCES);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "l"), EACCES);  // the symlink body walks through a
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "a/new", 0755), EACCES);
  EXPECT_ERRNO(t->chdir("a"), EACCES);
  EXPECT_OK(t->statx(AT_FDCWD, "a"));  // stat of "a" itself needs no search of it
  EXPECT_OK(t->statx(AT_FDCWD, "g"));
  // The same answer in every walk mode.
  t->set_walk_mode(Task::WalkMode::kRefOnly);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EACCES);
  t->set_walk_mode(Task::WalkMode::kLinux);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EACCES);
  // Lifted: allowed again.
  mod->deny_perm_ino = 0;
  EXPECT_OK(t->statx(AT_FDCWD, "a/f"));
}

TEST_P(Security, PermissionDeniedOnOpenOfFile) {
  mod->deny_perm_ino = st("g").stx_ino;
  mod->deny_perm_mask = rcuvfs::kMayWrite;
  mod->deny_perm_err = EPERM;
  EXPECT_OK(t->statx(AT_FDCWD, "g"));
  auto fd = t->openat(AT_FDCWD, "g", O_RDONLY);
  EXPECT_OK(fd);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "g", O_WRONLY), EPERM);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "g", O_RDWR), EPERM);
}

TEST_P(Security, HooksRunAfterDac) {
  mod->deny_perm_ino = st("a").stx_ino;
  ASSERT_OK(t->fchmodat(AT_FDCWD, "a", 0700));
  auto user = vfs->new_task(Cred{1000, 1000, {}});
  // DAC refuses first: the module's answer (EPERM) is never asked for.
  mod->deny_perm_err = EPERM;
  EXPECT_ERRNO(user->statx(AT_FDCWD, "a/f"), EACCES);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EPERM);
}

TEST_P(Security, ModulesStackInRegistrationOrder) {
  auto second = std::make_shared<TestModule>("second");
  ASSERT_OK(vfs->add_security_module(second));
  const uint64_t g = st("g").stx_ino;
  second->deny_getattr_ino = g;
  second->deny_getattr_err = EACCES;
  EXPECT_ERRNO(t->statx(AT_FDCWD, "g"), EACCES);
  mod->deny_getattr_ino = g;
  mod->deny_getattr_err = EPERM;
  EXPECT_ERRNO(t->statx(AT_FDCWD, "g"), EPERM);  // the first non-zero answer wins
  EXPECT_ERRNO(vfs->add_security_module(nullptr), EINVAL);
}

TEST_P(Security, GetattrEchildFallsBackWithRightAnswer) {
  const rcuvfs::Statx want = st("a/f");
  mod->watch_ino = want.stx_ino;
  mod->echild_ino = want.stx_ino;
  st("a/f");  // warm the path
  mod->getattr_rcu_calls = 0;
  mod->getattr_block_calls = 0;
  const Counters before = Vfs::counters();
  auto s = t->statx(AT_FDCWD, "a/f");
  const Counters d = Vfs::counters() - before;
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_ino, want.stx_ino);
  EXPECT_EQ(s->stx_mode, S_IFREG | 0644);
  EXPECT_EQ(s->stx_size, 5u);
  EXPECT_EQ(s->stx_nlink, 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  // Asked again without kMayNotBlock, exactly once.
  EXPECT_EQ(mod->getattr_block_calls.load(), 1);
  if (speculative_fs()) {
    EXPECT_EQ(d.get(Echild::kSecurityRefused), 1u);
    EXPECT_EQ(mod->getattr_rcu_calls.load(), 1);
  } else {
    // legacyfs leaves RCU before the final step: the hook never sees kMayNotBlock.
    EXPECT_EQ(mod->getattr_rcu_calls.load(), 0);
  }
  // Other inodes are unaffected.
  const Counters b2 = Vfs::counters();
  ASSERT_OK(t->statx(AT_FDCWD, "g"));
  const Counters d2 = Vfs::counters() - b2;
  EXPECT_EQ(d2.get(Echild::kSecurityRefused), 0u);
  EXPECT_EQ(d2.get(Counter::kStatSpeculative), speculative_fs() ? 1u : 0u);
}

TEST_P(Security, GetattrEchildThroughSymlinkAndFstat) {
  const uint64_t f = st("a/f").stx_ino;
  mod->echild_ino = f;
  auto s = t->statx(AT_FDCWD, "l");
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_ino, f);
  EXPECT_EQ(s->stx_size, 5u);
  auto fd = t->openat(AT_FDCWD, "a/f", O_RDONLY);
  ASSERT_OK(fd);
  auto fs = t->fstat(*fd);
  ASSERT_OK(fs);
  EXPECT_EQ(fs->stx_ino, f);
}

TEST_P(Security, GetattrDenied) {
  const uint64_t f = st("a/f").stx_ino;
  mod->deny_getattr_ino = f;
  mod->deny_getattr_err = EPERM;
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EPERM);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "l"), EPERM);
  EXPECT_OK(t->statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW));  // the link is another inode
  EXPECT_OK(t->statx(AT_FDCWD, "a"));
  auto fd = t->openat(AT_FDCWD, "a/f", O_RDONLY);  // open does not stat
  ASSERT_OK(fd);
  EXPECT_ERRNO(t->fstat(*fd), EPERM);
  t->set_walk_mode(Task::WalkMode::kRefOnly);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EPERM);
  t->set_walk_mode(Task::WalkMode::kLinux);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EPERM);
  mod->deny_getattr_err = EACCES;
  t->set_walk_mode(Task::WalkMode::kSpeculative);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EACCES);
  // A denial in RCU mode is not a fallback.
  const Counters before = Vfs::counters();
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/f"), EACCES);
  const Counters d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
}

TEST_P(Security, FollowLinkDenied) {
  mod->deny_follow_ino = st("l", AT_SYMLINK_NOFOLLOW).stx_ino;
  EXPECT_ERRNO(t->statx(AT_FDCWD, "l"), EACCES);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "l", O_RDONLY), EACCES);
  EXPECT_OK(t->statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW));
  auto r = t->readlinkat(AT_FDCWD, "l");
  ASSERT_OK(r);
  EXPECT_EQ(*r, "a/f");
}

TEST_P(Security, PermissionHookSeesMayNotBlockUnderRcu) {
  st("a/f");
  mod->perm_rcu = 0;
  ASSERT_OK(t->statx(AT_FDCWD, "a/f"));
  if (speculative_fs()) {
    EXPECT_GE(mod->perm_rcu.load(), 2);  // "/" and "a" searched in RCU mode
  }
  t->set_walk_mode(Task::WalkMode::kRefOnly);
  mod->perm_rcu = 0;
  ASSERT_OK(t->statx(AT_FDCWD, "a/f"));
  EXPECT_EQ(mod->perm_rcu.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(AllFs, Security, ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return info.param; });

}  // namespace
