// Discretionary access control, as Linux's generic_permission and the VFS rules around
// it: owner/group/other bits, search permission on the way, root's overrides, sticky
// directories, chown/chmod rules, setuid/setgid clearing and inheritance, umask.
#include "test_util.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <atomic>

namespace {

using rcuvfs::Cred;
using rcuvfs::Task;

constexpr uid_t kAlice = 1000, kBob = 1001, kCarol = 1002;
constexpr gid_t kStaff = 100, kDev = 200, kOther = 300;

class Permission : public ::testing::Test, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make("memfs");
    alice = vfs->new_task(Cred{kAlice, kStaff, {kDev}});
    bob = vfs->new_task(Cred{kBob, kStaff, {}});
    carol = vfs->new_task(Cred{kCarol, kOther, {}});
    // /pub: a world-writable directory everyone can create in.
    ASSERT_OK(t->mkdirat(AT_FDCWD, "pub", 0777));
    ASSERT_OK(t->fchmodat(AT_FDCWD, "pub", 0777));
  }
  int open_err(Task& tk, const char* path, int flags) {
    auto fd = tk.openat(AT_FDCWD, path, flags);
    if (fd.ok()) {
      EXPECT_OK(tk.close(*fd));
    }
    return fd.error();
  }
  std::unique_ptr<Task> alice, bob, carol;
};

TEST_F(Permission, OwnerGroupOtherBits) {
  put("pub/f", "x", 0644, alice.get());
  ASSERT_OK(t->fchownat(AT_FDCWD, "pub/f", kAlice, kStaff));
  // owner rw-, group r--, other ---
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 0640));
  EXPECT_EQ(open_err(*alice, "pub/f", O_RDWR), 0);
  EXPECT_EQ(open_err(*bob, "pub/f", O_RDONLY), 0);
  EXPECT_EQ(open_err(*bob, "pub/f", O_WRONLY), EACCES);
  EXPECT_EQ(open_err(*carol, "pub/f", O_RDONLY), EACCES);
  // The owner class is used alone: owner bits deny even when group/other allow.
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 0077));
  EXPECT_EQ(open_err(*alice, "pub/f", O_RDONLY), EACCES);
  EXPECT_EQ(open_err(*bob, "pub/f", O_RDWR), 0);
  EXPECT_EQ(open_err(*carol, "pub/f", O_RDWR), 0);
  // Likewise the group class for group members.
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 0606));
  EXPECT_EQ(open_err(*bob, "pub/f", O_RDONLY), EACCES);
  EXPECT_EQ(open_err(*carol, "pub/f", O_RDONLY), 0);
}

TEST_F(Permission, SupplementaryGroups) {
  put("pub/g", "x", 0644);
  ASSERT_OK(t->fchownat(AT_FDCWD, "pub/g", 0, kDev));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "pub/g", 0060));
  EXPECT_EQ(open_err(*alice, "pub/g", O_RDWR), 0);  // kDev is supplementary
  EXPECT_EQ(open_err(*bob, "pub/g", O_RDONLY), EACCES);
  bob->set_cred(Cred{kBob, kStaff, {kOther, kDev}});
  EXPECT_EQ(open_err(*bob, "pub/g", O_RDONLY), 0);
}

TEST_F(Permission, SearchPermissionOnIntermediateDirectories) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "a", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "a/b", 0755));
  put("a/b/f", "x", 0644);
  EXPECT_OK(bob->statx(AT_FDCWD, "a/b/f"));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "a", 0754));  // r but no x for others
  EXPECT_ERRNO(bob->statx(AT_FDCWD, "a/b/f"), EACCES);
  EXPECT_ERRNO(bob->statx(AT_FDCWD, "a/b"), EACCES);
  EXPECT_ERRNO(bob->statx(AT_FDCWD, "a/nothing"), EACCES);
  EXPECT_OK(bob->statx(AT_FDCWD, "a"));  // the last component needs no search
  EXPECT_ERRNO(bob->openat(AT_FDCWD, "a/b/f", O_RDONLY), EACCES);
  EXPECT_ERRNO(bob->chdir("a"), EACCES);
  EXPECT_ERRNO(bob->mkdirat(AT_FDCWD, "a/new", 0755), EACCES);
  ASSERT_OK(t->fchmodat(AT_FDCWD, "a", 0711));  // x only: walk through, no listing
  EXPECT_OK(bob->statx(AT_FDCWD, "a/b/f"));
  EXPECT_ERRNO(bob->openat(AT_FDCWD, "a", O_RDONLY | O_DIRECTORY), EACCES);
  // Creating needs write+search on the parent.
  EXPECT_ERRNO(bob->mkdirat(AT_FDCWD, "a/b/new", 0755), EACCES);
  EXPECT_ERRNO(bob->unlinkat(AT_FDCWD, "a/b/f", 0), EACCES);
  EXPECT_ERRNO(bob->renameat2(AT_FDCWD, "a/b/f", AT_FDCWD, "pub/f", 0), EACCES);
  EXPECT_ERRNO(bob->symlinkat("x", AT_FDCWD, "a/b/l"), EACCES);
  // Search permission is checked on a symlink's target directories too.
  ASSERT_OK(t->symlinkat("/a/b/f", AT_FDCWD, "pub/l"));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "a", 0700));
  EXPECT_ERRNO(bob->statx(AT_FDCWD, "pub/l"), EACCES);
  EXPECT_OK(bob->statx(AT_FDCWD, "pub/l", AT_SYMLINK_NOFOLLOW));
}

TEST_F(Permission, RootBypassesReadWriteButExecNeedsAnXBit) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "closed", 0000));
  put("closed/f", "secret", 0000);
  EXPECT_OK(t->statx(AT_FDCWD, "closed/f"));
  auto fd = t->openat(AT_FDCWD, "closed/f", O_RDWR);
  EXPECT_OK(fd);
  EXPECT_EQ(get("closed/f"), "secret");
  auto dfd = t->openat(AT_FDCWD, "closed", O_RDONLY | O_DIRECTORY);
  EXPECT_OK(dfd);
  // Search of a directory is always granted to root, whatever its mode.
  EXPECT_OK(t->chdir("closed"));
  EXPECT_OK(t->chdir("/"));
  // Non-root gets nothing.
  EXPECT_ERRNO(bob->statx(AT_FDCWD, "closed/f"), EACCES);
  EXPECT_ERRNO(bob->openat(AT_FDCWD, "closed", O_RDONLY), EACCES);
}

// Root's MAY_EXEC on a regular file needs at least one x bit (generic_permission);
// on a directory it is always granted. The public helper is checked directly, on
// inodes captured through a security module's getattr hook.
class CaptureInode : public rcuvfs::SecurityModule {
 public:
  std::string_view name() const override { return "capture"; }
  int inode_getattr(const rcuvfs::SecPath& at, const Cred&, unsigned) override {
    last.store(&at.inode());
    return 0;
  }
  std::atomic<const rcuvfs::Inode*> last{nullptr};
};

TEST_F(Permission, RootExecOnRegularFileNeedsAnXBit) {
  auto cap = std::make_shared<CaptureInode>();
  ASSERT_OK(vfs->add_security_module(cap));
  auto inode_of = [&](const char* path) {
    cap->last = nullptr;
    EXPECT_OK(t->statx(AT_FDCWD, path));
    return cap->last.load();
  };
  put("f", "", 0644);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0));
  const rcuvfs::Inode* f = inode_of("f");
  const rcuvfs::Inode* d = inode_of("d");
  ASSERT_NE(f, nullptr);
  ASSERT_NE(d, nullptr);
  const Cred root{};
  EXPECT_EQ(rcuvfs::generic_permission(*f, rcuvfs::kMayRead | rcuvfs::kMayWrite, root), 0);
  EXPECT_EQ(rcuvfs::generic_permission(*f, rcuvfs::kMayExec, root), -EACCES);
  EXPECT_EQ(rcuvfs::generic_permission(*d, rcuvfs::kMayExec | rcuvfs::kMayRead, root), 0);
  for (mode_t m : {0100, 0010, 0001}) {
    ASSERT_OK(t->fchmodat(AT_FDCWD, "f", m));
    EXPECT_EQ(rcuvfs::generic_permission(*f, rcuvfs::kMayExec, root), 0) << std::oct << m;
  }
  // Non-root: only its own class counts.
  ASSERT_OK(t->fchmodat(AT_FDCWD, "f", 0001));
  EXPECT_EQ(rcuvfs::generic_permission(*f, rcuvfs::kMayExec, Cred{kBob, kStaff, {}}), 0);
  EXPECT_EQ(rcuvfs::generic_permission(*f, rcuvfs::kMayExec, Cred{0 + kBob, 0, {}}),
            -EACCES);  // gid 0 matches the file's group, whose x bit is clear
  // Root with no x bit at all is also refused through the inode's own permission().
  ASSERT_OK(t->fchmodat(AT_FDCWD, "f", 0666));
  EXPECT_EQ(f->permission(rcuvfs::kMayExec, root, 0), -EACCES);
}

TEST_F(Permission, StickyDirectory) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "tmp", 0777));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "tmp", 01777));
  ASSERT_OK(t->fchownat(AT_FDCWD, "tmp", kCarol, kOther));  // carol owns the dir
  put("tmp/a1", "", 0666, alice.get());
  put("tmp/a2", "", 0666, alice.get());
  put("tmp/a3", "", 0666, alice.get());
  put("tmp/a4", "", 0666, alice.get());
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "tmp/a1", 0666));
  // bob owns neither the file nor the directory: EPERM even with write permission.
  EXPECT_ERRNO(bob->unlinkat(AT_FDCWD, "tmp/a1", 0), EPERM);
  EXPECT_ERRNO(bob->renameat2(AT_FDCWD, "tmp/a1", AT_FDCWD, "tmp/b", 0), EPERM);
  put("tmp/bobs", "", 0666, bob.get());
  EXPECT_ERRNO(bob->renameat2(AT_FDCWD, "tmp/bobs", AT_FDCWD, "tmp/a1", 0), EPERM);
  EXPECT_OK(alice->statx(AT_FDCWD, "tmp/a1"));
  // The file's owner may.
  EXPECT_OK(alice->unlinkat(AT_FDCWD, "tmp/a1", 0));
  EXPECT_OK(alice->renameat2(AT_FDCWD, "tmp/a2", AT_FDCWD, "tmp/a2moved", 0));
  // The directory's owner may.
  EXPECT_OK(carol->unlinkat(AT_FDCWD, "tmp/a3", 0));
  EXPECT_OK(carol->renameat2(AT_FDCWD, "tmp/a4", AT_FDCWD, "tmp/a4moved", 0));
  // Root may.
  EXPECT_OK(t->unlinkat(AT_FDCWD, "tmp/a2moved", 0));
  // Without the sticky bit, bob may.
  ASSERT_OK(t->fchmodat(AT_FDCWD, "tmp", 0777));
  EXPECT_OK(bob->unlinkat(AT_FDCWD, "tmp/a4moved", 0));
}

TEST_F(Permission, ChownRules) {
  put("pub/f", "", 0644, alice.get());
  EXPECT_EQ(st("pub/f").stx_uid, kAlice);
  EXPECT_EQ(st("pub/f").stx_gid, kStaff);
  EXPECT_ERRNO(alice->fchownat(AT_FDCWD, "pub/f", kBob, -1), EPERM);
  EXPECT_ERRNO(bob->fchownat(AT_FDCWD, "pub/f", kBob, -1), EPERM);
  EXPECT_ERRNO(bob->fchownat(AT_FDCWD, "pub/f", -1, kStaff), EPERM);  // not the owner
  EXPECT_OK(alice->fchownat(AT_FDCWD, "pub/f", kAlice, -1));  // to itself: allowed
  EXPECT_OK(alice->fchownat(AT_FDCWD, "pub/f", -1, kDev));    // a supplementary group
  EXPECT_EQ(st("pub/f").stx_gid, kDev);
  EXPECT_ERRNO(alice->fchownat(AT_FDCWD, "pub/f", -1, kOther), EPERM);
  EXPECT_EQ(st("pub/f").stx_gid, kDev);
  EXPECT_OK(alice->fchownat(AT_FDCWD, "pub/f", -1, -1));
  EXPECT_OK(t->fchownat(AT_FDCWD, "pub/f", kCarol, kOther));
  EXPECT_EQ(st("pub/f").stx_uid, kCarol);
  EXPECT_EQ(st("pub/f").stx_gid, kOther);
}

TEST_F(Permission, ChmodByNonOwner) {
  put("pub/f", "", 0666, alice.get());
  EXPECT_ERRNO(bob->fchmodat(AT_FDCWD, "pub/f", 0777), EPERM);
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0644);
  EXPECT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 0600));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0600);
  EXPECT_OK(t->fchmodat(AT_FDCWD, "pub/f", 0611));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0611);
  // A non-member owner setting S_ISGID for a group it is not in: the bit is dropped.
  ASSERT_OK(t->fchownat(AT_FDCWD, "pub/f", kAlice, kOther));
  EXPECT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 02755));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0755);
}

TEST_F(Permission, SetuidClearedOnChown) {
  put("pub/f", "", 0755, alice.get());
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 06755));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 06755);
  ASSERT_OK(alice->fchownat(AT_FDCWD, "pub/f", -1, kDev));
  // setuid always goes; setgid goes because the group-exec bit is set.
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0755);
  ASSERT_OK(t->fchmodat(AT_FDCWD, "pub/f", 04755));
  ASSERT_OK(t->fchownat(AT_FDCWD, "pub/f", kBob, kStaff));  // even when root chowns
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0755);
  // setgid without group-exec (mandatory-locking marker) survives chown.
  ASSERT_OK(t->fchmodat(AT_FDCWD, "pub/f", 02745));
  ASSERT_OK(t->fchownat(AT_FDCWD, "pub/f", kAlice, kStaff));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 02745);
}

TEST_F(Permission, SetuidClearedOnWriteByNonRoot) {
  put("pub/f", "abc", 0666, alice.get());
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 06777));
  // Root writing keeps the bits (CAP_FSETID).
  auto rfd = t->openat(AT_FDCWD, "pub/f", O_WRONLY);
  ASSERT_OK(rfd);
  ASSERT_OK(t->write(*rfd, "r", 1));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 06777);
  auto fd = bob->openat(AT_FDCWD, "pub/f", O_WRONLY);
  ASSERT_OK(fd);
  ASSERT_OK(bob->write(*fd, "x", 1));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0777);
  // Truncation by a non-root writer clears them as well.
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 04777));
  ASSERT_OK(bob->truncate("pub/f", 1));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 0777);
  // setgid without group-exec is not a privilege bit: a write keeps it.
  ASSERT_OK(alice->fchmodat(AT_FDCWD, "pub/f", 02767));
  auto fd2 = bob->openat(AT_FDCWD, "pub/f", O_WRONLY);
  ASSERT_OK(fd2);
  ASSERT_OK(bob->write(*fd2, "y", 1));
  EXPECT_EQ(st("pub/f").stx_mode, S_IFREG | 02767);
}

TEST_F(Permission, SetgidDirectoryInheritance) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "proj", 0777));
  ASSERT_OK(t->fchownat(AT_FDCWD, "proj", 0, kDev));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "proj", 02777));
  put("proj/file", "", 0644, bob.get());  // bob is not in kDev
  auto f = st("proj/file");
  EXPECT_EQ(f.stx_uid, kBob);
  EXPECT_EQ(f.stx_gid, kDev);
  EXPECT_EQ(f.stx_mode, S_IFREG | 0644);
  ASSERT_OK(bob->mkdirat(AT_FDCWD, "proj/sub", 0755));
  auto d = st("proj/sub");
  EXPECT_EQ(d.stx_gid, kDev);
  EXPECT_EQ(d.stx_mode, S_IFDIR | 02755);
  put("proj/sub/deeper", "", 0644, bob.get());
  EXPECT_EQ(st("proj/sub/deeper").stx_gid, kDev);
  // Without setgid the creator's group is used.
  ASSERT_OK(t->fchmodat(AT_FDCWD, "proj", 0777));
  put("proj/plain", "", 0644, bob.get());
  EXPECT_EQ(st("proj/plain").stx_gid, kStaff);
}

TEST_F(Permission, Umask) {
  EXPECT_EQ(alice->umask(0077), 022u);
  put("pub/private", "", 0666, alice.get());
  EXPECT_EQ(st("pub/private").stx_mode, S_IFREG | 0600);
  ASSERT_OK(alice->mkdirat(AT_FDCWD, "pub/pd", 0777));
  EXPECT_EQ(st("pub/pd").stx_mode, S_IFDIR | 0700);
  ASSERT_OK(alice->mknodat(AT_FDCWD, "pub/fifo", S_IFIFO | 0666, 0));
  EXPECT_EQ(st("pub/fifo").stx_mode, S_IFIFO | 0600);
  EXPECT_EQ(alice->umask(0), 0077u);
  ASSERT_OK(alice->mkdirat(AT_FDCWD, "pub/open", 0777));
  EXPECT_EQ(st("pub/open").stx_mode, S_IFDIR | 0777);
  // Symlinks ignore the umask.
  alice->umask(0777);
  ASSERT_OK(alice->symlinkat("x", AT_FDCWD, "pub/l"));
  EXPECT_EQ(st("pub/l", AT_SYMLINK_NOFOLLOW).stx_mode, S_IFLNK | 0777);
  // A task's umask is its own.
  EXPECT_EQ(bob->umask(022), 022u);
}

}  // namespace
