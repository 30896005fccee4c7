// utimensat: explicit times, UTIME_NOW/UTIME_OMIT, symlinks, descriptors and the
// ownership rules, with Linux's (tmpfs's) results.
#include "test_util.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

namespace {

using rcuvfs::Cred;
using rcuvfs::Statx;

int64_t ns(const struct statx_timestamp& ts) {
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

class Utimens : public ::testing::TestWithParam<std::string>,
                public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override { make(GetParam()); }
};

TEST_P(Utimens, ExplicitTimesAndCtime) {
  put("f");
  const int64_t before = ns(st("f").stx_ctime);
  struct timespec ts[2] = {{1000, 5}, {2000, 999999999}};
  ASSERT_OK(t->utimensat(AT_FDCWD, "f", ts));
  Statx s = st("f");
  EXPECT_EQ(ns(s.stx_atime), 1000LL * 1000000000 + 5);
  EXPECT_EQ(ns(s.stx_mtime), 2000LL * 1000000000 + 999999999);
  EXPECT_GE(ns(s.stx_ctime), before);
}

TEST_P(Utimens, OmitKeepsAndNowSets) {
  put("f");
  struct timespec set[2] = {{10, 0}, {20, 0}};
  ASSERT_OK(t->utimensat(AT_FDCWD, "f", set));
  struct timespec omit_atime[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  ASSERT_OK(t->utimensat(AT_FDCWD, "f", omit_atime));
  Statx s = st("f");
  EXPECT_EQ(ns(s.stx_atime), 10LL * 1000000000);
  EXPECT_GT(s.stx_mtime.tv_sec, 20);
  ASSERT_OK(t->utimensat(AT_FDCWD, "f", nullptr));
  EXPECT_GT(st("f").stx_atime.tv_sec, 10);
}

TEST_P(Utimens, BadArguments) {
  put("f");
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  EXPECT_ERRNO(t->utimensat(AT_FDCWD, "f", bad), EINVAL);
  struct timespec neg[2] = {{0, 0}, {0, -1}};
  EXPECT_ERRNO(t->utimensat(AT_FDCWD, "f", neg), EINVAL);
  // Bad nanoseconds are refused before the lookup, as Linux.
  EXPECT_ERRNO(t->utimensat(AT_FDCWD, "missing", bad), EINVAL);
  EXPECT_ERRNO(t->utimensat(AT_FDCWD, "f", nullptr, AT_REMOVEDIR), EINVAL);
  EXPECT_ERRNO(t->utimensat(AT_FDCWD, "missing", nullptr), ENOENT);
  EXPECT_ERRNO(t->utimensat(AT_FDCWD, "", nullptr), ENOENT);
}

TEST_P(Utimens, SymlinkNofollowAndEmptyPath) {
  put("f");
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "l"));
  struct timespec ts[2] = {{111, 0}, {222, 0}};
  ASSERT_OK(t->utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(st("l", AT_SYMLINK_NOFOLLOW).stx_mtime.tv_sec, 222);
  EXPECT_NE(st("f").stx_mtime.tv_sec, 222);
  auto fd = t->openat(AT_FDCWD, "f", O_PATH);
  ASSERT_OK(fd);
  struct timespec ts2[2] = {{333, 0}, {444, 0}};
  ASSERT_OK(t->utimensat(*fd, "", ts2, AT_EMPTY_PATH));
  EXPECT_EQ(st("f").stx_mtime.tv_sec, 444);
  EXPECT_EQ(st("f").stx_atime.tv_sec, 333);
  EXPECT_OK(t->close(*fd));
}

TEST_P(Utimens, OwnershipRules) {
  put("f");
  ASSERT_OK(t->fchmodat(AT_FDCWD, "f", 0666));  // past the umask
  put("ro", "", 0644);
  auto user = vfs->new_task(Cred{1000, 1000, {}});
  struct timespec ts[2] = {{1, 0}, {2, 0}};
  // Not the owner: explicit times are EPERM even with write access...
  EXPECT_ERRNO(user->utimensat(AT_FDCWD, "/f", ts), EPERM);
  // ...but "now" is allowed with write access, and EACCES without it.
  EXPECT_OK(user->utimensat(AT_FDCWD, "/f", nullptr));
  EXPECT_ERRNO(user->utimensat(AT_FDCWD, "/ro", nullptr), EACCES);
  struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  EXPECT_OK(user->utimensat(AT_FDCWD, "/ro", omit));
  // The owner may set anything.
  ASSERT_OK(t->fchownat(AT_FDCWD, "ro", 1000, 1000));
  EXPECT_OK(user->utimensat(AT_FDCWD, "/ro", ts));
  EXPECT_EQ(st("ro").stx_mtime.tv_sec, 2);
}

INSTANTIATE_TEST_SUITE_P(AllFs, Utimens,
                         ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return info.param; });

}  // namespace
