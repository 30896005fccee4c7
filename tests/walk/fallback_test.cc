// Every way out of RCU mode, forced deterministically: each test checks the counter
// for its reason and that the final answer is still right.
#include "probe_fixture.h"

#include <rcuvfs/diagnostics.h>

#include <algorithm>

namespace rcuvfs {
namespace {

class Fallback : public ProbeTest {
 protected:
  void SetUp() override {
    ProbeTest::SetUp();
    ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "p/a/b", 0755).ok());
    ASSERT_TRUE(t_->mknodat(AT_FDCWD, "p/a/f", S_IFREG | 0640, 0).ok());
    ASSERT_TRUE(t_->symlinkat("a/f", AT_FDCWD, "p/link").ok());
    // Warm the dcache: every name above is now cached.
    ASSERT_TRUE(t_->statx(AT_FDCWD, "p/link", 0).ok());
    ASSERT_TRUE(t_->statx(AT_FDCWD, "p/a/b/../f", 0).ok());
    auto st = t_->statx(AT_FDCWD, "p/a/f", 0);
    ASSERT_TRUE(st.ok());
    ino_ = st->stx_ino;
  }
  // stat `path` and check that it is p/a/f; returns the counter deltas.
  Counters stat_f(const char* path) {
    Counters before = Vfs::counters();
    auto st = t_->statx(AT_FDCWD, path, 0);
    Counters d = Vfs::counters() - before;
    EXPECT_TRUE(st.ok()) << path << ": " << st.error();
    if (st.ok()) {
      EXPECT_EQ(st->stx_ino, ino_);
      EXPECT_EQ(st->stx_mode, S_IFREG | 0640);
    }
    return d;
  }

  // faccessat2 of `path` for `mode`, which must give `want`; the counter deltas.
  Counters access(const char* path, int mode, int want = 0) {
    Counters before = Vfs::counters();
    auto st = t_->faccessat2(AT_FDCWD, path, mode);
    Counters d = Vfs::counters() - before;
    EXPECT_EQ(st.ok() ? 0 : st.error(), want) << path;
    return d;
  }
  // statfs of `path`, which must be probefs's answer; the counter deltas.
  Counters statfs(const char* path) {
    Counters before = Vfs::counters();
    auto st = t_->statfs(path);
    Counters d = Vfs::counters() - before;
    EXPECT_TRUE(st.ok()) << path << ": " << st.error();
    if (st.ok()) {
      EXPECT_EQ(st->f_type, TMPFS_MAGIC);
      EXPECT_EQ(st->f_bsize, 4096);
      EXPECT_EQ(st->f_namelen, 255);
      EXPECT_EQ(st->f_flags, kStValid);
    }
    return d;
  }

  uint64_t ino_ = 0;
};

TEST_F(Fallback, CachedPathIsSpeculative) {
  Counters d = stat_f("p/a/f");
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 0u);
  EXPECT_EQ(d.get(Counter::kRestart), 0u);
}

TEST_F(Fallback, DentrySeqMovedDuringSpeculation) {
  g_hook_calls = 0;
  core::set_speculation_hook(bump_dentry_once);
  Counters d = stat_f("p/a/f");
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
}

TEST_F(Fallback, MountSeqMovedDuringSpeculation) {
  g_hook_calls = 0;
  core::set_speculation_hook(bump_mount_once);
  Counters d = stat_f("p/a/f");  // crosses the probefs mount on p
  EXPECT_EQ(d.get(Echild::kMountSeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
}

// A mount anywhere, even on a directory the walk has already passed, may change what
// the path names: a walk that crossed no mount validates the mount seq too.
TEST_F(Fallback, MountSeqMovedWithoutCrossingAMount) {
  ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "q", 0755).ok());
  ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "q/b", 0755).ok());
  ASSERT_TRUE(t_->mknodat(AT_FDCWD, "q/f", S_IFREG | 0640, 0).ok());
  auto st = t_->statx(AT_FDCWD, "q/b/../f", 0);  // warm the dcache
  ASSERT_TRUE(st.ok());
  ino_ = st->stx_ino;
  // The one-pass stat of plain components: it gives up, the general walk answers.
  g_hook_calls = 0;
  core::set_speculation_hook(bump_mount_once);
  Counters d = stat_f("q/f");
  EXPECT_EQ(d.get(Echild::kMountSeq), 1u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);  // the general walk's, validated
  // The general walk (`..` is not a plain component): it restarts with references.
  g_hook_calls = 0;
  d = stat_f("q/b/../f");
  EXPECT_EQ(d.get(Echild::kMountSeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
}

TEST_F(Fallback, RenameSeqMovedAfterDotDot) {
  g_hook_calls = 0;
  core::set_speculation_hook(bump_rename_once);
  Counters d = stat_f("p/a/b/../f");
  EXPECT_EQ(d.get(Echild::kRenameSeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
}

TEST_F(Fallback, DotDotStaysSpeculativeWhenQuiet) {
  Counters d = stat_f("p/a/b/../f");
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
}

TEST_F(Fallback, DcacheMissUnlazies) {
  Counters before = Vfs::counters();
  auto st = t_->statx(AT_FDCWD, "p/a/never", 0);
  Counters d = Vfs::counters() - before;
  EXPECT_EQ(st.error(), ENOENT);
  EXPECT_EQ(d.get(Echild::kDcacheMiss), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 0u);
  // The negative entry is cached now: the same ENOENT comes from RCU mode.
  before = Vfs::counters();
  st = t_->statx(AT_FDCWD, "p/a/never", 0);
  d = Vfs::counters() - before;
  EXPECT_EQ(st.error(), ENOENT);
  EXPECT_EQ(d.get(Echild::kDcacheMiss), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 0u);
  EXPECT_EQ(d.get(Counter::kWalkRcu), 1u);
}

TEST_F(Fallback, FilesystemRefusesGetattr) {
  probefs::g_switches.refuse_getattr = true;
  Counters d = stat_f("p/a/f");
  EXPECT_EQ(d.get(Echild::kFsRefused), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
}

// probefs keeps memfs's kSbGenericPermission, the promise that lets the walker grant
// a search without calling permission. While its permission refuses RCU mode it breaks
// that promise, and the consistency check says so.
TEST_F(Fallback, BrokenPermissionPromiseIsReported) {
  EXPECT_EQ(diag::check(*vfs_), std::vector<std::string>{});
  probefs::g_switches.refuse_permission = true;
  const std::vector<std::string> p = diag::check(*vfs_);
  EXPECT_TRUE(std::any_of(p.begin(), p.end(), [](const std::string& s) {
    return s.ends_with(
        "/a/f: kSbGenericPermission, but permission(4) for uid 0 is not generic_permission");
  })) << ::testing::PrintToString(p);
}

TEST_F(Fallback, SymlinkBodyRefusedInRcuMode) {
  probefs::g_switches.refuse_link = true;
  Counters d = stat_f("p/link");
  EXPECT_EQ(d.get(Echild::kSymlink), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
}

TEST_F(Fallback, AttributeRetriesExhausted) {
  probefs::g_switches.writer_inside = true;
  Counters d = stat_f("p/a/f");
  EXPECT_EQ(d.get(Echild::kAttrRetry), 1u);
  EXPECT_EQ(d.get(Echild::kFsRefused), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
}

class RefuseInRcu : public SecurityModule {
 public:
  std::string_view name() const override { return "refuse-in-rcu"; }
  int inode_getattr(const SecPath&, const Cred&, unsigned flags) override {
    if (flags & kMayNotBlock) {
      ++rcu_calls;
      return -ECHILD;
    }
    ++blocking_calls;
    return 0;
  }
  std::atomic<int> rcu_calls{0}, blocking_calls{0};
};

TEST_F(Fallback, SecurityModuleRefusesInRcuMode) {
  auto lsm = std::make_shared<RefuseInRcu>();
  ASSERT_TRUE(vfs_->add_security_module(lsm).ok());
  Counters d = stat_f("p/a/f");
  EXPECT_EQ(d.get(Echild::kSecurityRefused), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
  EXPECT_EQ(lsm->rcu_calls.load(), 1);
  EXPECT_EQ(lsm->blocking_calls.load(), 1);
}

TEST_F(Fallback, LegacyFilesystemAlwaysFallsBack) {
  ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "l", 0755).ok());
  ASSERT_TRUE(t_->mount("legacyfs", "l").ok());
  ASSERT_TRUE(t_->mknodat(AT_FDCWD, "l/x", S_IFREG | 0600, 0).ok());
  for (int i = 0; i < 3; ++i) {
    Counters before = Vfs::counters();
    auto st = t_->statx(AT_FDCWD, "l/x", 0);
    Counters d = Vfs::counters() - before;
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->stx_mode, S_IFREG | 0600);
    EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
    EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
    EXPECT_GE(d.get(Echild::kFsRefused), 1u);
  }
}

TEST_F(Fallback, ResolveCachedNeverLeavesRcu) {
  OpenHow how{};
  how.flags = O_PATH;
  how.resolve = RESOLVE_CACHED;
  auto fd = t_->openat2(AT_FDCWD, "p/a/uncached", how);
  EXPECT_EQ(fd.error(), EAGAIN);
  // After an ordinary lookup cached the (negative) entry, the cached walk answers.
  EXPECT_EQ(t_->statx(AT_FDCWD, "p/a/uncached", 0).error(), ENOENT);
  fd = t_->openat2(AT_FDCWD, "p/a/uncached", how);
  EXPECT_EQ(fd.error(), ENOENT);
  fd = t_->openat2(AT_FDCWD, "p/a/f", how);
  ASSERT_TRUE(fd.ok());
  EXPECT_TRUE(t_->close(*fd).ok());
  // A filesystem that refuses in RCU mode cannot be walked with RESOLVE_CACHED.
  probefs::g_switches.refuse_link = true;
  fd = t_->openat2(AT_FDCWD, "p/link", how);
  EXPECT_EQ(fd.error(), EAGAIN);
}

// ---- the other questions of the speculative tail: faccessat2, statfs -----------------

TEST_F(Fallback, AccessIsSpeculative) {
  Counters d = access("p/a/f", R_OK | W_OK);
  EXPECT_EQ(d.get(Counter::kAccessSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy) + d.get(Counter::kRestart), 0u);
  // A denial from RCU mode, validated like any error.
  d = access("p/a/f", X_OK, EACCES);
  EXPECT_EQ(d.get(Counter::kWalkRcu), 1u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 0u);
  d = access("p/link", F_OK);
  EXPECT_EQ(d.get(Counter::kAccessSpeculative), 1u);
}

// On memfs with no mount on the way, the one-pass walk answers; when its validation
// fails it leaves the call to the general walk, which answers from RCU mode too.
TEST_F(Fallback, AccessOnePassWalkHandsOverToTheGeneralWalk) {
  ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "q", 0755).ok());
  ASSERT_TRUE(t_->mknodat(AT_FDCWD, "q/f", S_IFREG | 0640, 0).ok());
  Counters d = access("q/f", R_OK);
  EXPECT_EQ(d.get(Counter::kAccessSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kWalkRcu), 1u);
  g_hook_calls = 0;
  core::set_speculation_hook(bump_dentry_once);
  d = access("q/f", R_OK);
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kAccessSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 0u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 0u);
  // statfs the same way.
  g_hook_calls = 0;
  d = statfs("q/f");
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kStatfsSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kStatfsFallback), 0u);
}

TEST_F(Fallback, AccessDentrySeqMovedDuringSpeculation) {
  g_hook_calls = 0;
  core::set_speculation_hook(bump_dentry_once);
  Counters d = access("p/a/f", R_OK);
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kAccessSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 1u);
}

TEST_F(Fallback, AccessFilesystemRefuses) {
  probefs::g_switches.refuse_permission = true;
  Counters d = access("p/a/f", R_OK);
  EXPECT_EQ(d.get(Echild::kFsRefused), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 1u);
  d = access("p/a/f", X_OK, EACCES);
  EXPECT_EQ(d.get(Echild::kFsRefused), 1u);
}

// A chmod between the read of the mode and the read of the owner could give the
// answer of a state the object never had: the check is redone.
TEST_F(Fallback, AccessAttributesChangedDuringTheCheck) {
  probefs::g_switches.attr_writes_in_permission = 1;
  Counters d = access("p/a/f", R_OK);
  EXPECT_EQ(d.get(Echild::kAttrRetry), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 1u);
  // With references the check runs once, with the inode's lock held (which a chmod
  // needs): a write of the attributes without it does not make it ask again.
  t_->set_walk_mode(Task::WalkMode::kRefOnly);
  probefs::g_switches.attr_writes_in_permission = 3;
  d = access("p/a/f", R_OK);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 1u);
  EXPECT_EQ(probefs::g_switches.attr_writes_in_permission.load(), 2);
}

class RefusePermissionInRcu : public SecurityModule {
 public:
  std::string_view name() const override { return "refuse-permission-in-rcu"; }
  int inode_permission(const SecPath& at, int, const Cred&, unsigned flags) override {
    if (at.inode().type() != S_IFREG) return 0;
    if (flags & kMayNotBlock) return ++rcu_calls, -ECHILD;
    return ++blocking_calls, deny.load() ? -EACCES : 0;
  }
  std::atomic<int> rcu_calls{0}, blocking_calls{0};
  std::atomic<bool> deny{false};
};

TEST_F(Fallback, AccessSecurityModuleRefusesInRcuMode) {
  auto lsm = std::make_shared<RefusePermissionInRcu>();
  ASSERT_TRUE(vfs_->add_security_module(lsm).ok());
  Counters d = access("p/a/f", R_OK);
  EXPECT_EQ(d.get(Echild::kSecurityRefused), 1u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 1u);
  EXPECT_EQ(lsm->rcu_calls.load(), 1);
  EXPECT_EQ(lsm->blocking_calls.load(), 1);
  lsm->deny = true;
  access("p/a/f", R_OK, EACCES);
}

TEST_F(Fallback, AccessInLinuxModeTakesReferences) {
  t_->set_walk_mode(Task::WalkMode::kLinux);
  Counters d = access("p/a/f", R_OK);
  EXPECT_EQ(d.get(Counter::kAccessSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kAccessFallback), 1u);
}

TEST_F(Fallback, StatfsIsSpeculative) {
  Counters d = statfs("p/a/f");
  EXPECT_EQ(d.get(Counter::kStatfsSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kStatfsFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy) + d.get(Counter::kRestart), 0u);
  // By descriptor: the same answer, from RCU mode too.
  auto fd = t_->openat(AT_FDCWD, "p/a", O_PATH);
  ASSERT_TRUE(fd.ok());
  Counters before = Vfs::counters();
  auto by_fd = t_->fstatfs(*fd);
  d = Vfs::counters() - before;
  ASSERT_TRUE(by_fd.ok());
  EXPECT_EQ(by_fd->f_type, TMPFS_MAGIC);
  EXPECT_EQ(d.get(Counter::kStatfsSpeculative), 1u);
  EXPECT_TRUE(t_->close(*fd).ok());
  EXPECT_EQ(t_->fstatfs(*fd).error(), EBADF);
}

TEST_F(Fallback, StatfsDentrySeqMovedDuringSpeculation) {
  g_hook_calls = 0;
  core::set_speculation_hook(bump_dentry_once);
  Counters d = statfs("p/a/f");
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kRestart), 1u);
  EXPECT_EQ(d.get(Counter::kStatfsFallback), 1u);
}

TEST_F(Fallback, StatfsFilesystemRefuses) {
  probefs::g_switches.refuse_statfs = true;
  Counters d = statfs("p/a/f");
  EXPECT_EQ(d.get(Echild::kFsRefused), 1u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 1u);
  EXPECT_EQ(d.get(Counter::kStatfsFallback), 1u);
  EXPECT_EQ(d.get(Counter::kStatfsSpeculative), 0u);
}

// A descriptor's object (fstat, fstatfs, ... with an empty path and AT_EMPTY_PATH) is
// answered by a one-pass step of its own: no walk, no reference on the file.
TEST_F(Fallback, FstatIsSpeculative) {
  auto fd = t_->openat(AT_FDCWD, "p/a/f", O_RDONLY);
  ASSERT_TRUE(fd.ok());
  Counters before = Vfs::counters();
  auto st = t_->fstat(*fd);
  Counters d = Vfs::counters() - before;
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stx_ino, ino_);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback) + d.get(Counter::kUnlazy) + d.get(Counter::kRestart),
            0u);
  // Unlinked, the file is still the descriptor's object.
  ASSERT_TRUE(t_->unlinkat(AT_FDCWD, "p/a/f", 0).ok());
  before = Vfs::counters();
  st = t_->fstat(*fd);
  d = Vfs::counters() - before;
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stx_ino, ino_);
  EXPECT_EQ(st->stx_nlink, 0u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);
  EXPECT_TRUE(t_->close(*fd).ok());
  EXPECT_EQ(t_->fstat(*fd).error(), EBADF);
  // An O_PATH descriptor of a symlink: the symlink itself, with or without
  // AT_SYMLINK_NOFOLLOW (an empty path follows nothing).
  auto link = t_->openat(AT_FDCWD, "p/link", O_PATH | O_NOFOLLOW);
  ASSERT_TRUE(link.ok());
  for (int flags : {AT_EMPTY_PATH, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW}) {
    before = Vfs::counters();
    st = t_->statx(*link, "", flags);
    d = Vfs::counters() - before;
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(S_ISLNK(st->stx_mode)) << flags;
    EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);
  }
  // Without AT_EMPTY_PATH an empty path is ENOENT, before any descriptor is read.
  EXPECT_EQ(t_->statx(*link, "", 0).error(), ENOENT);
  EXPECT_EQ(t_->statx(12345, "", 0).error(), ENOENT);
  EXPECT_EQ(t_->statx(12345, "", AT_EMPTY_PATH).error(), EBADF);
  // AT_FDCWD with an empty path: the working directory.
  before = Vfs::counters();
  st = t_->statx(AT_FDCWD, "", AT_EMPTY_PATH);
  d = Vfs::counters() - before;
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISDIR(st->stx_mode));
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);
}

// The one-pass answer fails its proof and the general walk answers, still in RCU mode:
// had the general walk been the first, its own proof would have failed and a walk
// with references would have followed (kRestart, kStatFallback).
TEST_F(Fallback, FstatDentrySeqMovedDuringSpeculation) {
  auto fd = t_->openat(AT_FDCWD, "p/a/f", O_PATH);
  ASSERT_TRUE(fd.ok());
  core::set_speculation_hook(bump_dentry_once);
  Counters before = Vfs::counters();
  auto st = t_->fstat(*fd);
  Counters d = Vfs::counters() - before;
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stx_ino, ino_);
  EXPECT_EQ(d.get(Echild::kDentrySeq), 1u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kRestart) + d.get(Counter::kStatFallback), 0u);
  // The same for a question: statfs by descriptor.
  g_hook_calls = 0;
  core::set_speculation_hook(bump_mount_once);
  before = Vfs::counters();
  auto sf = t_->fstatfs(*fd);
  d = Vfs::counters() - before;
  ASSERT_TRUE(sf.ok());
  EXPECT_EQ(sf->f_type, TMPFS_MAGIC);
  EXPECT_EQ(d.get(Echild::kMountSeq), 1u);
  EXPECT_EQ(d.get(Counter::kStatfsSpeculative), 1u);
  EXPECT_EQ(d.get(Counter::kRestart) + d.get(Counter::kStatfsFallback), 0u);
}

TEST_F(Fallback, FstatFilesystemRefusesGetattr) {
  auto fd = t_->openat(AT_FDCWD, "p/a/f", O_PATH);
  ASSERT_TRUE(fd.ok());
  probefs::g_switches.refuse_getattr = true;
  Counters before = Vfs::counters();
  auto st = t_->fstat(*fd);
  Counters d = Vfs::counters() - before;
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->stx_ino, ino_);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
}

}  // namespace
}  // namespace rcuvfs
