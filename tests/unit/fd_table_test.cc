// The descriptor table: lowest free descriptor from 3 upward, growth, and the
// RLIMIT_NOFILE-like limit (EMFILE, EPERM above fs.nr_open's default), with Linux's
// order: the descriptor is taken before the walk, so an open at the limit has no effect.
#include "test_util.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using rcuvfs::Task;

class FdTable : public ::testing::Test, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make("memfs");
    for (int i = 0; i < kFiles; ++i) put(file(i), "x");
    for (int i = 0; i < kFiles; ++i) ino[i] = st(file(i)).stx_ino;
  }
  static std::string file(int i) { return "f" + std::to_string(i); }
  // Descriptor fd holds file k's inode.
  bool holds(int fd, int k) {
    auto s = t->fstat(fd);
    return s.ok() && s->stx_ino == ino[k];
  }

  static constexpr int kFiles = 7;
  uint64_t ino[kFiles] = {};
};

TEST_F(FdTable, DefaultLimitIsLinuxsSoftLimit) {
  EXPECT_EQ(t->fd_limit(), 1024u);
  for (int want = 3; want < 1024; ++want) {
    auto fd = t->openat(AT_FDCWD, "f0", O_PATH);
    ASSERT_OK(fd);
    ASSERT_EQ(*fd, want);
  }
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_PATH), EMFILE);
}

// Random opens and closes against a model (a set of open numbers), crossing the
// table's growth at 64 and 4096 and the 64-descriptor words of its bitmaps: every open
// gets the lowest number >= 3 not open, and every descriptor still holds its file.
TEST_F(FdTable, LowestFreeAfterClosesInAnyOrder) {
  ASSERT_OK(t->set_fd_limit(Task::kMaxFdLimit));
  std::mt19937 rng(7);
  std::set<int> open;
  std::set<int> holes;  // free numbers below `top`, which is past every number used
  int top = 3;
  std::vector<int> holding(10000, -1);
  auto open_one = [&] {
    const int k = static_cast<int>(rng() % kFiles);
    auto fd = t->openat(AT_FDCWD, file(k), O_RDONLY);
    ASSERT_OK(fd);
    if (holes.empty()) {
      ASSERT_EQ(*fd, top++);
    } else {
      ASSERT_EQ(*fd, *holes.begin());
      holes.erase(holes.begin());
    }
    open.insert(*fd);
    holding[*fd] = k;
  };
  auto close_some = [&](size_t n) {
    for (size_t i = 0; i < n && !open.empty(); ++i) {
      auto it = open.begin();
      std::advance(it, rng() % open.size());
      ASSERT_OK(t->close(*it));
      holes.insert(*it);
      open.erase(it);
    }
  };
  // Grow to about 5000 open with holes, then shrink and refill, in rounds.
  for (int round = 0; round < 6; ++round) {
    const size_t target = round % 2 ? 300 : 5000;
    while (open.size() < target) {
      open_one();
      if (HasFatalFailure()) return;
      if (rng() % 4 == 0) close_some(1);
    }
    close_some(open.size() / 2);
    if (HasFatalFailure()) return;
  }
  for (int fd : open) ASSERT_TRUE(holds(fd, holding[fd])) << "fd " << fd;
  // The holes close_some left are taken lowest first.
  while (open.size() < 6000) {
    open_one();
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(*open.rbegin(), 6002);
}

TEST_F(FdTable, GrowthKeepsNumberingAndFiles) {
  ASSERT_OK(t->set_fd_limit(10000));
  // 3..63 fill the first table, then 64..4095, then past 4096.
  for (int want = 3; want < 9000; ++want) {
    auto fd = t->openat(AT_FDCWD, file(want % kFiles), O_PATH);
    ASSERT_OK(fd);
    ASSERT_EQ(*fd, want);
  }
  for (int fd : {3, 63, 64, 65, 4095, 4096, 4097, 8999})
    EXPECT_TRUE(holds(fd, fd % kFiles)) << "fd " << fd;
  for (int fd : {5000, 63, 4096, 5}) ASSERT_OK(t->close(fd));
  for (int want : {5, 63, 4096, 5000, 9000}) {
    auto fd = t->openat(AT_FDCWD, "f1", O_PATH);
    ASSERT_OK(fd);
    EXPECT_EQ(*fd, want);
  }
  EXPECT_TRUE(holds(4096, 1));
  EXPECT_TRUE(holds(4097, 4097 % kFiles));
}

TEST_F(FdTable, EmfileAtTheLimit) {
  ASSERT_OK(t->set_fd_limit(10));
  EXPECT_EQ(t->fd_limit(), 10u);
  for (int want = 3; want < 10; ++want) {
    auto fd = t->openat(AT_FDCWD, file(want % kFiles), O_RDONLY);
    ASSERT_OK(fd);
    ASSERT_EQ(*fd, want);
  }
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY), EMFILE);
  EXPECT_ERRNO(t->reopen(3, O_RDONLY), EMFILE);
  ASSERT_OK(t->close(6));
  auto fd = t->openat(AT_FDCWD, "f2", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_EQ(*fd, 6);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY), EMFILE);
  // Up to 9 again.
  ASSERT_OK(t->set_fd_limit(11));
  fd = t->openat(AT_FDCWD, "f0", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_EQ(*fd, 10);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY), EMFILE);
}

// Linux takes the descriptor before the walk: at the limit nothing is created or
// truncated, and an error the walk would give comes second.
TEST_F(FdTable, AnOpenAtTheLimitHasNoEffect) {
  auto keep = t->openat(AT_FDCWD, "f1", O_PATH);
  ASSERT_OK(keep);
  ASSERT_OK(t->set_fd_limit(4));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "new", O_CREAT | O_WRONLY, 0644), EMFILE);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "new"), ENOENT);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_WRONLY | O_TRUNC), EMFILE);
  EXPECT_EQ(st("f0").stx_size, 1u);
  EXPECT_ERRNO(t->reopen(*keep, O_WRONLY | O_TRUNC), EMFILE);
  EXPECT_EQ(st("f1").stx_size, 1u);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "missing", O_RDONLY), EMFILE);
  EXPECT_ERRNO(t->reopen(99, O_RDONLY), EMFILE);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY | O_TMPFILE), EINVAL);  // flags first
  // A failed open gives its descriptor back.
  ASSERT_OK(t->set_fd_limit(5));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "missing", O_RDONLY), ENOENT);
  EXPECT_ERRNO(t->reopen(99, O_RDONLY), EBADF);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY | O_DIRECTORY), ENOTDIR);
  auto fd = t->openat(AT_FDCWD, "f0", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_EQ(*fd, 4);
}

TEST_F(FdTable, LoweringTheLimitKeepsOpenDescriptors) {
  for (int want = 3; want < 10; ++want) {
    auto fd = t->openat(AT_FDCWD, file(want % kFiles), O_RDONLY);
    ASSERT_OK(fd);
    ASSERT_EQ(*fd, want);
  }
  ASSERT_OK(t->set_fd_limit(5));
  for (int fd = 3; fd < 10; ++fd) EXPECT_TRUE(holds(fd, fd % kFiles)) << "fd " << fd;
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY), EMFILE);
  ASSERT_OK(t->close(8));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY), EMFILE);  // 8 >= 5
  ASSERT_OK(t->close(4));
  auto fd = t->openat(AT_FDCWD, "f0", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_EQ(*fd, 4);
  ASSERT_OK(t->set_fd_limit(0));
  ASSERT_OK(t->close(3));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_RDONLY), EMFILE);
  EXPECT_TRUE(holds(9, 9 % kFiles));
}

TEST_F(FdTable, EpermAboveTheMaximum) {
  EXPECT_ERRNO(t->set_fd_limit(Task::kMaxFdLimit + 1), EPERM);
  EXPECT_ERRNO(t->set_fd_limit(UINT64_MAX), EPERM);
  EXPECT_EQ(t->fd_limit(), 1024u);
  EXPECT_OK(t->set_fd_limit(1048576));
  EXPECT_EQ(t->fd_limit(), 1048576u);
}

TEST_F(FdTable, EachTaskHasItsOwnLimit) {
  auto other = vfs->new_task();
  ASSERT_OK(t->set_fd_limit(3));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f0", O_PATH), EMFILE);
  EXPECT_EQ(other->fd_limit(), 1024u);
  auto fd = other->openat(AT_FDCWD, "f0", O_PATH);
  ASSERT_OK(fd);
  EXPECT_EQ(*fd, 3);
}

// A million descriptors at once, as a process may hold with the maximum limit.
TEST_F(FdTable, AMillionOpens) {
  ASSERT_OK(t->set_fd_limit(Task::kMaxFdLimit));
  constexpr int kOpens = 1000000;
  for (int i = 0; i < kOpens; ++i) {
    auto fd = t->openat(AT_FDCWD, file(i % kFiles), O_PATH);
    ASSERT_OK(fd) << "open number " << i;
    ASSERT_EQ(*fd, 3 + i);
  }
  EXPECT_TRUE(holds(3 + kOpens - 1, (kOpens - 1) % kFiles));
  ASSERT_OK(t->close(500000));
  auto fd = t->openat(AT_FDCWD, "f0", O_PATH);
  ASSERT_OK(fd);
  EXPECT_EQ(*fd, 500000);
}

}  // namespace
