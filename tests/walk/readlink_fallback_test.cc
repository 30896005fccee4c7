// readlinkat leaves RCU mode only when it must: when relatime says the link's atime
// moves (a write), or a filesystem, a security module or a racing change says so.
#include "probe_fixture.h"

#include <rcuvfs/security.h>

#include <string>

namespace rcuvfs {
namespace {

int64_t ns(const struct statx_timestamp& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

class ReadlinkFallback : public ProbeTest {
 protected:
  void SetUp() override {
    ProbeTest::SetUp();
    ASSERT_TRUE(t_->symlinkat("some/target", AT_FDCWD, "p/a/l").ok());
    ASSERT_TRUE(t_->mknodat(AT_FDCWD, "p/a/f", S_IFREG | 0644, 0).ok());
  }
  // readlink of p/a/l, which must give its body; the counter deltas.
  Counters readlink(const char* path = "p/a/l") {
    Counters before = Vfs::counters();
    auto body = t_->readlinkat(AT_FDCWD, path);
    Counters d = Vfs::counters() - before;
    EXPECT_TRUE(body.ok()) << body.error();
    if (body.ok()) {
      EXPECT_EQ(*body, "some/target");
    }
    return d;
  }
  int64_t atime() {
    auto st = t_->statx(AT_FDCWD, "p/a/l", AT_SYMLINK_NOFOLLOW);
    EXPECT_TRUE(st.ok());
    return st.ok() ? ns(st->stx_atime) : 0;
  }
};

// A new link's atime is not newer than its mtime: the first readlink moves it (with
// references), the next ones write nothing and stay in RCU mode.
TEST_F(ReadlinkFallback, RelatimeMovesTheAtimeOnceThenReadsAreSpeculative) {
  const int64_t made = atime();
  Counters d = readlink();
  EXPECT_EQ(d.get(Echild::kAtime), 1u);
  EXPECT_EQ(d.get(Counter::kReadlinkFallback), 1u);
  EXPECT_EQ(d.get(Counter::kReadlinkSpeculative), 0u);
  const int64_t touched = atime();
  EXPECT_GT(touched, made);
  d = readlink();
  EXPECT_EQ(d.get(Counter::kReadlinkSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kReadlinkFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy) + d.get(Counter::kRestart), 0u);
  EXPECT_EQ(atime(), touched);
  // A change to the link (its ctime) makes the next readlink move the atime again.
  ASSERT_TRUE(t_->fchownat(AT_FDCWD, "p/a/l", 0, 0, AT_SYMLINK_NOFOLLOW).ok());
  d = readlink();
  EXPECT_EQ(d.get(Echild::kAtime), 1u);
  EXPECT_GT(atime(), touched);
}

TEST_F(ReadlinkFallback, FilesystemRefusesTheBody) {
  readlink();  // the atime settled
  probefs::g_switches.refuse_link = true;
  Counters d = readlink();
  EXPECT_EQ(d.get(Echild::kSymlink), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kReadlinkFallback), 1u);
}

TEST_F(ReadlinkFallback, DentrySeqMovedDuringSpeculation) {
  readlink();
  core::set_speculation_hook(bump_dentry_once);
  Counters d = readlink();
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kReadlinkFallback), 1u);
}

TEST_F(ReadlinkFallback, ErrorsAndDescriptors) {
  readlink();
  // Not a symlink: EINVAL, answered in RCU mode.
  Counters before = Vfs::counters();
  EXPECT_EQ(t_->readlinkat(AT_FDCWD, "p/a/f").error(), EINVAL);
  Counters d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kUnlazy) + d.get(Counter::kRestart), 0u);
  EXPECT_EQ(t_->readlinkat(AT_FDCWD, "p/a/missing").error(), ENOENT);
  EXPECT_EQ(t_->readlinkat(AT_FDCWD, "p/a/l/").error(), ENOENT);  // followed: dangling
  auto fd = t_->openat(AT_FDCWD, "p/a/l", O_PATH | O_NOFOLLOW);
  ASSERT_TRUE(fd.ok());
  before = Vfs::counters();
  auto body = t_->readlinkat(*fd, "");
  d = Vfs::counters() - before;
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "some/target");
  EXPECT_EQ(d.get(Counter::kReadlinkSpeculative), 1u);
  auto dir = t_->openat(AT_FDCWD, "p/a", O_PATH);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(t_->readlinkat(*dir, "").error(), ENOENT);  // the empty path names a directory
  EXPECT_EQ(*t_->readlinkat(*dir, "l"), "some/target");
}

class RefuseReadlinkInRcu : public SecurityModule {
 public:
  std::string_view name() const override { return "refuse-readlink-in-rcu"; }
  int inode_readlink(const SecPath&, const Cred&, unsigned flags) override {
    if (flags & kMayNotBlock) return ++rcu_calls, -ECHILD;
    return ++blocking_calls, deny.load() ? -EACCES : 0;
  }
  std::atomic<int> rcu_calls{0}, blocking_calls{0};
  std::atomic<bool> deny{false};
};

TEST_F(ReadlinkFallback, SecurityModuleRefusesInRcuMode) {
  readlink();
  auto lsm = std::make_shared<RefuseReadlinkInRcu>();
  ASSERT_TRUE(vfs_->add_security_module(lsm).ok());
  Counters d = readlink();
  EXPECT_EQ(d.get(Echild::kSecurityRefused), 1u);
  EXPECT_EQ(d.get(Counter::kReadlinkFallback), 1u);
  EXPECT_EQ(lsm->rcu_calls.load(), 1);
  EXPECT_EQ(lsm->blocking_calls.load(), 1);
  lsm->deny = true;
  EXPECT_EQ(t_->readlinkat(AT_FDCWD, "p/a/l").error(), EACCES);
}

TEST_F(ReadlinkFallback, LinuxModeTakesReferences) {
  readlink();
  t_->set_walk_mode(Task::WalkMode::kLinux);
  Counters d = readlink();
  EXPECT_EQ(d.get(Counter::kReadlinkSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kReadlinkFallback), 1u);
}

}  // namespace
}  // namespace rcuvfs
