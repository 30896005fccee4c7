// pathrules: every right allowed where a rule grants it and denied elsewhere, nested
// rules, layers, refer across directories, rules following a renamed directory, and
// decisions taken in RCU mode (the stat stays speculative).
#include "test_util.h"

#include "core/dcache.h"

#include <rcuvfs/security/pathrules.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <sys/sysmacros.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

using namespace rcuvfs::pathrules;
using rcuvfs::Counter;
using rcuvfs::Counters;
using rcuvfs::Cred;
using rcuvfs::Echild;
using rcuvfs::Vfs;

class Pathrules : public ::testing::TestWithParam<std::string>, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make(GetParam());
    for (const char* d : {"src", "src/sub", "src/empty", "build", "build2", "build3", "ro",
                          "other"})
      ASSERT_OK(t->mkdirat(AT_FDCWD, d, 0755));
    put("src/a", "hello");
    put("src/sub/b", "b");
    put("build/x", "x");
    put("build/f", "f");
    put("ro/r", "r");
    put("other/o", "o");
    ASSERT_OK(vfs->add_security_module(module()));
    // A second task, never restricted.
    free_task = vfs->new_task();
  }
  bool speculative_fs() const { return GetParam() != "legacyfs"; }

  // The standard policy: read under src, everything under build and build3, all but
  // refer under build2, everything but write_file under ro.
  void enforce_standard() {
    Ruleset rs;
    ASSERT_OK(rs.allow(*t, "src", kReadFile | kReadDir | kStat));
    ASSERT_OK(rs.allow(*t, "build", kAllAccess));
    ASSERT_OK(rs.allow(*t, "build2", kAllAccess & ~kRefer));
    ASSERT_OK(rs.allow(*t, "build3", kAllAccess));
    ASSERT_OK(rs.allow(*t, "ro", kAllAccess & ~kWriteFile));
    ASSERT_OK(restrict_self(*t, rs));
  }
  rcuvfs::Result<int> open(std::string_view p, int flags, mode_t mode = 0) {
    auto fd = t->openat(AT_FDCWD, p, flags, mode);
    if (fd.ok()) {
      EXPECT_OK(t->close(*fd));
    }
    return fd;
  }

  std::unique_ptr<rcuvfs::Task> free_task;
};

TEST(PathrulesNames, ParseAndPrint) {
  EXPECT_EQ(parse_access("read_file,make_dir"), kReadFile | kMakeDir);
  EXPECT_EQ(parse_access("all"), kAllAccess);
  EXPECT_EQ(parse_access("stat"), kStat);
  EXPECT_FALSE(parse_access("read_file,"));
  EXPECT_FALSE(parse_access("nope"));
  EXPECT_EQ(access_names(kRefer | kTruncate), "refer,truncate");
  EXPECT_EQ(parse_access(access_names(kAllAccess)), kAllAccess);
}

TEST_P(Pathrules, RulesetValidation) {
  Ruleset rs(kReadFile);
  EXPECT_ERRNO(rs.allow(*t, "src", kWriteFile), EINVAL);  // not handled
  EXPECT_ERRNO(rs.allow(*t, "src", 0), EINVAL);
  EXPECT_ERRNO(rs.allow(*t, "missing", kReadFile), ENOENT);
  EXPECT_OK(rs.allow(*t, "src", kReadFile));
  EXPECT_OK(rs.allow(*t, "src", kReadFile));
  EXPECT_EQ(rs.size(), 1u);
  EXPECT_ERRNO(t->restrict_self(nullptr), EINVAL);
}

TEST_P(Pathrules, ReadWriteAndDirectories) {
  enforce_standard();
  EXPECT_OK(open("src/a", O_RDONLY));
  EXPECT_OK(open("src/sub/b", O_RDONLY));  // beneath the rule
  EXPECT_ERRNO(open("other/o", O_RDONLY), EACCES);
  EXPECT_ERRNO(open("src/a", O_WRONLY), EACCES);
  EXPECT_ERRNO(open("src/a", O_RDWR), EACCES);
  EXPECT_OK(open("build/x", O_RDWR));
  EXPECT_OK(open("ro/r", O_RDONLY));
  EXPECT_ERRNO(open("ro/r", O_WRONLY), EACCES);
  // read_dir: opening a directory.
  EXPECT_OK(open("src", O_RDONLY | O_DIRECTORY));
  EXPECT_ERRNO(open("other", O_RDONLY | O_DIRECTORY), EACCES);
  EXPECT_ERRNO(open("/", O_RDONLY | O_DIRECTORY), EACCES);
  // O_PATH needs no right; walking through a directory needs none either.
  EXPECT_OK(open("other/o", O_PATH));
  EXPECT_EQ(get("src/a"), "hello");
  // The unrestricted task is unaffected.
  EXPECT_OK(free_task->openat(AT_FDCWD, "other/o", O_RDWR));
}

TEST_P(Pathrules, Stat) {
  enforce_standard();
  EXPECT_OK(t->statx(AT_FDCWD, "src/a"));
  EXPECT_OK(t->statx(AT_FDCWD, "src"));
  EXPECT_ERRNO(t->statx(AT_FDCWD, "other/o"), EACCES);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "/"), EACCES);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "other/missing"), ENOENT);  // the walk fails first
  auto fd = t->openat(AT_FDCWD, "other/o", O_PATH);
  ASSERT_OK(fd);
  EXPECT_ERRNO(t->fstat(*fd), EACCES);
  // Every walk mode decides the same.
  t->set_walk_mode(rcuvfs::Task::WalkMode::kRefOnly);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "other/o"), EACCES);
  EXPECT_OK(t->statx(AT_FDCWD, "src/a"));
  t->set_walk_mode(rcuvfs::Task::WalkMode::kLinux);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "other/o"), EACCES);
  EXPECT_OK(t->statx(AT_FDCWD, "src/a"));
  EXPECT_OK(free_task->statx(AT_FDCWD, "other/o"));
}

// Reading extended attributes needs the stat right; it stays speculative when allowed.
TEST_P(Pathrules, ExtendedAttributesAreReadWithTheStatRight) {
  ASSERT_OK(t->setxattr("src/a", "user.k", "v"));
  ASSERT_OK(t->setxattr("other/o", "user.k", "v"));
  enforce_standard();
  char buf[8];
  const Counters before = Vfs::counters();
  EXPECT_OK(t->getxattr("src/a", "user.k", buf, sizeof buf));
  EXPECT_OK(t->listxattr("src/a", buf, sizeof buf));
  const Counters d = Vfs::counters() - before;
  if (speculative_fs()) {
    EXPECT_EQ(d.get(Counter::kGetxattrSpeculative), 1u);
    EXPECT_EQ(d.get(Counter::kListxattrSpeculative), 1u);
  }
  EXPECT_ERRNO(t->getxattr("other/o", "user.k", buf, sizeof buf), EACCES);
  EXPECT_ERRNO(t->listxattr("other/o", buf, sizeof buf), EACCES);
  t->set_walk_mode(rcuvfs::Task::WalkMode::kRefOnly);
  EXPECT_ERRNO(t->getxattr("other/o", "user.k", buf, sizeof buf), EACCES);
  EXPECT_OK(t->getxattr("src/a", "user.k", buf, sizeof buf));
  // Changes are not restricted (as chmod is not).
  EXPECT_OK(t->setxattr("other/o", "user.k", "w"));
  EXPECT_OK(free_task->getxattr("other/o", "user.k", buf, sizeof buf));
}

TEST_P(Pathrules, Truncate) {
  enforce_standard();
  EXPECT_OK(t->truncate("build/x", 0));
  EXPECT_ERRNO(t->truncate("src/a", 0), EACCES);
  EXPECT_ERRNO(open("src/a", O_RDONLY | O_TRUNC), EACCES);
  EXPECT_OK(open("src/a", O_RDONLY));
  EXPECT_OK(t->truncate("ro/r", 0));  // ro grants truncate, not write_file
  EXPECT_OK(open("build/x", O_WRONLY | O_TRUNC));
  auto fd = t->openat(AT_FDCWD, "build/x", O_WRONLY);
  ASSERT_OK(fd);
  EXPECT_OK(t->ftruncate(*fd, 1));
  // O_CREAT|O_TRUNC of a new file needs make_reg, not truncate.
  Ruleset rs(kMakeReg | kTruncate | kWriteFile);
  ASSERT_OK(rs.allow(*t, "build2", kMakeReg | kWriteFile));
  ASSERT_OK(restrict_self(*t, rs));
  EXPECT_OK(open("build2/new", O_WRONLY | O_CREAT | O_TRUNC, 0644));
  EXPECT_ERRNO(open("build2/new", O_WRONLY | O_TRUNC), EACCES);
}

TEST_P(Pathrules, MakeEveryType) {
  enforce_standard();
  EXPECT_OK(open("build/r", O_CREAT | O_WRONLY, 0644));
  EXPECT_ERRNO(open("src/r", O_CREAT | O_WRONLY, 0644), EACCES);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "src/r"), ENOENT);  // nothing was created
  struct Kind {
    mode_t mode;
    AccessMask right;
  };
  const Kind kinds[] = {{S_IFREG, kMakeReg},   {S_IFIFO, kMakeFifo}, {S_IFSOCK, kMakeSock},
                        {S_IFCHR, kMakeChar},  {S_IFBLK, kMakeBlock}};
  int n = 0;
  for (const Kind& k : kinds) {
    const std::string name = "n" + std::to_string(n++);
    const dev_t dev = (S_ISCHR(k.mode) || S_ISBLK(k.mode)) ? makedev(1, 3) : 0;
    EXPECT_OK(t->mknodat(AT_FDCWD, "build/" + name, k.mode | 0644, dev)) << name;
    EXPECT_ERRNO(t->mknodat(AT_FDCWD, "src/" + name, k.mode | 0644, dev), EACCES) << name;
    // A ruleset granting every make right but this one.
    Ruleset only(k.right);
    ASSERT_OK(only.allow(*t, "build3", k.right));
    auto sub = vfs->new_task();
    ASSERT_OK(restrict_self(*sub, only));
    EXPECT_OK(sub->mknodat(AT_FDCWD, "build3/" + name, k.mode | 0644, dev)) << name;
    EXPECT_ERRNO(sub->mknodat(AT_FDCWD, "build2/" + name, k.mode | 0644, dev), EACCES);
  }
  EXPECT_OK(t->mkdirat(AT_FDCWD, "build/d", 0755));
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "src/d", 0755), EACCES);
  EXPECT_OK(t->symlinkat("x", AT_FDCWD, "build/s"));
  EXPECT_ERRNO(t->symlinkat("x", AT_FDCWD, "src/s"), EACCES);
  // make_dir alone does not allow a file, nor the reverse.
  Ruleset dirs(kMakeDir | kMakeReg);
  ASSERT_OK(dirs.allow(*t, "build", kMakeDir));
  ASSERT_OK(restrict_self(*t, dirs));
  EXPECT_OK(t->mkdirat(AT_FDCWD, "build/d2", 0755));
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "build/r2", S_IFREG | 0644, 0), EACCES);
}

TEST_P(Pathrules, Remove) {
  enforce_standard();
  EXPECT_OK(t->unlinkat(AT_FDCWD, "build/x", 0));
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "src/a", 0), EACCES);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "src/empty", AT_REMOVEDIR), EACCES);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "build/d", 0755));
  EXPECT_OK(t->unlinkat(AT_FDCWD, "build/d", AT_REMOVEDIR));
  EXPECT_OK(t->statx(AT_FDCWD, "src/a"));
  // remove_file does not cover directories, nor remove_dir files.
  Ruleset rf(kRemoveFile | kRemoveDir);
  ASSERT_OK(rf.allow(*t, "build", kRemoveFile));
  ASSERT_OK(restrict_self(*t, rf));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "build/d", 0755));
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "build/d", AT_REMOVEDIR), EACCES);
  EXPECT_OK(t->unlinkat(AT_FDCWD, "build/f", 0));
}

TEST_P(Pathrules, ReferAcrossDirectories) {
  enforce_standard();
  // Same directory: no refer needed.
  EXPECT_OK(t->renameat2(AT_FDCWD, "build2/../build/f", AT_FDCWD, "build/g", 0));
  put("build2/y", "y", 0644, free_task.get());
  EXPECT_OK(t->renameat2(AT_FDCWD, "build2/y", AT_FDCWD, "build2/z", 0));
  EXPECT_OK(t->linkat(AT_FDCWD, "build2/z", AT_FDCWD, "build2/z2", 0));
  // build -> build3: both grant refer and the same rights.
  EXPECT_OK(t->renameat2(AT_FDCWD, "build/g", AT_FDCWD, "build3/g", 0));
  EXPECT_OK(t->linkat(AT_FDCWD, "build3/g", AT_FDCWD, "build/g2", 0));
  // build2 grants no refer: EXDEV both ways, for rename and link.
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "build3/g", AT_FDCWD, "build2/g", 0), EXDEV);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "build2/z", AT_FDCWD, "build3/z", 0), EXDEV);
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "build3/g", AT_FDCWD, "build2/g", 0), EXDEV);
  // ro -> build would gain write_file: EXDEV; build -> ro loses it: allowed.
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "ro/r", AT_FDCWD, "build/r", 0), EXDEV);
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "ro/r", AT_FDCWD, "build/r", 0), EXDEV);
  EXPECT_OK(t->renameat2(AT_FDCWD, "build/g2", AT_FDCWD, "ro/g2", 0));
  // Exchange: checked both ways (ro/r would reach build with more rights).
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "ro/g2", AT_FDCWD, "build/x", RENAME_EXCHANGE), EXDEV);
  EXPECT_OK(t->renameat2(AT_FDCWD, "build3/g", AT_FDCWD, "build/x", RENAME_EXCHANGE));
  // Missing make/remove rights are EACCES, checked before refer.
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "build/x", AT_FDCWD, "src/x", 0), EACCES);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "src/a", AT_FDCWD, "build/a", 0), EACCES);
  // Directories move too.
  ASSERT_OK(t->mkdirat(AT_FDCWD, "build/dir", 0755));
  EXPECT_OK(t->renameat2(AT_FDCWD, "build/dir", AT_FDCWD, "build3/dir", 0));
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "build3/dir", AT_FDCWD, "build2/dir", 0), EXDEV);
  // A ruleset that does not handle refer leaves cross-directory moves alone.
  auto sub = vfs->new_task();
  Ruleset no_refer(kAllAccess & ~kRefer);
  ASSERT_OK(no_refer.allow(*sub, "build", kAllAccess & ~kRefer));
  ASSERT_OK(no_refer.allow(*sub, "build2", kAllAccess & ~kRefer));
  ASSERT_OK(restrict_self(*sub, no_refer));
  EXPECT_OK(sub->renameat2(AT_FDCWD, "build/x", AT_FDCWD, "build2/x", 0));
}

TEST_P(Pathrules, NestedRules) {
  Ruleset rs;
  ASSERT_OK(rs.allow(*t, "src", kReadFile | kStat));
  ASSERT_OK(rs.allow(*t, "src/sub", kWriteFile));
  ASSERT_OK(rs.allow(*t, "src/a", kTruncate));  // a rule on a file
  ASSERT_OK(restrict_self(*t, rs));
  EXPECT_OK(open("src/sub/b", O_RDWR));  // read from src, write from src/sub
  EXPECT_ERRNO(open("src/a", O_RDWR), EACCES);
  EXPECT_OK(t->truncate("src/a", 1));
  EXPECT_ERRNO(t->truncate("src/sub/b", 0), EACCES);
}

TEST_P(Pathrules, LayersIntersect) {
  enforce_standard();
  EXPECT_OK(t->statx(AT_FDCWD, "src/a"));
  // Layer 2 handles stat and read_file only, and grants read_file under src.
  Ruleset second(kStat | kReadFile);
  ASSERT_OK(second.allow(*t, "src", kReadFile));
  ASSERT_OK(restrict_self(*t, second));
  const Cred c = t->cred();
  ASSERT_NE(c.domain, nullptr);
  ASSERT_NE(c.domain->parent(), nullptr);
  EXPECT_EQ(c.domain->parent()->parent(), nullptr);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "src/a"), EACCES);  // layer 2 denies
  EXPECT_OK(open("src/a", O_RDONLY));                 // both allow
  EXPECT_ERRNO(open("build/x", O_RDONLY), EACCES);    // layer 2 denies
  EXPECT_OK(open("build/x", O_WRONLY));               // layer 2 does not handle it
  EXPECT_ERRNO(open("other/o", O_WRONLY), EACCES);    // layer 1 denies
  // Switching ids does not shed the layers.
  t->set_cred(Cred{0, 0, {}, nullptr});
  EXPECT_EQ(t->cred().domain, c.domain);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "src/a"), EACCES);
  // Mount changes are refused to a sandboxed task.
  EXPECT_ERRNO(t->mount("memfs", "build"), EPERM);
  EXPECT_OK(free_task->mount("memfs", "build"));
  EXPECT_ERRNO(t->umount("build"), EPERM);
  EXPECT_ERRNO(t->bind("src", "build2"), EPERM);
  EXPECT_OK(free_task->umount("build"));
}

TEST_P(Pathrules, RulesFollowARenamedDirectory) {
  enforce_standard();
  ASSERT_OK(free_task->renameat2(AT_FDCWD, "src", AT_FDCWD, "other/moved", 0));
  EXPECT_OK(open("other/moved/a", O_RDONLY));
  EXPECT_OK(t->statx(AT_FDCWD, "other/moved/sub/b"));
  EXPECT_ERRNO(open("other/o", O_RDONLY), EACCES);
  // A new directory under the old name gets nothing.
  ASSERT_OK(free_task->mkdirat(AT_FDCWD, "src", 0755));
  put("src/a", "new", 0644, free_task.get());
  EXPECT_ERRNO(open("src/a", O_RDONLY), EACCES);
  // Across a mount: the rule on build stays with build's inode, so a filesystem
  // mounted on it is not covered (its root is another inode) ...
  ASSERT_OK(free_task->mount("memfs", "other"));
  put("other/m", "m", 0644, free_task.get());
  EXPECT_ERRNO(open("other/m", O_RDONLY), EACCES);
  // ... unless a rule names a directory above the mount point.
  ASSERT_OK(free_task->mkdirat(AT_FDCWD, "build/mnt", 0755));
  ASSERT_OK(free_task->mount("memfs", "build/mnt"));
  put("build/mnt/f", "f", 0644, free_task.get());
  EXPECT_OK(open("build/mnt/f", O_RDWR));
}

// The stat right is decided in RCU mode: no fallback, no restart, when nothing races.
TEST_P(Pathrules, DecisionsStaySpeculative) {
  if (!speculative_fs()) GTEST_SKIP() << "legacyfs has no speculative stat";
  enforce_standard();
  st("src/sub/b");  // warm the dcache
  (void)t->statx(AT_FDCWD, "other/o");
  const Counters before = Vfs::counters();
  for (int i = 0; i < 10; ++i) {
    EXPECT_OK(t->statx(AT_FDCWD, "src/sub/b"));
    EXPECT_ERRNO(t->statx(AT_FDCWD, "other/o"), EACCES);
  }
  const Counters d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 10u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 0u);
  EXPECT_EQ(d.get(Counter::kRestart), 0u);
  EXPECT_EQ(d.get(Counter::kWalkRcu), 20u);
  EXPECT_EQ(d.get(Echild::kSecurityRefused), 0u);
  EXPECT_EQ(d.get(Echild::kRenameSeq), 0u);
}

// A rename racing with the ancestor walk throws the RCU decision away: the stat is
// redone with references and still gets the right answer.
TEST_P(Pathrules, RacingRenameFallsBack) {
  if (!speculative_fs()) GTEST_SKIP() << "legacyfs has no speculative stat";
  enforce_standard();
  st("src/sub/b");
  // A module after pathrules that bumps the rename counter once, under RCU.
  struct Bumper : rcuvfs::SecurityModule {
    std::string_view name() const override { return "bumper"; }
    int inode_getattr(const rcuvfs::SecPath& at, const Cred&, unsigned flags) override {
      if ((flags & rcuvfs::kMayNotBlock) && armed.exchange(false)) {
        at.walk_up([](const rcuvfs::Inode&, std::string_view, unsigned) { return false; });
        rcuvfs::core::g_rename_seq.invalidate();
      }
      return 0;
    }
    std::atomic<bool> armed{false};
  };
  auto bumper = std::make_shared<Bumper>();
  ASSERT_OK(vfs->add_security_module(bumper));
  bumper->armed = true;
  const Counters before = Vfs::counters();
  auto s = t->statx(AT_FDCWD, "src/sub/b");
  const Counters d = Vfs::counters() - before;
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_size, 1u);
  EXPECT_EQ(d.get(Echild::kRenameSeq), 1u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 1u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  bumper->armed = true;
  EXPECT_ERRNO(t->statx(AT_FDCWD, "other/o"), EACCES);
}

// Renames elsewhere in the tree race with the ancestor walks: decisions may fall
// back to ref mode, but never change.
TEST_P(Pathrules, UnrelatedRenamesNeverFlipDecisions) {
  enforce_standard();
  ASSERT_OK(free_task->mkdirat(AT_FDCWD, "other/x", 0755));
  std::atomic<bool> stop{false};
  std::thread renamer([&] {
    for (int i = 0; i < 2000; ++i) {
      const bool back = i % 2;
      EXPECT_OK(free_task->renameat2(AT_FDCWD, back ? "other/y" : "other/x", AT_FDCWD,
                                     back ? "other/x" : "other/y", 0));
    }
    stop = true;
  });
  std::atomic<int> wrong{0};
  std::vector<std::thread> statters;
  for (int i = 0; i < 2; ++i)
    statters.emplace_back([&] {
      while (!stop.load()) {
        if (!t->statx(AT_FDCWD, "src/sub/b").ok()) ++wrong;
        if (t->statx(AT_FDCWD, "other/o").error() != EACCES) ++wrong;
        if (t->statx(AT_FDCWD, "/").error() != EACCES) ++wrong;
      }
    });
  renamer.join();
  for (auto& th : statters) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// The ruled directory itself moves in and out of the ruled subtree: every answer is
// one the tree allowed at some moment (OK or EACCES, or ENOENT mid-move).
TEST_P(Pathrules, RuledSubtreeMovingUnderStats) {
  Ruleset rs(kStat);
  ASSERT_OK(rs.allow(*t, "src", kStat));
  ASSERT_OK(restrict_self(*t, rs));
  std::atomic<bool> stop{false};
  std::thread renamer([&] {
    for (int i = 0; i < 1000; ++i) {
      const bool back = i % 2;
      EXPECT_OK(free_task->renameat2(AT_FDCWD, back ? "other/sub" : "src/sub", AT_FDCWD,
                                     back ? "src/sub" : "other/sub", 0));
    }
    stop = true;
  });
  std::atomic<int> odd{0};
  std::thread statter([&] {
    while (!stop.load())
      for (const char* p : {"src/sub/b", "other/sub/b"}) {
        const int e = t->statx(AT_FDCWD, p).error();
        if (e != 0 && e != EACCES && e != ENOENT) ++odd;
      }
  });
  renamer.join();
  statter.join();
  EXPECT_EQ(odd.load(), 0);
  // At rest the answers are exact again.
  EXPECT_OK(t->statx(AT_FDCWD, "src/sub/b"));
  ASSERT_OK(free_task->renameat2(AT_FDCWD, "src/sub", AT_FDCWD, "other/sub", 0));
  EXPECT_ERRNO(t->statx(AT_FDCWD, "other/sub/b"), EACCES);
}

INSTANTIATE_TEST_SUITE_P(AllFs, Pathrules, ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return info.param; });

}  // namespace
