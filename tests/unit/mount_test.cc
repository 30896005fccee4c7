// Mounts: Task::mount/umount, crossing mount points both ways, and the errors of
// operations that would span or remove a mount point.
#include "test_util.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <set>
#include <string>
#include <vector>

namespace {

using rcuvfs::Cred;

class Mount : public ::testing::TestWithParam<std::string>, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make("memfs");
    ASSERT_OK(t->mkdirat(AT_FDCWD, "mnt", 0755));
    put("mnt/under", "hidden");
  }
  int err_stat(std::string_view path) { return t->statx(AT_FDCWD, path).error(); }
};

TEST_P(Mount, MountCrossAndComeBack) {
  const rcuvfs::Statx parent = st("/");
  const rcuvfs::Statx before = st("mnt");
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  rcuvfs::Statx root = st("mnt");
  EXPECT_EQ(root.stx_mode, S_IFDIR | 0755);
  EXPECT_EQ(root.stx_nlink, 2u);
  EXPECT_TRUE(root.stx_dev_major != parent.stx_dev_major ||
              root.stx_dev_minor != parent.stx_dev_minor);
  EXPECT_NE(root.stx_ino, before.stx_ino);
  EXPECT_EQ(err_stat("mnt/under"), ENOENT);  // covered
  put("mnt/new", "on the mount");
  rcuvfs::Statx f = st("mnt/new");
  EXPECT_EQ(f.stx_dev_major, root.stx_dev_major);
  EXPECT_EQ(f.stx_dev_minor, root.stx_dev_minor);
  EXPECT_EQ(get("mnt/new"), "on the mount");
  // ".." of the mounted root is the mount point's parent.
  EXPECT_EQ(st("mnt/..").stx_ino, parent.stx_ino);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "mnt/sub", 0755));
  EXPECT_EQ(st("mnt/sub/../..").stx_ino, parent.stx_ino);
  ASSERT_OK(t->chdir("mnt/sub"));
  EXPECT_EQ(st("../../mnt/new").stx_ino, f.stx_ino);
  ASSERT_OK(t->chdir("/"));
  // getdents on the mount shows the mounted filesystem.
  auto fd = t->openat(AT_FDCWD, "mnt", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  std::vector<rcuvfs::DirEntry> v;
  ASSERT_OK(t->getdents(*fd, v));
  std::set<std::string> names;
  for (auto& e : v) names.insert(e.name);
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "new", "sub"}));
  ASSERT_OK(t->close(*fd));
  auto fp = t->openat(AT_FDCWD, "mnt/sub", O_RDONLY);
  ASSERT_OK(fp);
  auto p = t->fdpath(*fp);
  ASSERT_OK(p);
  EXPECT_EQ(*p, "/mnt/sub");
  ASSERT_OK(t->close(*fp));
  // Unmounted: the old contents are back.
  ASSERT_OK(t->umount("mnt"));
  EXPECT_EQ(st("mnt").stx_ino, before.stx_ino);
  EXPECT_EQ(get("mnt/under"), "hidden");
  EXPECT_EQ(err_stat("mnt/new"), ENOENT);
}

TEST_P(Mount, MountErrors) {
  EXPECT_ERRNO(t->mount(GetParam(), "mnt/under"), ENOTDIR);
  EXPECT_ERRNO(t->mount(GetParam(), "nothing"), ENOENT);
  EXPECT_ERRNO(t->mount("no-such-fs", "mnt"), ENODEV);
  auto user = vfs->new_task(Cred{1000, 1000, {}});
  EXPECT_ERRNO(user->mount(GetParam(), "mnt"), EPERM);
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  EXPECT_ERRNO(user->umount("mnt"), EPERM);
  EXPECT_ERRNO(t->umount("mnt", 0x1000), EINVAL);
  EXPECT_OK(t->umount("mnt"));
}

TEST_P(Mount, MountStacksAndUnmountsInOrder) {
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  put("mnt/one");
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  EXPECT_EQ(err_stat("mnt/one"), ENOENT);
  ASSERT_OK(t->umount("mnt"));
  EXPECT_OK(t->statx(AT_FDCWD, "mnt/one"));
  ASSERT_OK(t->umount("mnt"));
  EXPECT_OK(t->statx(AT_FDCWD, "mnt/under"));
  EXPECT_ERRNO(t->umount("mnt"), EINVAL);
}

TEST_P(Mount, RenameAndLinkAcrossMountsAreExdev) {
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  put("outside");
  put("mnt/inside");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "mnt/dir", 0755));
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "outside", AT_FDCWD, "mnt/x", 0), EXDEV);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "mnt/inside", AT_FDCWD, "x", 0), EXDEV);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "mnt/dir", AT_FDCWD, "dir", 0), EXDEV);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "outside", AT_FDCWD, "mnt/inside", RENAME_EXCHANGE),
               EXDEV);
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "outside", AT_FDCWD, "mnt/x", 0), EXDEV);
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "mnt/inside", AT_FDCWD, "x", 0), EXDEV);
  EXPECT_EQ(err_stat("mnt/x"), ENOENT);
  EXPECT_EQ(err_stat("x"), ENOENT);
  // Within the mount, fine.
  EXPECT_OK(t->renameat2(AT_FDCWD, "mnt/inside", AT_FDCWD, "mnt/dir/inside", 0));
  EXPECT_OK(t->linkat(AT_FDCWD, "mnt/dir/inside", AT_FDCWD, "mnt/again", 0));
}

TEST_P(Mount, UmountNonMountpointIsEinval) {
  EXPECT_ERRNO(t->umount("mnt"), EINVAL);
  EXPECT_ERRNO(t->umount("nothing"), ENOENT);
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "mnt/sub", 0755));
  EXPECT_ERRNO(t->umount("mnt/sub"), EINVAL);
  ASSERT_OK(t->symlinkat("mnt", AT_FDCWD, "lmnt"));
  EXPECT_ERRNO(t->umount("lmnt", UMOUNT_NOFOLLOW), EINVAL);
  EXPECT_OK(t->umount("lmnt"));
  EXPECT_OK(t->statx(AT_FDCWD, "mnt/under"));
}

TEST_P(Mount, UmountBusyWithCwdInside) {
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "mnt/sub", 0755));
  auto other = vfs->new_task();
  ASSERT_OK(other->chdir("/mnt/sub"));
  EXPECT_ERRNO(t->umount("mnt"), EBUSY);
  EXPECT_OK(t->statx(AT_FDCWD, "mnt/sub"));
  ASSERT_OK(other->chdir("/"));
  EXPECT_OK(t->umount("mnt"));
  EXPECT_OK(t->statx(AT_FDCWD, "mnt/under"));
}

TEST_P(Mount, UmountBusyWithOpenFdInside) {
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  put("mnt/f", "data");
  auto fd = t->openat(AT_FDCWD, "mnt/f", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_ERRNO(t->umount("mnt"), EBUSY);
  ASSERT_OK(t->close(*fd));
  EXPECT_OK(t->umount("mnt"));
}

TEST_P(Mount, UmountBusyWithChildMount) {
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "mnt/inner", 0755));
  ASSERT_OK(t->mount("memfs", "mnt/inner"));
  EXPECT_ERRNO(t->umount("mnt"), EBUSY);
  ASSERT_OK(t->umount("mnt/inner"));
  EXPECT_OK(t->umount("mnt"));
}

TEST_P(Mount, DetachWhileBusy) {
  ASSERT_OK(t->mount(GetParam(), "mnt"));
  put("mnt/f", "still readable");
  auto fd = t->openat(AT_FDCWD, "mnt/f", O_RDONLY);
  ASSERT_OK(fd);
  auto other = vfs->new_task();
  ASSERT_OK(other->chdir("/mnt"));
  ASSERT_OK(t->umount("mnt", MNT_DETACH));
  // The namespace sees the mount point again ...
  EXPECT_EQ(get("mnt/under"), "hidden");
  EXPECT_EQ(err_stat("mnt/f"), ENOENT);
  // ... while the open fd and the cwd inside keep working.
  char buf[64];
  auto n = t->read(*fd, buf, sizeof buf);
  ASSERT_OK(n);
  EXPECT_EQ(std::string(buf, *n), "still readable");
  EXPECT_EQ(get("f", other.get()), "still readable");
  put("f2", "", 0644, other.get());
  EXPECT_EQ(err_stat("mnt/f2"), ENOENT);
  ASSERT_OK(t->close(*fd));
}

TEST_P(Mount, UnlinkOrRmdirOfMountpointIsEbusy) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "empty", 0755));
  ASSERT_OK(t->mount(GetParam(), "empty"));
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "empty", AT_REMOVEDIR), EBUSY);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "empty", AT_FDCWD, "moved", 0), EBUSY);
  put("target");
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "mnt/under", AT_FDCWD, "target", 0), 0);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "other", 0755));
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "other", AT_FDCWD, "empty", 0), EBUSY);
  EXPECT_OK(t->statx(AT_FDCWD, "empty"));
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "empty", 0), EISDIR);
  // The mounted root itself.
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "empty/.", AT_REMOVEDIR), EINVAL);
  ASSERT_OK(t->umount("empty"));
  EXPECT_OK(t->unlinkat(AT_FDCWD, "empty", AT_REMOVEDIR));
}

INSTANTIATE_TEST_SUITE_P(AllFs, Mount, ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return info.param; });

}  // namespace
