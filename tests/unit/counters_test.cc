// Walker counters: which stats complete speculatively (never leaving RCU) and which
// fall back, and why. The counters are process-wide sums, so every check compares
// the delta around the operation under test.
#include "test_util.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace {

using rcuvfs::Counter;
using rcuvfs::Counters;
using rcuvfs::Echild;
using rcuvfs::Task;
using rcuvfs::Vfs;

class CountersTest : public ::testing::Test, public rcuvfs_test::VfsHarness {
 protected:
  void build(std::string_view fstype) {
    make(fstype);
    ASSERT_OK(t->mkdirat(AT_FDCWD, "a", 0755));
    ASSERT_OK(t->mkdirat(AT_FDCWD, "a/b", 0755));
    put("a/b/f", "x");
    ASSERT_OK(t->symlinkat("b/f", AT_FDCWD, "a/l"));
  }
  // The counter deltas of `n` stats of `path` (each must give `want_err`).
  Counters stats(std::string_view path, int n = 10, int want_err = 0) {
    const Counters before = Vfs::counters();
    for (int i = 0; i < n; ++i) EXPECT_ERRNO(t->statx(AT_FDCWD, path), want_err) << path;
    return Vfs::counters() - before;
  }
};

TEST_F(CountersTest, MemfsCachedStatIsSpeculative) {
  build("memfs");
  stats("a/b/f", 1);  // warm
  Counters d = stats("a/b/f", 10);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 10u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 0u);
  EXPECT_EQ(d.get(Counter::kRestart), 0u);
  EXPECT_EQ(d.get(Counter::kWalkRef), 0u);
  for (size_t e = 0; e < size_t(Echild::kCount); ++e)
    EXPECT_EQ(d.echild[e], 0u) << Counters::name(Echild(e));
  // Through a symlink, "..", "." and an absolute path: still speculative.
  d = stats("/a/l", 5);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 5u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  d = stats("a/b/../b/./f", 5);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 5u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  // The speculative answer is the right one.
  auto s = t->statx(AT_FDCWD, "a/b/f");
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_mode, S_IFREG | 0644);
  EXPECT_EQ(s->stx_size, 1u);
}

TEST_F(CountersTest, RecyclefsCachedStatIsSpeculative) {
  build("recyclefs");
  stats("a/b/f", 1);
  Counters d = stats("a/b/f", 10);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 10u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
}

TEST_F(CountersTest, LegacyfsStatsAllFallBack) {
  build("legacyfs");
  stats("a/b/f", 1);
  Counters d = stats("a/b/f", 10);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 10u);
  EXPECT_GE(d.get(Echild::kFsRefused), 10u);
  auto s = t->statx(AT_FDCWD, "a/l");
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_size, 1u);
}

TEST_F(CountersTest, RefOnlyModeFallsBack) {
  build("memfs");
  stats("a/b/f", 1);
  t->set_walk_mode(Task::WalkMode::kRefOnly);
  Counters d = stats("a/b/f", 10);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 10u);
  EXPECT_EQ(d.get(Counter::kWalkRcu), 0u);
  t->set_walk_mode(Task::WalkMode::kSpeculative);
  d = stats("a/b/f", 3);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 3u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
}

TEST_F(CountersTest, LinuxModeFallsBack) {
  build("memfs");
  stats("a/b/f", 1);
  t->set_walk_mode(Task::WalkMode::kLinux);
  Counters d = stats("a/b/f", 10);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 10u);
  // The walk itself stayed in RCU mode up to the final getattr: no dcache misses.
  EXPECT_EQ(d.get(Echild::kDcacheMiss), 0u);
  EXPECT_EQ(d.get(Counter::kRestart), 0u);
}

TEST_F(CountersTest, WalkModeIsPerTask) {
  build("memfs");
  auto other = vfs->new_task();
  other->set_walk_mode(Task::WalkMode::kRefOnly);
  stats("a/b/f", 1);
  Counters d = stats("a/b/f", 4);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 4u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
}

TEST_F(CountersTest, NeverSeenNameMissesOnceThenStaysInRcu) {
  build("memfs");
  // Negative: the first lookup misses the dcache and leaves RCU ...
  Counters d = stats("a/b/ghost", 1, ENOENT);
  EXPECT_EQ(d.get(Echild::kDcacheMiss), 1u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  // ... later ones find the negative dentry without leaving RCU.
  d = stats("a/b/ghost", 10, ENOENT);
  EXPECT_EQ(d.get(Echild::kDcacheMiss), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 0u);
  EXPECT_EQ(d.get(Counter::kRestart), 0u);
  EXPECT_EQ(d.get(Counter::kWalkRef), 0u);
  // The name becomes positive: stats of it are speculative, with no miss.
  put("a/b/ghost", "boo");
  d = stats("a/b/ghost", 10);
  EXPECT_EQ(d.get(Echild::kDcacheMiss), 0u);
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 10u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  // Negative again after unlink: the unlinked dentry may be dropped from the hash
  // (as Linux's d_delete does when it is in use), so allow one miss, then none.
  ASSERT_OK(t->unlinkat(AT_FDCWD, "a/b/ghost", 0));
  d = stats("a/b/ghost", 1, ENOENT);
  EXPECT_LE(d.get(Echild::kDcacheMiss), 1u);
  d = stats("a/b/ghost", 5, ENOENT);
  EXPECT_EQ(d.get(Echild::kDcacheMiss), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  EXPECT_EQ(d.get(Counter::kUnlazy), 0u);
}

TEST_F(CountersTest, CountersSumOverThreads) {
  build("memfs");
  stats("a/b/f", 1);
  const Counters before = Vfs::counters();
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 100; ++k) EXPECT_OK(t->statx(AT_FDCWD, "a/b/f"));
    });
  for (auto& th : threads) th.join();
  // Exited threads still count.
  const Counters d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kStatSpeculative) + d.get(Counter::kStatFallback), 200u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
}

TEST(CounterNames, StableKeys) {
  EXPECT_EQ(Counters::name(Counter::kStatSpeculative), "stat_speculative");
  EXPECT_EQ(Counters::name(Counter::kStatFallback), "stat_fallback");
  EXPECT_EQ(Counters::name(Echild::kDcacheMiss), "echild_dcache_miss");
  EXPECT_EQ(Counters::name(Echild::kFsRefused), "echild_fs_refused");
  EXPECT_EQ(Counters::name(Echild::kSecurityRefused), "echild_security_refused");
  Counters a, b;
  a.counter[0] = 5;
  b.counter[0] = 3;
  a.echild[2] = 7;
  EXPECT_EQ((a - b).counter[0], 2u);
  b += a;
  EXPECT_EQ(b.counter[0], 8u);
  EXPECT_EQ(b.echild[2], 7u);
}

}  // namespace
