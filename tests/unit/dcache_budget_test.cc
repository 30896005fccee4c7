// The dentry cache within its budget: negative entries and a host tree's entries are
// evicted when a namespace or a mount holds more than it may, memfs's files are not,
// entries a walk keeps finding survive, and every answer stays right.
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include "test_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace rcuvfs {
namespace {

using rcuvfs_test::HostDir;

constexpr uint64_t kBudget = 256 << 10;  // 256 KiB: about 3,000 dentries

std::string missing(int i) { return "/d/missing" + std::to_string(i); }

TEST(DcacheBudget, NegativeEntriesStayWithinTheBudget) {
  auto vfs = Vfs::create().value();
  ASSERT_OK(vfs->set_cache_budget(kBudget));
  auto t = vfs->new_task();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  for (int i = 0; i < 100; ++i) ASSERT_OK(t->mknodat(AT_FDCWD, "/d/f" + std::to_string(i),
                                                     S_IFREG | 0644, 0));
  const int64_t dentries = diag::live_dentries();
  for (int i = 0; i < 100000; ++i) ASSERT_ERRNO(t->statx(AT_FDCWD, missing(i)), ENOENT);
  const CacheStats s = vfs->cache_stats();
  EXPECT_LE(s.bytes, kBudget);
  EXPECT_EQ(s.budget, kBudget);
  EXPECT_GT(s.reclaimed, 90000u);
  EXPECT_GT(s.negative, 0u);
  EXPECT_LT(s.negative, 4000u);
  diag::quiesce();
  EXPECT_LT(diag::live_dentries() - dentries, 4000);
  // memfs's own entries are its data: all there, and the missing names still missing.
  for (int i = 0; i < 100; ++i) EXPECT_OK(t->statx(AT_FDCWD, "/d/f" + std::to_string(i)));
  for (int i = 0; i < 100000; i += 997) EXPECT_ERRNO(t->statx(AT_FDCWD, missing(i)), ENOENT);
  // A name created after its negative entry was evicted, and one created over a cached
  // negative entry.
  ASSERT_OK(t->mknodat(AT_FDCWD, missing(5), S_IFREG | 0644, 0));
  ASSERT_OK(t->mknodat(AT_FDCWD, missing(99999), S_IFREG | 0644, 0));
  EXPECT_OK(t->statx(AT_FDCWD, missing(5)));
  EXPECT_OK(t->statx(AT_FDCWD, missing(99999)));
  EXPECT_TRUE(diag::check(*vfs).empty());
}

TEST(DcacheBudget, MemfsFilesAreNotChargedAndStay) {
  auto vfs = Vfs::create().value();
  ASSERT_OK(vfs->set_cache_budget(4096));
  auto t = vfs->new_task();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  for (int i = 0; i < 10000; ++i)
    ASSERT_OK(t->mknodat(AT_FDCWD, "/d/f" + std::to_string(i), S_IFREG | 0644, 0));
  const CacheStats s = vfs->cache_stats();
  EXPECT_LE(s.bytes, 4096u);
  EXPECT_GE(s.entries, 10001u);
  for (int i = 0; i < 10000; ++i) ASSERT_OK(t->statx(AT_FDCWD, "/d/f" + std::to_string(i)));
  std::vector<DirEntry> names;
  auto fd = t->openat(AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  size_t n = 0;
  for (;;) {
    names.clear();
    auto got = t->getdents(*fd, names);
    ASSERT_OK(got);
    if (*got == 0) break;
    n += *got;
  }
  EXPECT_EQ(n, 10002u);  // with "." and ".."
  EXPECT_OK(t->close(*fd));
}

TEST(DcacheBudget, LoweringTheBudgetShrinksAtOnce) {
  auto vfs = Vfs::create().value();
  auto t = vfs->new_task();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  for (int i = 0; i < 20000; ++i) ASSERT_ERRNO(t->statx(AT_FDCWD, missing(i)), ENOENT);
  EXPECT_GT(vfs->cache_stats().bytes, kBudget);
  EXPECT_EQ(vfs->cache_stats().reclaimed, 0u);
  ASSERT_OK(vfs->set_cache_budget(kBudget));
  EXPECT_LE(vfs->cache_stats().bytes, kBudget);
  EXPECT_ERRNO(vfs->set_cache_budget(0), EINVAL);
}

// "No limit" spelled as the largest budget: nothing is evicted, in the namespace or
// in a mount.
TEST(DcacheBudget, TheLargestBudgetsEvictNothing) {
  auto vfs = Vfs::create().value();
  auto t = vfs->new_task();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/m", 0755));
  ASSERT_OK(vfs->set_cache_budget(UINT64_MAX));
  ASSERT_OK(t->mount("memfs", "/m", "cache=8e"));
  for (int i = 0; i < 2000; ++i) {
    ASSERT_ERRNO(t->statx(AT_FDCWD, missing(i)), ENOENT);
    ASSERT_ERRNO(t->statx(AT_FDCWD, "/m/missing" + std::to_string(i)), ENOENT);
  }
  EXPECT_EQ(vfs->cache_stats().reclaimed, 0u);
  EXPECT_GE(vfs->cache_stats().negative, 4000u);
  EXPECT_EQ(vfs->cache_stats().budget, uint64_t{INT64_MAX});
}

TEST(DcacheBudget, AMountHasItsOwnBudget) {
  auto vfs = Vfs::create().value();
  auto t = vfs->new_task();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/m", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  EXPECT_ERRNO(t->mount("memfs", "/m", "cache=lots"), EINVAL);
  EXPECT_ERRNO(t->mount("memfs", "/m", "cache=0"), EINVAL);
  EXPECT_ERRNO(t->mount("memfs", "/m", "cache=64k,colour=red"), EINVAL);
  ASSERT_OK(t->mount("memfs", "/m", "cache=64k"));
  for (int i = 0; i < 20000; ++i)
    ASSERT_ERRNO(t->statx(AT_FDCWD, "/m/missing" + std::to_string(i)), ENOENT);
  for (int i = 0; i < 1000; ++i) ASSERT_ERRNO(t->statx(AT_FDCWD, missing(i)), ENOENT);
  const CacheStats s = vfs->cache_stats();
  // The mount's names were evicted; the root filesystem's 1,000 (within the
  // namespace's budget) were not.
  EXPECT_GT(s.reclaimed, 15000u);
  EXPECT_LE(s.bytes, (64u << 10) + 1000 * 128);
  EXPECT_GE(s.negative, 1000u);
}

TEST(DcacheBudget, CountersShowHitsAndMisses) {
  auto vfs = Vfs::create().value();
  auto t = vfs->new_task();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/a", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/a/b", 0755));
  ASSERT_OK(t->mknodat(AT_FDCWD, "/a/b/c", S_IFREG | 0644, 0));
  const uint64_t hit = diag::thread_counter(Counter::kDcacheHit);
  const uint64_t miss = diag::thread_counter(Counter::kDcacheMiss);
  ASSERT_OK(t->statx(AT_FDCWD, "/a/b/c"));
  EXPECT_EQ(diag::thread_counter(Counter::kDcacheHit) - hit, 3u);
  EXPECT_EQ(diag::thread_counter(Counter::kDcacheMiss) - miss, 0u);
  ASSERT_ERRNO(t->statx(AT_FDCWD, "/a/b/x"), ENOENT);  // asks memfs: a miss
  EXPECT_EQ(diag::thread_counter(Counter::kDcacheMiss) - miss, 1u);
  ASSERT_ERRNO(t->statx(AT_FDCWD, "/a/b/x"), ENOENT);  // the negative entry: hits
  EXPECT_EQ(diag::thread_counter(Counter::kDcacheMiss) - miss, 1u);
  EXPECT_GE(diag::thread_counter(Counter::kDcacheHit) - hit, 6u);
}

// hostfs: every cached entry is charged, evicted when over, and looked up again.
class HostBudget : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir.path().empty());
    ASSERT_EQ(::mkdir((dir.path() + "/d").c_str(), 0755), 0);
    for (int i = 0; i < kFiles; ++i) {
      int fd = ::open(host(i).c_str(), O_CREAT | O_WRONLY, 0644);
      ASSERT_GE(fd, 0);
      const std::string body(static_cast<size_t>(i % 7), 'x');
      ASSERT_EQ(::write(fd, body.data(), body.size()), i % 7);
      ::close(fd);
    }
    vfs = Vfs::create("hostfs", "ttl=3600,dir=" + dir.path()).value();
    ASSERT_OK(vfs->set_cache_budget(kBudget));
    t = vfs->new_task();
  }
  std::string host(int i) const { return dir.path() + "/d/f" + std::to_string(i); }
  static std::string path(int i) { return "/d/f" + std::to_string(i); }

  static constexpr int kFiles = 5000;
  HostDir dir;
  std::unique_ptr<Vfs> vfs;
  std::unique_ptr<Task> t;
};

TEST_F(HostBudget, EntriesAreEvictedAndLookedUpAgain) {
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < kFiles; ++i) {
      auto st = t->statx(AT_FDCWD, path(i));
      ASSERT_OK(st);
      struct stat hs;
      ASSERT_EQ(::stat(host(i).c_str(), &hs), 0);
      ASSERT_EQ(st->stx_ino, hs.st_ino) << path(i);
      ASSERT_EQ(st->stx_size, static_cast<uint64_t>(i % 7)) << path(i);
    }
  }
  const CacheStats s = vfs->cache_stats();
  EXPECT_LE(s.bytes, kBudget);
  EXPECT_GT(s.reclaimed, static_cast<uint64_t>(kFiles));
  EXPECT_TRUE(diag::check(*vfs).empty());
}

TEST_F(HostBudget, EntriesAWalkKeepsFindingSurvive) {
  ASSERT_OK(t->statx(AT_FDCWD, path(0)));
  const uint64_t miss = diag::thread_counter(Counter::kDcacheMiss);
  uint64_t hot_misses = 0;
  for (int i = 1; i < kFiles; ++i) {
    ASSERT_OK(t->statx(AT_FDCWD, path(i)));
    if (i % 100 == 0) {
      const uint64_t before = diag::thread_counter(Counter::kDcacheMiss);
      ASSERT_OK(t->statx(AT_FDCWD, path(0)));
      hot_misses += diag::thread_counter(Counter::kDcacheMiss) - before;
    }
  }
  EXPECT_GT(diag::thread_counter(Counter::kDcacheMiss) - miss, static_cast<uint64_t>(kFiles / 2));
  EXPECT_GT(vfs->cache_stats().reclaimed, 0u);
  // Found every 100 names, the hot entry is never the oldest unused one twice.
  EXPECT_EQ(hot_misses, 0u);
}

}  // namespace
}  // namespace rcuvfs
