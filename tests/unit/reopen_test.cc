// reopen (open("/proc/self/fd/N")) and fsync on descriptors, with Linux's results.
#include "test_util.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <vector>

namespace {

using rcuvfs::Cred;
using rcuvfs::DirEntry;

class Reopen : public ::testing::TestWithParam<std::string>,
               public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override { make(GetParam()); }
};

TEST_P(Reopen, PathDescriptorForIo) {
  put("f", "hello");
  auto p = t->openat(AT_FDCWD, "f", O_PATH);
  ASSERT_OK(p);
  char buf[8];
  EXPECT_ERRNO(t->read(*p, buf, sizeof buf), EBADF);
  auto r = t->reopen(*p, O_RDWR);
  ASSERT_OK(r);
  auto n = t->pread(*r, buf, sizeof buf, 0);
  ASSERT_OK(n);
  EXPECT_EQ(std::string(buf, *n), "hello");
  ASSERT_OK(t->pwrite(*r, "J", 1, 0));
  EXPECT_EQ(get("f"), "Jello");
  EXPECT_OK(t->close(*r));
  EXPECT_OK(t->close(*p));
}

TEST_P(Reopen, FollowsRenameAndUnlink) {
  put("f", "data");
  auto p = t->openat(AT_FDCWD, "f", O_PATH);
  ASSERT_OK(p);
  ASSERT_OK(t->renameat2(AT_FDCWD, "f", AT_FDCWD, "g", 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "g", 0));
  auto r = t->reopen(*p, O_RDONLY);
  ASSERT_OK(r);
  char buf[8];
  auto n = t->read(*r, buf, sizeof buf);
  ASSERT_OK(n);
  EXPECT_EQ(std::string(buf, *n), "data");
  EXPECT_OK(t->close(*r));
  EXPECT_OK(t->close(*p));
}

TEST_P(Reopen, TruncAppendAndFlags) {
  put("f", "abcdef");
  auto p = t->openat(AT_FDCWD, "f", O_PATH);
  ASSERT_OK(p);
  auto a = t->reopen(*p, O_WRONLY | O_APPEND);
  ASSERT_OK(a);
  ASSERT_OK(t->pwrite(*a, "Z", 1, 0));
  EXPECT_EQ(get("f"), "abcdefZ");
  EXPECT_OK(t->close(*a));
  auto tr = t->reopen(*p, O_WRONLY | O_TRUNC);
  ASSERT_OK(tr);
  EXPECT_EQ(st("f").stx_size, 0u);
  EXPECT_OK(t->close(*tr));
  EXPECT_ERRNO(t->reopen(*p, O_RDONLY | O_DIRECTORY), ENOTDIR);
  EXPECT_ERRNO(t->reopen(*p, O_RDWR | O_CREAT | O_EXCL), EEXIST);
  EXPECT_ERRNO(t->reopen(999, O_RDONLY), EBADF);
  EXPECT_ERRNO(t->reopen(-1, O_RDONLY), EBADF);
  EXPECT_OK(t->close(*p));
}

TEST_P(Reopen, DirectoriesAndSymlinks) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  put("d/x");
  ASSERT_OK(t->symlinkat("d", AT_FDCWD, "l"));
  auto d = t->openat(AT_FDCWD, "d", O_PATH | O_DIRECTORY);
  ASSERT_OK(d);
  EXPECT_ERRNO(t->reopen(*d, O_WRONLY), EISDIR);
  auto r = t->reopen(*d, O_RDONLY | O_DIRECTORY);
  ASSERT_OK(r);
  std::vector<DirEntry> out;
  ASSERT_OK(t->getdents(*r, out));
  EXPECT_EQ(out.size(), 3u);  // ".", "..", "x"
  EXPECT_OK(t->close(*r));
  auto l = t->openat(AT_FDCWD, "l", O_PATH | O_NOFOLLOW);
  ASSERT_OK(l);
  EXPECT_ERRNO(t->reopen(*l, O_RDONLY), ELOOP);
  auto lp = t->reopen(*l, O_PATH);
  ASSERT_OK(lp);
  auto s = t->fstat(*lp);
  ASSERT_OK(s);
  EXPECT_TRUE(S_ISLNK(s->stx_mode));
  EXPECT_OK(t->close(*lp));
  EXPECT_OK(t->close(*l));
  EXPECT_OK(t->close(*d));
}

TEST_P(Reopen, ChecksPermissionForTheNewMode) {
  put("ro", "x", 0644);
  auto user = vfs->new_task(Cred{1000, 1000, {}});
  auto p = user->openat(AT_FDCWD, "/ro", O_PATH);
  ASSERT_OK(p);
  EXPECT_ERRNO(user->reopen(*p, O_WRONLY), EACCES);
  EXPECT_ERRNO(user->reopen(*p, O_RDONLY | O_TRUNC), EACCES);
  auto r = user->reopen(*p, O_RDONLY);
  EXPECT_OK(r);
  if (r.ok()) {
    EXPECT_OK(user->close(*r));
  }
  EXPECT_EQ(get("ro"), "x");
  EXPECT_OK(user->close(*p));
}

TEST_P(Reopen, Fsync) {
  put("f", "x");
  auto fd = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_OK(t->fsync(*fd));
  EXPECT_OK(t->fsync(*fd, true));
  auto p = t->openat(AT_FDCWD, "f", O_PATH);
  ASSERT_OK(p);
  EXPECT_ERRNO(t->fsync(*p), EBADF);
  EXPECT_OK(t->close(*p));
  EXPECT_OK(t->close(*fd));
  EXPECT_ERRNO(t->fsync(*fd), EBADF);
}

INSTANTIATE_TEST_SUITE_P(AllFs, Reopen,
                         ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return info.param; });

}  // namespace
