// diag::check (the namespace consistency check) and the live-object counts: clean
// after real work on every shipped filesystem, loud when something is corrupted, and
// back to zero after an umount. And diag::floor_stat, the benchmark's lower bound.
#include "test_util.h"

#include <rcuvfs/diagnostics.h>

#include "core/internals.h"
#include "core/namei.h"
#include "core/ops_common.h"
#include "fs/memfs/memfs.h"

#include <string>
#include <vector>

namespace {

using namespace rcuvfs;
using Problems = std::vector<std::string>;

// Renames, links, exchanges, removals and mounts: everything that moves link counts
// and directory sizes around.
void busy_tree(rcuvfs_test::VfsHarness& h) {
  Task& t = *h.t;
  ASSERT_OK(t.mkdirat(AT_FDCWD, "/a", 0755));
  ASSERT_OK(t.mkdirat(AT_FDCWD, "/a/b", 0755));
  ASSERT_OK(t.mkdirat(AT_FDCWD, "/c", 0755));
  h.put("/a/f", "0123456789");
  h.put("/a/b/g", std::string(5000, 'x'));
  ASSERT_OK(t.linkat(AT_FDCWD, "/a/f", AT_FDCWD, "/c/f2", 0));
  ASSERT_OK(t.symlinkat("../a/f", AT_FDCWD, "/c/s"));
  ASSERT_OK(t.mknodat(AT_FDCWD, "/c/fifo", S_IFIFO | 0644, 0));
  ASSERT_OK(t.renameat2(AT_FDCWD, "/a/b", AT_FDCWD, "/c/b", 0));
  ASSERT_OK(t.renameat2(AT_FDCWD, "/a/f", AT_FDCWD, "/c/b", RENAME_EXCHANGE));
  ASSERT_OK(t.mkdirat(AT_FDCWD, "/a/e", 0755));
  ASSERT_OK(t.renameat2(AT_FDCWD, "/a/e", AT_FDCWD, "/c/fifo2", 0));
  ASSERT_OK(t.unlinkat(AT_FDCWD, "/c/fifo", 0));
  ASSERT_OK(t.mkdirat(AT_FDCWD, "/c/empty", 0755));
  ASSERT_OK(t.renameat2(AT_FDCWD, "/c/fifo2", AT_FDCWD, "/c/empty", 0));
  ASSERT_OK(t.truncate("/c/f2", 3));
  ASSERT_OK(t.mkdirat(AT_FDCWD, "/m", 0755));
  ASSERT_OK(t.mount("memfs", "/m"));
  ASSERT_OK(t.mkdirat(AT_FDCWD, "/m/x", 0755));
  ASSERT_OK(t.bind("/m/x", "/a/f"));
  // An open, unlinked file: no name, still alive.
  auto fd = t.openat(AT_FDCWD, "/c/s", O_RDONLY);
  ASSERT_OK(fd);
  ASSERT_OK(t.unlinkat(AT_FDCWD, "/c/f2", 0));
  ASSERT_OK(t.close(*fd));
}

class FsckAll : public ::testing::TestWithParam<const char*>, public rcuvfs_test::VfsHarness {};

TEST_P(FsckAll, CleanAfterRealWork) {
  make(GetParam());
  EXPECT_EQ(diag::check(*vfs), Problems{});
  busy_tree(*this);
  EXPECT_EQ(diag::check(*vfs), Problems{});
}

INSTANTIATE_TEST_SUITE_P(Filesystems, FsckAll,
                         ::testing::Values("memfs", "legacyfs", "recyclefs"));

// The inode behind `path` (no reference kept: the tree is not changing).
Inode* inode_of(Task& t, const char* path) {
  auto p = core::lookup_path(core::state_of(t), AT_FDCWD, path, 0);
  EXPECT_TRUE(p.ok()) << path;
  if (!p.ok()) return nullptr;
  core::PathRef ref(*p);
  return ref.inode();
}

bool mentions(const Problems& problems, const std::string& what) {
  for (const auto& p : problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

class FsckCorrupt : public ::testing::Test, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make("memfs");
    ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
    put("/d/f", "abc");
    ASSERT_OK(t->linkat(AT_FDCWD, "/d/f", AT_FDCWD, "/g", 0));
  }
  // Changes one attribute, checks, and puts it back.
  template <class Field, class V>
  Problems corrupt(Field& field, V bad) {
    const auto good = field.load();
    field.store(bad);
    Problems p = diag::check(*vfs);
    field.store(good);
    return p;
  }
};

TEST_F(FsckCorrupt, FileLinkCount) {
  Inode* f = inode_of(*t, "/d/f");
  ASSERT_NE(f, nullptr);
  Problems p = corrupt(f->nlink, 1u);
  EXPECT_TRUE(mentions(p, "/d/f: nlink 1 but 2 names") || mentions(p, "/g: nlink 1 but 2 names"))
      << ::testing::PrintToString(p);
  EXPECT_EQ(diag::check(*vfs), Problems{});
}

TEST_F(FsckCorrupt, DirectoryLinkCount) {
  Inode* d = inode_of(*t, "/d");
  ASSERT_NE(d, nullptr);
  Problems p = corrupt(d->nlink, 3u);
  EXPECT_TRUE(mentions(p, "/d: directory nlink 3, expected 2 + 0 subdirectories"))
      << ::testing::PrintToString(p);
  Inode* root = inode_of(*t, "/");
  p = corrupt(root->nlink, 2u);
  EXPECT_TRUE(mentions(p, "directory nlink 2, expected 2 + 1 subdirectories"))
      << ::testing::PrintToString(p);
}

TEST_F(FsckCorrupt, MemfsSizes) {
  Inode* d = inode_of(*t, "/d");
  Problems p = corrupt(d->size, uint64_t{40});
  EXPECT_TRUE(mentions(p, "/d: directory size 40, expected 60 for 1 entries"))
      << ::testing::PrintToString(p);
}

// A regular file's pages: the count st_blocks shows, the pages themselves, what lies
// past the size, and the filesystem's space in use.
TEST_F(FsckCorrupt, MemfsPages) {
  auto* f = static_cast<memfs::MemInode*>(inode_of(*t, "/d/f"));  // "abc": one page
  ASSERT_NE(f, nullptr);
  ASSERT_NE(f->file_data(), nullptr);
  Problems p = corrupt(f->size, uint64_t{0});
  EXPECT_TRUE(mentions(p, "/d/f: page 0 past the size 0") || mentions(p, "/g: page 0 past"))
      << ::testing::PrintToString(p);
  p = corrupt(f->size, uint64_t{2});  // 'c' is past it
  EXPECT_TRUE(mentions(p, "non-zero byte past the size 2")) << ::testing::PrintToString(p);
  EXPECT_EQ(corrupt(f->size, uint64_t{7}), Problems{});  // zeros past "abc": a true state
  p = corrupt(f->file_data()->pages, uint64_t{2});
  EXPECT_TRUE(mentions(p, "2 pages counted but 1 held")) << ::testing::PrintToString(p);
  auto& sb = *static_cast<memfs::MemSuper*>(f->sb);
  ASSERT_TRUE(sb.charge_page());
  p = diag::check(*vfs);
  sb.uncharge_pages(1);
  EXPECT_TRUE(mentions(p, "space: 2 pages in use but files hold 1"))
      << ::testing::PrintToString(p);
  EXPECT_EQ(diag::check(*vfs), Problems{});
}

// The walker trusts the entry's kDSearchAll bit instead of the directory's mode.
TEST_F(FsckCorrupt, SearchFlag) {
  EXPECT_EQ(diag::check(*vfs), Problems{});
  Inode* d = inode_of(*t, "/d");
  Problems p = corrupt(d->mode, static_cast<mode_t>(S_IFDIR | 0754));
  EXPECT_TRUE(mentions(p, "/d: kDSearchAll on an entry not searchable by all"))
      << ::testing::PrintToString(p);
  ASSERT_OK(t->fchmodat(AT_FDCWD, "/d", 0710));
  EXPECT_EQ(diag::check(*vfs), Problems{});
  p = corrupt(d->mode, static_cast<mode_t>(S_IFDIR | 0711));
  EXPECT_TRUE(mentions(p, "/d: kDSearchAll missing")) << ::testing::PrintToString(p);
}

// A superblock flag is a promise about the filesystem's overrides that the walker acts
// on without calling them: the check asks the overrides and holds them to it.
TEST_F(FsckCorrupt, SuperblockPromises) {
  EXPECT_EQ(diag::check(*vfs), Problems{});
  Inode* f = inode_of(*t, "/d/f");
  ASSERT_NE(f, nullptr);
  Superblock& sb = *f->sb;
  // kSbAttrSnapshot: the walker snapshots with attr_extra instead of calling
  // getattr_rcu, which fills in the filesystem's own extra fields.
  const AttrExtra extra = sb.attr_extra;
  sb.attr_extra = [](const Inode&, Statx& out) { out.stx_blocks = 12345; };
  Problems p = diag::check(*vfs);
  sb.attr_extra = extra;
  EXPECT_TRUE(mentions(p, "/d/f: kSbAttrSnapshot, but getattr_rcu is not attr_snapshot_rcu"))
      << ::testing::PrintToString(p);
  // kSbEntryTtl: the walker checks an entry's age itself, where memfs's revalidate
  // trusts an entry of any age.
  sb.flags |= kSbEntryTtl;
  sb.entry_ttl_ns = 1'000'000'000;
  p = diag::check(*vfs);
  sb.flags &= ~kSbEntryTtl;
  sb.entry_ttl_ns = 0;
  EXPECT_TRUE(mentions(p, "/d: kSbEntryTtl, but revalidate at age 1001 ms is not -10"))
      << ::testing::PrintToString(p);
  EXPECT_EQ(diag::check(*vfs), Problems{});
}

TEST(Fsck, NoLeakedInodesAfterUmount) {
  rcuvfs_test::VfsHarness h;
  h.make("memfs");
  ASSERT_OK(h.t->mkdirat(AT_FDCWD, "/m", 0755));
  diag::quiesce();
  const int64_t inodes = diag::live_inodes(), dentries = diag::live_dentries();
  ASSERT_OK(h.t->mount("memfs", "/m"));
  ASSERT_OK(h.t->mkdirat(AT_FDCWD, "/m/a", 0755));
  h.put("/m/a/f", "data");
  ASSERT_OK(h.t->linkat(AT_FDCWD, "/m/a/f", AT_FDCWD, "/m/hard", 0));
  ASSERT_OK(h.t->symlinkat("a/f", AT_FDCWD, "/m/s"));
  ASSERT_OK(h.t->renameat2(AT_FDCWD, "/m/a", AT_FDCWD, "/m/b", 0));
  EXPECT_EQ(diag::check(*h.vfs), Problems{});
  EXPECT_EQ(diag::live_inodes(), inodes + 4);  // root, b, f, s
  ASSERT_OK(h.t->umount("/m"));
  diag::quiesce();
  EXPECT_EQ(diag::live_inodes(), inodes);
  EXPECT_EQ(diag::live_dentries(), dentries);
  EXPECT_EQ(diag::check(*h.vfs), Problems{});
}

// A directory removed while a task still holds it (a dirfd here; a racing walk does
// the same) gets no new entry, not even a negative one for a failed lookup: one would
// stay hashed under it and keep it alive for good.
class RemovedDirectory : public ::testing::TestWithParam<const char*>,
                         public rcuvfs_test::VfsHarness {};

TEST_P(RemovedDirectory, TakesNoEntryAndGoesWhenLetGo) {
  make(GetParam());
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  diag::quiesce();
  const int64_t inodes = diag::live_inodes(), dentries = diag::live_dentries();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d/s", 0755));
  auto fd = t->openat(AT_FDCWD, "/d/s", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "/d/s", AT_REMOVEDIR));
  EXPECT_ERRNO(t->statx(*fd, "x", 0, STATX_BASIC_STATS), ENOENT);
  EXPECT_ERRNO(t->openat(*fd, "y", O_CREAT | O_WRONLY, 0644), ENOENT);
  EXPECT_ERRNO(t->mkdirat(*fd, "z", 0755), ENOENT);
  EXPECT_EQ(diag::check(*vfs), Problems{});
  ASSERT_OK(t->close(*fd));
  diag::quiesce();
  // /d/s's negative entry may stay, cached under the live /d.
  EXPECT_EQ(diag::live_inodes(), inodes);
  EXPECT_LE(diag::live_dentries(), dentries + 1);
}

// (recyclefs: memfs's lookups, and it keeps freed inode objects for reuse.)
INSTANTIATE_TEST_SUITE_P(Filesystems, RemovedDirectory,
                         ::testing::Values("memfs", "legacyfs", "hostfs"));

// A whole namespace goes with its Vfs, recyclefs' cached objects included.
TEST(Fsck, NoLeakedInodesAfterVfs) {
  diag::quiesce();
  const int64_t inodes = diag::live_inodes(), dentries = diag::live_dentries();
  for (const char* fs : {"memfs", "recyclefs", "legacyfs"}) {
    rcuvfs_test::VfsHarness h;
    h.make(fs);
    busy_tree(h);
  }
  diag::quiesce();
  EXPECT_EQ(diag::live_inodes(), inodes);
  EXPECT_EQ(diag::live_dentries(), dentries);
}

// The benchmark's floor must do the stat it is the floor of: the same file's identity
// and attributes as statx (st_blocks aside: the floor leaves the filesystem's extra
// fields out), and ENOENT for names that are not there.
TEST(FloorStat, GivesWhatStatxGives) {
  rcuvfs_test::VfsHarness h;
  h.make("memfs");
  ASSERT_OK(h.t->mkdirat(AT_FDCWD, "/directory", 0755));
  ASSERT_OK(h.t->mkdirat(AT_FDCWD, "/directory/b", 0700));
  h.put("/directory/b/file", "0123456789", 0640);
  h.put("/directory/other");
  for (std::string path : {"/directory/b/file", "//directory//b/file", "/directory/b",
                           "/directory/other", "/directory"}) {
    const Statx want = h.st(path);
    auto got = diag::floor_stat(*h.t, path);
    ASSERT_OK(got) << path;
    EXPECT_EQ(got->stx_ino, want.stx_ino) << path;
    EXPECT_EQ(got->stx_mode, want.stx_mode) << path;
    EXPECT_EQ(got->stx_size, want.stx_size) << path;
    EXPECT_EQ(got->stx_nlink, want.stx_nlink) << path;
    EXPECT_EQ(got->stx_mtime.tv_sec, want.stx_mtime.tv_sec) << path;
    EXPECT_EQ(got->stx_mtime.tv_nsec, want.stx_mtime.tv_nsec) << path;
  }
  EXPECT_ERRNO(diag::floor_stat(*h.t, "/directory/b/missing"), ENOENT);
  EXPECT_ERRNO(diag::floor_stat(*h.t, "/missing/file"), ENOENT);
}

}  // namespace
