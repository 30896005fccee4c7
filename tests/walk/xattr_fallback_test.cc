// getxattr and listxattr leave RCU mode only when they must: each way out forced,
// with the counter of its reason and the answer still right.
#include "probe_fixture.h"

#include <rcuvfs/security.h>

#include <string>

namespace rcuvfs {
namespace {

class XattrFallback : public ProbeTest {
 protected:
  void SetUp() override {
    ProbeTest::SetUp();
    ASSERT_TRUE(t_->mknodat(AT_FDCWD, "p/a/f", S_IFREG | 0640, 0).ok());
    ASSERT_TRUE(t_->setxattr("p/a/f", "user.v", "value").ok());
    ASSERT_TRUE(t_->setxattr("p/a/f", "trusted.t", "t").ok());
    ASSERT_TRUE(t_->statx(AT_FDCWD, "p/a/f", 0).ok());  // every name cached
  }

  // getxattr of p/a/f's user.v, which must be "value"; the counter deltas.
  Counters get() {
    Counters before = Vfs::counters();
    char buf[16];
    auto n = t_->getxattr("p/a/f", "user.v", buf, sizeof buf);
    Counters d = Vfs::counters() - before;
    EXPECT_TRUE(n.ok()) << n.error();
    if (n.ok()) {
      EXPECT_EQ(std::string(buf, *n), "value");
    }
    return d;
  }
  // listxattr of p/a/f, which must list both names (root); the counter deltas.
  Counters list() {
    Counters before = Vfs::counters();
    char buf[64];
    auto n = t_->listxattr("p/a/f", buf, sizeof buf);
    Counters d = Vfs::counters() - before;
    EXPECT_TRUE(n.ok()) << n.error();
    if (n.ok()) {
      EXPECT_EQ(std::string(buf, *n), std::string("user.v\0trusted.t\0", 17));
    }
    return d;
  }
};

TEST_F(XattrFallback, AnswersAreSpeculative) {
  Counters d = get();
  EXPECT_EQ(d.get(Counter::kGetxattrSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kGetxattrFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy) + d.get(Counter::kRestart), 0u);
  d = list();
  EXPECT_EQ(d.get(Counter::kListxattrSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kListxattrFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy) + d.get(Counter::kRestart), 0u);
  // The errors stand as they were seen in RCU mode, once validated.
  Counters before = Vfs::counters();
  char small[2];
  EXPECT_EQ(t_->getxattr("p/a/f", "user.v", small, sizeof small).error(), ERANGE);
  EXPECT_EQ(t_->getxattr("p/a/f", "user.none", small, sizeof small).error(), ENODATA);
  EXPECT_EQ(t_->listxattr("p/a/f", small, sizeof small).error(), ERANGE);
  d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kUnlazy) + d.get(Counter::kRestart), 0u);
  EXPECT_EQ(d.get(Counter::kGetxattrFallback) + d.get(Counter::kListxattrFallback), 0u);
}

TEST_F(XattrFallback, DentrySeqMovedDuringSpeculation) {
  core::set_speculation_hook(bump_dentry_once);
  Counters d = get();
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kGetxattrSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kGetxattrFallback), 1u);
  g_hook_calls = 0;
  d = list();
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kListxattrFallback), 1u);
}

TEST_F(XattrFallback, FilesystemRefuses) {
  probefs::g_switches.refuse_xattr = true;
  Counters d = get();
  EXPECT_EQ(d.get(Echild::kFsRefused), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kGetxattrFallback), 1u);
  d = list();
  EXPECT_EQ(d.get(Echild::kFsRefused), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kListxattrFallback), 1u);
}

// A user. attribute's permission rests on mode and owner read together: a change
// racing the check (probefs bumps attr_seq inside permission) has it redone.
TEST_F(XattrFallback, AttributesChangedDuringTheCheck) {
  probefs::g_switches.attr_writes_in_permission = 1;
  Counters d = get();
  EXPECT_EQ(d.get(Echild::kAttrRetry), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kGetxattrFallback), 1u);
  // With references: once, under the inode's lock (see the access test).
  t_->set_walk_mode(Task::WalkMode::kRefOnly);
  probefs::g_switches.attr_writes_in_permission = 3;
  d = get();
  EXPECT_EQ(d.get(Counter::kGetxattrFallback), 1u);
  EXPECT_EQ(probefs::g_switches.attr_writes_in_permission.load(), 2);
}

class RefuseXattrInRcu : public SecurityModule {
 public:
  std::string_view name() const override { return "refuse-xattr-in-rcu"; }
  int inode_getxattr(const SecPath&, std::string_view name, const Cred&,
                     unsigned flags) override {
    if (flags & kMayNotBlock) return ++rcu_calls, -ECHILD;
    last_name = std::string(name);
    return ++blocking_calls, deny.load() ? -EACCES : 0;
  }
  int inode_listxattr(const SecPath&, const Cred&, unsigned flags) override {
    if (flags & kMayNotBlock) return ++rcu_calls, -ECHILD;
    return ++blocking_calls, deny.load() ? -EACCES : 0;
  }
  int inode_setxattr(const SecPath&, std::string_view name, std::string_view value, int,
                     const Cred&) override {
    last_name = std::string(name) + "=" + std::string(value);
    return deny.load() ? -EACCES : 0;
  }
  int inode_removexattr(const SecPath&, std::string_view name, const Cred&) override {
    last_name = "-" + std::string(name);
    return deny.load() ? -EACCES : 0;
  }
  std::atomic<int> rcu_calls{0}, blocking_calls{0};
  std::atomic<bool> deny{false};
  std::string last_name;
};

TEST_F(XattrFallback, SecurityModuleRefusesInRcuModeAndDecidesWithReferences) {
  auto lsm = std::make_shared<RefuseXattrInRcu>();
  ASSERT_TRUE(vfs_->add_security_module(lsm).ok());
  Counters d = get();
  EXPECT_EQ(d.get(Echild::kSecurityRefused), 1u);
  EXPECT_EQ(d.get(Counter::kGetxattrFallback), 1u);
  EXPECT_EQ(lsm->last_name, "user.v");
  d = list();
  EXPECT_EQ(d.get(Echild::kSecurityRefused), 1u);
  EXPECT_EQ(d.get(Counter::kListxattrFallback), 1u);
  EXPECT_EQ(lsm->rcu_calls.load(), 2);
  EXPECT_EQ(lsm->blocking_calls.load(), 2);
  ASSERT_TRUE(t_->setxattr("p/a/f", "user.w", "1").ok());
  EXPECT_EQ(lsm->last_name, "user.w=1");
  lsm->deny = true;
  char buf[16];
  EXPECT_EQ(t_->getxattr("p/a/f", "user.v", buf, sizeof buf).error(), EACCES);
  EXPECT_EQ(t_->listxattr("p/a/f", buf, sizeof buf).error(), EACCES);
  EXPECT_EQ(t_->setxattr("p/a/f", "user.v", "x").error(), EACCES);
  EXPECT_EQ(t_->removexattr("p/a/f", "user.v").error(), EACCES);
  EXPECT_EQ(lsm->last_name, "-user.v");
  lsm->deny = false;
  get();  // nothing was changed by the denied calls
}

TEST_F(XattrFallback, LinuxModeTakesReferences) {
  t_->set_walk_mode(Task::WalkMode::kLinux);
  Counters d = get();
  EXPECT_EQ(d.get(Counter::kGetxattrSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kGetxattrFallback), 1u);
  d = list();
  EXPECT_EQ(d.get(Counter::kListxattrFallback), 1u);
}

}  // namespace
}  // namespace rcuvfs
