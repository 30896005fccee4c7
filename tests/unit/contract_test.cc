// Contract suite: the namespace operations of rcuvfs::Task, with Linux's (tmpfs's)
// results, run against every shipped filesystem. A filesystem may differ in how it
// serves a stat (speculatively or not); it may never differ in what it answers.
#include "test_util.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcuvfs::DirEntry;
using rcuvfs::OpenHow;
using rcuvfs::Statx;
using rcuvfs::Task;

class Contract : public ::testing::TestWithParam<std::string>,
                 public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override { make(GetParam()); }

  // Every entry of the directory at `path`, read in batches of `batch`.
  std::vector<DirEntry> list(std::string_view path, size_t batch = 1024) {
    std::vector<DirEntry> out;
    auto fd = t->openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY);
    EXPECT_OK(fd);
    if (!fd.ok()) return out;
    for (;;) {
      auto n = t->getdents(*fd, out, batch);
      EXPECT_OK(n);
      if (!n.ok() || *n == 0) break;
    }
    EXPECT_OK(t->close(*fd));
    return out;
  }

  uint64_t ino(std::string_view path, int flags = 0) { return st(path, flags).stx_ino; }
  int err_stat(std::string_view path, int flags = 0) {
    return t->statx(AT_FDCWD, path, flags).error();
  }
};

int64_t ns(const struct statx_timestamp& ts) {
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// ---------------------------------------------------------------- st_blocks -----
// In-memory filesystems count the 4 KiB pages a file holds, as tmpfs does: a page
// exists once something was written into it; holes and the range a truncate grew
// the file by cost nothing. hostfs gives the host's figures: on a tmpfs (its scratch
// directory is in /dev/shm when there is one) it must give the same.
bool host_dir_on_tmpfs(const rcuvfs_test::HostDir* dir) {
  struct statfs sfs;
  return dir && ::statfs(dir->path().c_str(), &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
}

TEST_P(Contract, BlocksCountThePagesWritten) {
  if (GetParam().rfind("hostfs", 0) == 0 && !host_dir_on_tmpfs(host_dir.get()))
    GTEST_SKIP() << "the host's st_blocks, not a tmpfs's";
  if (GetParam() == "etcd") GTEST_SKIP() << "etcd's st_blocks: the pages up to the size";
  auto fd = t->openat(AT_FDCWD, "/f", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  const std::string a(10000, 'a');
  // Each step and the (size, st_blocks) fstat gives after it, on a tmpfs (Linux
  // 6.18, `mount -t tmpfs tmpfs DIR`, the same calls from a C program).
  struct Step {
    const char* what;
    off_t at;        // pwrite offset, or the truncate length
    size_t len;      // bytes written; 0: a truncate
    uint64_t size, blocks;
  };
  constexpr off_t kLlongMax = INT64_MAX;
  const Step steps[] = {
      {"pwrite 10000 at 0", 0, 10000, 10000, 24},
      {"truncate 5000", 5000, 0, 5000, 16},
      {"truncate 12000", 12000, 0, 12000, 16},
      {"truncate 0", 0, 0, 0, 0},
      {"truncate 1 MiB", 1 << 20, 0, 1 << 20, 0},
      {"pwrite 1 into page 3", 3 * 4096 + 5, 1, 1 << 20, 8},
      {"pwrite 1 into page 3 again", 3 * 4096 + 4000, 1, 1 << 20, 8},
      {"pwrite 8192 at page 100", 100 * 4096, 8192, 1 << 20, 24},
      {"pwrite 2 across pages 199 and 200", 200 * 4096 - 1, 2, 1 << 20, 40},
      {"pwrite 1 past the end", (1 << 20) + 7, 1, (1 << 20) + 8, 48},
      {"truncate into page 100", 100 * 4096 + 1, 0, 100 * 4096 + 1, 16},
      {"truncate to page 100", 100 * 4096, 0, 100 * 4096, 8},
      {"truncate 4000000000", 4000000000, 0, 4000000000, 8},
      {"pwrite 5 at 5 GiB", off_t{5} << 30, 5, (uint64_t{5} << 30) + 5, 16},
      {"truncate LLONG_MAX", kLlongMax, 0, INT64_MAX, 16},
      {"pwrite 3 at LLONG_MAX - 3", kLlongMax - 3, 3, INT64_MAX, 24},
      {"truncate 5 GiB + 2", (off_t{5} << 30) + 2, 0, (uint64_t{5} << 30) + 2, 16},
  };
  for (const Step& s : steps) {
    if (s.len) {
      auto n = t->pwrite(*fd, a.data(), s.len, s.at);
      ASSERT_OK(n) << s.what;
      EXPECT_EQ(*n, s.len) << s.what;
    } else {
      ASSERT_OK(t->ftruncate(*fd, s.at)) << s.what;
    }
    auto got = t->fstat(*fd);
    ASSERT_OK(got);
    EXPECT_EQ(got->stx_size, s.size) << s.what;
    EXPECT_EQ(got->stx_blocks, s.blocks) << s.what;
    EXPECT_EQ(st("/f").stx_blocks, s.blocks) << s.what << " (by path)";
  }
  ASSERT_OK(t->close(*fd));
  put("/g", std::string(4097, 'x'));
  EXPECT_EQ(st("/g").stx_blocks, 16u);
  put("/z", std::string(8192, '\0'));  // zeros are written like anything else
  EXPECT_EQ(st("/z").stx_blocks, 16u);
  auto tfd = t->openat(AT_FDCWD, "/g", O_WRONLY | O_TRUNC);
  ASSERT_OK(tfd);
  EXPECT_EQ(t->fstat(*tfd)->stx_blocks, 0u);
  ASSERT_OK(t->close(*tfd));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  EXPECT_EQ(st("/d").stx_blocks, 0u);
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "/s"));
  EXPECT_EQ(st("/s", AT_SYMLINK_NOFOLLOW).stx_blocks, 0u);
}

// ---------------------------------------------------------------- holes ---------

TEST_P(Contract, HolesAndCutTailsReadAsZeros) {
  auto fd = t->openat(AT_FDCWD, "f", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  ASSERT_OK(t->pwrite(*fd, std::string(10000, 'a').data(), 10000, 0));
  // Cut inside page 1, then grow again: what was cut reads as zeros, in the page
  // that stayed and in the pages that went.
  ASSERT_OK(t->ftruncate(*fd, 5000));
  ASSERT_OK(t->ftruncate(*fd, 12000));
  std::string buf(20000, '?');
  auto n = t->pread(*fd, buf.data(), buf.size(), 0);
  ASSERT_OK(n);
  ASSERT_EQ(*n, 12000u);
  EXPECT_EQ(buf.substr(0, 12000), std::string(5000, 'a') + std::string(7000, '\0'));
  // A write far past the end leaves a hole; a read across it and into the data.
  ASSERT_OK(t->pwrite(*fd, "xy", 2, 40000));
  buf.assign(40002, '?');
  n = t->pread(*fd, buf.data(), buf.size(), 0);
  ASSERT_OK(n);
  ASSERT_EQ(*n, 40002u);
  EXPECT_EQ(buf, std::string(5000, 'a') + std::string(35000, '\0') + "xy");
  // Reads that start and end inside holes and pages, unaligned.
  n = t->pread(*fd, buf.data(), 10, 4995);
  ASSERT_OK(n);
  EXPECT_EQ(buf.substr(0, 10), std::string(5, 'a') + std::string(5, '\0'));
  n = t->pread(*fd, buf.data(), 100, 39999);
  ASSERT_OK(n);
  EXPECT_EQ(buf.substr(0, *n), std::string("\0xy", 3));
  // Growing the file by a write shows zeros between the old end and the data.
  ASSERT_OK(t->ftruncate(*fd, 3));
  ASSERT_OK(t->pwrite(*fd, "b", 1, 6));
  EXPECT_EQ(get("f"), std::string("aaa\0\0\0b", 7));
  ASSERT_OK(t->close(*fd));
}

TEST_P(Contract, FilesBeyondFourGiB) {
  auto fd = t->openat(AT_FDCWD, "big", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  const off_t at = off_t{5} << 30;
  auto n = t->pwrite(*fd, "hello", 5, at);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(st("big").stx_size, static_cast<uint64_t>(at) + 5);
  char buf[16] = {};
  auto r = t->pread(*fd, buf, sizeof buf, at - 3);
  ASSERT_OK(r);
  EXPECT_EQ(std::string(buf, *r), std::string("\0\0\0hello", 8));
  ASSERT_OK(t->ftruncate(*fd, off_t{6} << 30));
  EXPECT_EQ(st("big").stx_size, uint64_t{6} << 30);
  ASSERT_OK(t->close(*fd));
}

// The file-size and offset limits (MAX_LFS_FILESIZE, LLONG_MAX on 64-bit), as
// Linux answers on a tmpfs (Linux 6.18): a range must fit below LLONG_MAX (EINVAL),
// a write may not start at it (EFBIG) and is cut short at it.
TEST_P(Contract, OffsetAndSizeLimits) {
  constexpr off_t kMax = INT64_MAX;
  auto fd = t->openat(AT_FDCWD, "f", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  ASSERT_OK(t->ftruncate(*fd, kMax));
  EXPECT_EQ(st("f").stx_size, static_cast<uint64_t>(kMax));
  EXPECT_ERRNO(t->ftruncate(*fd, -1), EINVAL);
  EXPECT_ERRNO(t->truncate("f", -1), EINVAL);
  auto n = t->pwrite(*fd, "abc", 3, kMax - 3);  // ends exactly at LLONG_MAX
  ASSERT_OK(n);
  EXPECT_EQ(*n, 3u);
  char buf[4] = {};
  auto r = t->pread(*fd, buf, 3, kMax - 3);
  ASSERT_OK(r);
  EXPECT_EQ(std::string(buf, *r), "abc");
  EXPECT_ERRNO(t->pwrite(*fd, "abc", 3, kMax - 1), EINVAL);  // offset + count overflows
  EXPECT_ERRNO(t->pwrite(*fd, "a", 1, kMax), EINVAL);
  EXPECT_ERRNO(t->pread(*fd, buf, 3, kMax - 1), EINVAL);
  EXPECT_ERRNO(t->pread(*fd, buf, 1, kMax), EINVAL);
  n = t->pwrite(*fd, "a", 0, kMax);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0u);
  // The descriptor's own offset is checked the same way.
  ASSERT_OK(t->lseek(*fd, kMax - 1, SEEK_SET));
  EXPECT_ERRNO(t->write(*fd, "abc", 3), EINVAL);
  EXPECT_ERRNO(t->read(*fd, buf, 3), EINVAL);
  // O_APPEND: the range is checked at the descriptor's offset; at the end of the
  // file, a write that would pass LLONG_MAX stops there, and one at it is EFBIG.
  ASSERT_OK(t->ftruncate(*fd, kMax - 1));
  auto afd = t->openat(AT_FDCWD, "f", O_WRONLY | O_APPEND);
  ASSERT_OK(afd);
  n = t->write(*afd, "abc", 3);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(st("f").stx_size, static_cast<uint64_t>(kMax));
  EXPECT_ERRNO(t->write(*afd, "abc", 3), EINVAL);  // its offset is LLONG_MAX now
  ASSERT_OK(t->close(*afd));
  afd = t->openat(AT_FDCWD, "f", O_WRONLY | O_APPEND);
  ASSERT_OK(afd);
  EXPECT_ERRNO(t->write(*afd, "a", 1), EFBIG);
  EXPECT_ERRNO(t->pwrite(*afd, "a", 1, 0), EFBIG);
  n = t->write(*afd, "a", 0);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0u);
  ASSERT_OK(t->close(*afd));
  ASSERT_OK(t->close(*fd));
}

// A write of nothing does nothing: no time changes (tmpfs's generic_write_checks
// returns before file_update_time).
TEST_P(Contract, ZeroLengthWriteChangesNothing) {
  put("f", "abc");
  const Statx before = st("f");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto fd = t->openat(AT_FDCWD, "f", O_WRONLY);
  ASSERT_OK(fd);
  auto n = t->write(*fd, "x", 0);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0u);
  ASSERT_OK(t->close(*fd));
  const Statx after = st("f");
  EXPECT_EQ(ns(after.stx_mtime), ns(before.stx_mtime));
  EXPECT_EQ(ns(after.stx_ctime), ns(before.stx_ctime));
  EXPECT_EQ(after.stx_size, 3u);
}

// ---------------------------------------------------------------- mkdirat -------

TEST_P(Contract, MkdirModeOwnerNlink) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0777));
  Statx s = st("d");
  EXPECT_EQ(s.stx_mode, S_IFDIR | 0755);
  EXPECT_EQ(s.stx_nlink, 2u);
  EXPECT_EQ(s.stx_uid, 0u);
  EXPECT_EQ(s.stx_gid, 0u);
  EXPECT_EQ(st("/").stx_nlink, 3u);  // "/", "/." and "d/.."
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/e", 0700));
  EXPECT_EQ(st("d").stx_nlink, 3u);
  EXPECT_EQ(st("d/e").stx_mode, S_IFDIR | 0700);
}

TEST_P(Contract, MkdirErrors) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "d", 0755), EEXIST);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "/", 0755), EEXIST);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "d/.", 0755), EEXIST);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "missing/x", 0755), ENOENT);
  put("f");
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "f/x", 0755), ENOTDIR);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "f", 0755), EEXIST);
}

// ---------------------------------------------------------------- mknodat -------

TEST_P(Contract, MknodTypes) {
  ASSERT_OK(t->mknodat(AT_FDCWD, "reg", S_IFREG | 0666, 0));
  ASSERT_OK(t->mknodat(AT_FDCWD, "zero", 0644, 0));  // type 0 means regular
  ASSERT_OK(t->mknodat(AT_FDCWD, "fifo", S_IFIFO | 0600, 0));
  ASSERT_OK(t->mknodat(AT_FDCWD, "sock", S_IFSOCK | 0777, 0));
  ASSERT_OK(t->mknodat(AT_FDCWD, "chr", S_IFCHR | 0620, makedev(1, 3)));
  ASSERT_OK(t->mknodat(AT_FDCWD, "blk", S_IFBLK | 0660, makedev(259, 70000)));
  EXPECT_EQ(st("reg").stx_mode, S_IFREG | 0644);
  EXPECT_EQ(st("zero").stx_mode, S_IFREG | 0644);
  EXPECT_EQ(st("fifo").stx_mode, S_IFIFO | 0600);
  EXPECT_EQ(st("sock").stx_mode, S_IFSOCK | 0755);
  Statx c = st("chr");
  EXPECT_EQ(c.stx_mode, S_IFCHR | 0600);
  EXPECT_EQ(c.stx_rdev_major, 1u);
  EXPECT_EQ(c.stx_rdev_minor, 3u);
  Statx b = st("blk");
  EXPECT_EQ(b.stx_mode, S_IFBLK | 0640);
  EXPECT_EQ(b.stx_rdev_major, 259u);
  EXPECT_EQ(b.stx_rdev_minor, 70000u);
  EXPECT_EQ(st("reg").stx_rdev_major, 0u);
  EXPECT_EQ(st("reg").stx_size, 0u);
}

TEST_P(Contract, MknodErrors) {
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "d", S_IFDIR | 0755, 0), EPERM);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "l", S_IFLNK | 0777, 0), EINVAL);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "bad", S_IFMT | 0644, 0), EINVAL);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "bad2", 0030000 | 0644, 0), EINVAL);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "d"), ENOENT);
  put("f");
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "f", S_IFIFO | 0644, 0), EEXIST);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "x/", S_IFREG | 0644, 0), ENOENT);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "missing/x", S_IFREG | 0644, 0), ENOENT);
  // Device numbers the kernel cannot hold (major > 4095, minor > 2^20 - 1): EINVAL,
  // whatever the type, before the path is looked at (as glibc's mknodat).
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "c", S_IFCHR | 0600, makedev(4096, 1)), EINVAL);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "c", S_IFBLK | 0600, makedev(1, 1 << 20)), EINVAL);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "p", S_IFIFO | 0600, makedev(4096, 1)), EINVAL);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "missing/c", S_IFCHR | 0600, makedev(4096, 1)), EINVAL);
  ASSERT_OK(t->mknodat(AT_FDCWD, "c", S_IFCHR | 0600, makedev(4095, (1 << 20) - 1)));
  EXPECT_EQ(st("c").stx_rdev_major, 4095u);
  EXPECT_EQ(st("c").stx_rdev_minor, (1u << 20) - 1);
}

// ------------------------------------------------------- symlinkat/readlinkat ----

TEST_P(Contract, SymlinkAndReadlink) {
  ASSERT_OK(t->symlinkat("some/target", AT_FDCWD, "l"));
  auto r = t->readlinkat(AT_FDCWD, "l");
  ASSERT_OK(r);
  EXPECT_EQ(*r, "some/target");
  Statx s = st("l", AT_SYMLINK_NOFOLLOW);
  EXPECT_EQ(s.stx_mode, S_IFLNK | 0777);
  EXPECT_EQ(s.stx_size, 11u);
  EXPECT_EQ(s.stx_nlink, 1u);
  EXPECT_EQ(err_stat("l"), ENOENT);  // dangling
  EXPECT_ERRNO(t->symlinkat("x", AT_FDCWD, "l"), EEXIST);
  EXPECT_ERRNO(t->symlinkat("", AT_FDCWD, "empty"), ENOENT);
  EXPECT_ERRNO(t->symlinkat("x", AT_FDCWD, "nl/"), ENOENT);
  put("f");
  EXPECT_ERRNO(t->readlinkat(AT_FDCWD, "f"), EINVAL);
  EXPECT_ERRNO(t->readlinkat(AT_FDCWD, "nothing"), ENOENT);
  // readlink does not follow the last component, but follows the ones before it.
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  ASSERT_OK(t->symlinkat("../f", AT_FDCWD, "d/up"));
  ASSERT_OK(t->symlinkat("d", AT_FDCWD, "ld"));
  auto r2 = t->readlinkat(AT_FDCWD, "ld/up");
  ASSERT_OK(r2);
  EXPECT_EQ(*r2, "../f");
  EXPECT_EQ(ino("ld/up"), ino("f"));
}

// ---------------------------------------------------------------- linkat ---------

TEST_P(Contract, LinkFile) {
  put("f", "abc");
  ASSERT_OK(t->linkat(AT_FDCWD, "f", AT_FDCWD, "g", 0));
  EXPECT_EQ(ino("f"), ino("g"));
  EXPECT_EQ(st("f").stx_nlink, 2u);
  EXPECT_EQ(get("g"), "abc");
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "f", AT_FDCWD, "g", 0), EEXIST);
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "nothing", AT_FDCWD, "h", 0), ENOENT);
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "f", AT_FDCWD, "h", 0x1234000), EINVAL);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "f", 0));
  EXPECT_EQ(st("g").stx_nlink, 1u);
}

TEST_P(Contract, LinkSymlinkWithAndWithoutFollow) {
  put("f");
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "l"));
  ASSERT_OK(t->linkat(AT_FDCWD, "l", AT_FDCWD, "nofollow", 0));
  Statx a = st("nofollow", AT_SYMLINK_NOFOLLOW);
  EXPECT_EQ(a.stx_mode & S_IFMT, S_IFLNK);
  EXPECT_EQ(a.stx_ino, ino("l", AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(a.stx_nlink, 2u);
  ASSERT_OK(t->linkat(AT_FDCWD, "l", AT_FDCWD, "follow", AT_SYMLINK_FOLLOW));
  Statx b = st("follow", AT_SYMLINK_NOFOLLOW);
  EXPECT_EQ(b.stx_mode & S_IFMT, S_IFREG);
  EXPECT_EQ(b.stx_ino, ino("f"));
  EXPECT_EQ(b.stx_nlink, 2u);
  // A dangling symlink cannot be followed.
  ASSERT_OK(t->symlinkat("nothing", AT_FDCWD, "dangling"));
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "dangling", AT_FDCWD, "x", AT_SYMLINK_FOLLOW), ENOENT);
}

TEST_P(Contract, LinkDirectoryIsEperm) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "d", AT_FDCWD, "d2", 0), EPERM);
  EXPECT_EQ(err_stat("d2"), ENOENT);
  EXPECT_EQ(st("d").stx_nlink, 2u);
}

// ---------------------------------------------------------------- unlinkat -------

TEST_P(Contract, UnlinkAndRmdir) {
  put("f");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  EXPECT_EQ(st("/").stx_nlink, 3u);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "f", 0));
  EXPECT_EQ(err_stat("f"), ENOENT);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
  EXPECT_EQ(err_stat("d"), ENOENT);
  EXPECT_EQ(st("/").stx_nlink, 2u);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "f", 0), ENOENT);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "d", AT_REMOVEDIR), ENOENT);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "f", 0x4000), EINVAL);
}

TEST_P(Contract, RmdirSpecialNames) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, ".", AT_REMOVEDIR), EINVAL);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "d/.", AT_REMOVEDIR), EINVAL);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "..", AT_REMOVEDIR), ENOTEMPTY);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "d/..", AT_REMOVEDIR), ENOTEMPTY);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "/", AT_REMOVEDIR), EBUSY);
  EXPECT_EQ(st("d").stx_mode & S_IFMT, S_IFDIR);
}

TEST_P(Contract, UnlinkRmdirWrongType) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  put("d/f");
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "d", 0), EISDIR);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "d", AT_REMOVEDIR), ENOTEMPTY);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "d/f", AT_REMOVEDIR), ENOTDIR);
  ASSERT_OK(t->symlinkat("d", AT_FDCWD, "ld"));
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "ld", AT_REMOVEDIR), ENOTDIR);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "ld", 0));  // removes the link, not the dir
  EXPECT_EQ(st("d").stx_mode & S_IFMT, S_IFDIR);
}

// ---------------------------------------------------------------- renameat2 ------

TEST_P(Contract, RenamePlainAndOverFile) {
  put("a", "A");
  put("b", "B");
  ASSERT_OK(t->linkat(AT_FDCWD, "b", AT_FDCWD, "b2", 0));
  const uint64_t ia = ino("a");
  ASSERT_OK(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "c", 0));
  EXPECT_EQ(err_stat("a"), ENOENT);
  EXPECT_EQ(ino("c"), ia);
  ASSERT_OK(t->renameat2(AT_FDCWD, "c", AT_FDCWD, "b", 0));
  EXPECT_EQ(ino("b"), ia);
  EXPECT_EQ(get("b"), "A");
  EXPECT_EQ(st("b2").stx_nlink, 1u);  // the replaced inode lost one link
  EXPECT_EQ(get("b2"), "B");
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "nothing", AT_FDCWD, "x", 0), ENOENT);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "b", AT_FDCWD, "missing/x", 0), ENOENT);
}

TEST_P(Contract, RenameDirectories) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "src", 0755));
  put("src/f");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "empty", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "full", 0755));
  put("full/x");
  put("file");
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "src", AT_FDCWD, "full", 0), ENOTEMPTY);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "src", AT_FDCWD, "file", 0), ENOTDIR);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "file", AT_FDCWD, "empty", 0), EISDIR);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "src", AT_FDCWD, "src/sub", 0), EINVAL);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "src/in", 0755));
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "src", AT_FDCWD, "src/in/deeper", 0), EINVAL);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "src/in", AT_FDCWD, "src", 0), ENOTEMPTY);
  const uint64_t is = ino("src");
  EXPECT_EQ(st("/").stx_nlink, 5u);
  ASSERT_OK(t->renameat2(AT_FDCWD, "src", AT_FDCWD, "empty", 0));
  EXPECT_EQ(ino("empty"), is);
  EXPECT_EQ(err_stat("src"), ENOENT);
  EXPECT_EQ(st("/").stx_nlink, 4u);  // one subdirectory fewer
  // Moving a directory to another parent moves its ".." link.
  ASSERT_OK(t->renameat2(AT_FDCWD, "empty", AT_FDCWD, "full/moved", 0));
  EXPECT_EQ(st("/").stx_nlink, 3u);
  EXPECT_EQ(st("full").stx_nlink, 3u);
  EXPECT_EQ(ino("full/moved/.."), ino("full"));
  EXPECT_EQ(ino("full/moved/in/../.."), ino("full"));
}

TEST_P(Contract, RenameNoreplace) {
  put("a");
  put("b");
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
  ASSERT_OK(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
  EXPECT_EQ(err_stat("a"), ENOENT);
}

TEST_P(Contract, RenameExchangeFileAndDirAcrossDirectories) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "p1", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "p2", 0755));
  put("p1/f", "data");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "p2/d", 0755));
  put("p2/d/inner");
  const uint64_t ifile = ino("p1/f"), idir = ino("p2/d");
  EXPECT_EQ(st("p1").stx_nlink, 2u);
  EXPECT_EQ(st("p2").stx_nlink, 3u);
  ASSERT_OK(t->renameat2(AT_FDCWD, "p1/f", AT_FDCWD, "p2/d", RENAME_EXCHANGE));
  EXPECT_EQ(ino("p1/f"), idir);
  EXPECT_EQ(ino("p2/d"), ifile);
  EXPECT_EQ(st("p1/f").stx_mode & S_IFMT, S_IFDIR);
  EXPECT_EQ(get("p2/d"), "data");
  EXPECT_EQ(st("p1/f/inner").stx_mode & S_IFMT, S_IFREG);
  EXPECT_EQ(st("p1").stx_nlink, 3u);
  EXPECT_EQ(st("p2").stx_nlink, 2u);
  EXPECT_EQ(ino("p1/f/.."), ino("p1"));
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "p1/f", AT_FDCWD, "p2/none", RENAME_EXCHANGE),
               ENOENT);
}

TEST_P(Contract, RenameHardLinksToSameInodeIsNoop) {
  put("a", "x");
  ASSERT_OK(t->linkat(AT_FDCWD, "a", AT_FDCWD, "b", 0));
  ASSERT_OK(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "b", 0));
  EXPECT_EQ(ino("a"), ino("b"));
  EXPECT_EQ(st("a").stx_nlink, 2u);
  ASSERT_OK(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "a", 0));
  EXPECT_EQ(st("a").stx_nlink, 2u);
}

// Names of every storage class: short and long inline names (dentries from the
// per-size caches and, past 64 bytes, from malloc) and the separate names a rename
// gives; lookups, listings and the old names follow each step.
TEST_P(Contract, RenameThroughNameLengths) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  put("/d/a", "x");
  std::string cur = "a";
  for (size_t len : {1, 8, 9, 16, 17, 63, 64, 65, 200, 255, 7}) {
    const std::string next(len, static_cast<char>('b' + len % 20));
    if (next == cur) continue;
    ASSERT_OK(t->renameat2(AT_FDCWD, "/d/" + cur, AT_FDCWD, "/d/" + next, 0)) << len;
    EXPECT_EQ(err_stat("/d/" + cur), ENOENT) << len;
    EXPECT_EQ(st("/d/" + next).stx_size, 1u) << len;
    std::vector<std::string> names;
    for (const DirEntry& e : list("/d"))
      if (e.name != "." && e.name != "..") names.push_back(e.name);
    EXPECT_EQ(names, std::vector<std::string>{next}) << len;
    cur = next;
  }
  // An exchange gives both sides separate names; a long one made inline stays right.
  const std::string longname(100, 'L');
  put("/d/" + longname, "yy");
  ASSERT_OK(
      t->renameat2(AT_FDCWD, "/d/" + cur, AT_FDCWD, "/d/" + longname, RENAME_EXCHANGE));
  EXPECT_EQ(st("/d/" + cur).stx_size, 2u);
  EXPECT_EQ(st("/d/" + longname).stx_size, 1u);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "/d/" + cur, 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "/d/" + longname, 0));
  EXPECT_TRUE(list("/d").size() <= 2u);  // only . and ..
}

TEST_P(Contract, RenameInvalidFlags) {
  put("a");
  put("b");
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE | RENAME_NOREPLACE),
               EINVAL);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE | RENAME_WHITEOUT),
               EINVAL);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "b", 1u << 5), EINVAL);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, ".", AT_FDCWD, "x", 0), EBUSY);
  EXPECT_NE(ino("a"), ino("b"));
}

// ------------------------------------------------------- fchmodat / fchownat -----

TEST_P(Contract, ChmodChown) {
  put("f");
  const Statx before = st("f");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "f", 04751));
  Statx s = st("f");
  EXPECT_EQ(s.stx_mode, S_IFREG | 04751);
  EXPECT_GT(ns(s.stx_ctime), ns(before.stx_ctime));
  EXPECT_EQ(ns(s.stx_mtime), ns(before.stx_mtime));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "f", 0640));
  ASSERT_OK(t->fchownat(AT_FDCWD, "f", 1000, 2000));
  s = st("f");
  EXPECT_EQ(s.stx_uid, 1000u);
  EXPECT_EQ(s.stx_gid, 2000u);
  ASSERT_OK(t->fchownat(AT_FDCWD, "f", -1, 3000));
  s = st("f");
  EXPECT_EQ(s.stx_uid, 1000u);
  EXPECT_EQ(s.stx_gid, 3000u);
  // AT_SYMLINK_NOFOLLOW changes the link itself.
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "l"));
  ASSERT_OK(t->fchownat(AT_FDCWD, "l", 7, 8, AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(st("l", AT_SYMLINK_NOFOLLOW).stx_uid, 7u);
  EXPECT_EQ(st("f").stx_uid, 1000u);
  ASSERT_OK(t->fchownat(AT_FDCWD, "l", 9, 9, 0));
  EXPECT_EQ(st("f").stx_uid, 9u);
  EXPECT_ERRNO(t->fchmodat(AT_FDCWD, "nothing", 0644), ENOENT);
  EXPECT_ERRNO(t->fchownat(AT_FDCWD, "nothing", 1, 1), ENOENT);
}

// ---------------------------------------------------------------- truncate -------

TEST_P(Contract, Truncate) {
  put("f", "hello");
  ASSERT_OK(t->truncate("f", 2));
  EXPECT_EQ(get("f"), "he");
  ASSERT_OK(t->truncate("f", 6));
  EXPECT_EQ(get("f"), std::string("he\0\0\0\0", 6));
  EXPECT_EQ(st("f").stx_size, 6u);
  EXPECT_ERRNO(t->truncate("f", -1), EINVAL);
  EXPECT_EQ(st("f").stx_size, 6u);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  EXPECT_ERRNO(t->truncate("d", 0), EISDIR);
  EXPECT_ERRNO(t->truncate("nothing", 0), ENOENT);
  auto fd = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_ERRNO(t->ftruncate(*fd, 0), EINVAL);
  auto wfd = t->openat(AT_FDCWD, "f", O_WRONLY);
  ASSERT_OK(wfd);
  ASSERT_OK(t->ftruncate(*wfd, 1));
  EXPECT_ERRNO(t->ftruncate(*wfd, -5), EINVAL);
  EXPECT_EQ(st("f").stx_size, 1u);
}

// ---------------------------------------------------------------- openat2 --------

TEST_P(Contract, OpenCreateExclTrunc) {
  auto fd = t->openat(AT_FDCWD, "f", O_CREAT | O_WRONLY, 0666);
  ASSERT_OK(fd);
  EXPECT_EQ(st("f").stx_mode, S_IFREG | 0644);
  ASSERT_OK(t->write(*fd, "abcdef", 6));
  ASSERT_OK(t->close(*fd));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  auto fd2 = t->openat(AT_FDCWD, "f", O_CREAT | O_WRONLY, 0600);  // exists: mode kept
  ASSERT_OK(fd2);
  ASSERT_OK(t->close(*fd2));
  EXPECT_EQ(st("f").stx_mode, S_IFREG | 0644);
  EXPECT_EQ(st("f").stx_size, 6u);
  auto fd3 = t->openat(AT_FDCWD, "f", O_WRONLY | O_TRUNC);
  ASSERT_OK(fd3);
  EXPECT_EQ(st("f").stx_size, 0u);
  ASSERT_OK(t->close(*fd3));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "nothing", O_RDONLY), ENOENT);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "missing/f", O_CREAT | O_WRONLY, 0644), ENOENT);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "d", O_CREAT | O_WRONLY, 0644), EISDIR);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "d", O_WRONLY), EISDIR);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "d", O_RDWR), EISDIR);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "d", O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
}

TEST_P(Contract, OpenAppend) {
  put("f", "abc");
  auto fd = t->openat(AT_FDCWD, "f", O_WRONLY | O_APPEND);
  ASSERT_OK(fd);
  ASSERT_OK(t->lseek(*fd, 0, SEEK_SET));
  ASSERT_OK(t->write(*fd, "de", 2));
  auto pos = t->lseek(*fd, 0, SEEK_CUR);
  ASSERT_OK(pos);
  EXPECT_EQ(*pos, 5);
  ASSERT_OK(t->close(*fd));
  EXPECT_EQ(get("f"), "abcde");
}

TEST_P(Contract, OpenDirectoryNofollowPath) {
  put("f", "abc");
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "l"));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "f", O_RDONLY | O_DIRECTORY), ENOTDIR);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "l", O_RDONLY | O_NOFOLLOW), ELOOP);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "l", O_RDONLY | O_DIRECTORY), ENOTDIR);
  auto p = t->openat(AT_FDCWD, "f", O_PATH);
  ASSERT_OK(p);
  char buf[8];
  EXPECT_ERRNO(t->read(*p, buf, sizeof buf), EBADF);
  EXPECT_ERRNO(t->write(*p, "x", 1), EBADF);
  auto s = t->fstat(*p);
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_ino, ino("f"));
  ASSERT_OK(t->close(*p));
  // O_PATH|O_NOFOLLOW opens the symlink itself.
  auto pl = t->openat(AT_FDCWD, "l", O_PATH | O_NOFOLLOW);
  ASSERT_OK(pl);
  auto sl = t->fstat(*pl);
  ASSERT_OK(sl);
  EXPECT_EQ(sl->stx_mode & S_IFMT, S_IFLNK);
  // Wrong access mode for the operation.
  auto r = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(r);
  EXPECT_ERRNO(t->write(*r, "x", 1), EBADF);
  auto w = t->openat(AT_FDCWD, "f", O_WRONLY);
  ASSERT_OK(w);
  EXPECT_ERRNO(t->read(*w, buf, sizeof buf), EBADF);
}

TEST_P(Contract, OpenCreateThroughDanglingSymlink) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  ASSERT_OK(t->symlinkat("d/target", AT_FDCWD, "l"));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "l", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  EXPECT_EQ(err_stat("d/target"), ENOENT);
  auto fd = t->openat(AT_FDCWD, "l", O_CREAT | O_WRONLY, 0600);
  ASSERT_OK(fd);
  Statx s = st("d/target");
  EXPECT_EQ(s.stx_mode, S_IFREG | 0600);
  EXPECT_EQ(st("l", AT_SYMLINK_NOFOLLOW).stx_mode & S_IFMT, S_IFLNK);
  EXPECT_EQ(ino("l"), s.stx_ino);
}

TEST_P(Contract, Openat2InvalidArguments) {
  put("f");
  OpenHow how{};
  how.flags = O_RDONLY | (1ULL << 40);
  EXPECT_ERRNO(t->openat2(AT_FDCWD, "f", how), EINVAL);
  how = {};
  how.flags = O_RDONLY;
  how.mode = 0644;  // mode without O_CREAT/O_TMPFILE
  EXPECT_ERRNO(t->openat2(AT_FDCWD, "f", how), EINVAL);
  how = {};
  how.flags = O_CREAT | O_WRONLY;
  how.mode = 010644;  // bits beyond S_IALLUGO
  EXPECT_ERRNO(t->openat2(AT_FDCWD, "g", how), EINVAL);
  how = {};
  how.flags = O_RDONLY;
  how.resolve = 1ULL << 30;
  EXPECT_ERRNO(t->openat2(AT_FDCWD, "f", how), EINVAL);
  how = {};
  how.flags = O_RDONLY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
  EXPECT_ERRNO(t->openat2(AT_FDCWD, "f", how), EINVAL);
  EXPECT_EQ(err_stat("g"), ENOENT);
  how = {};
  how.flags = O_CREAT | O_WRONLY;
  how.mode = 0640;
  auto fd = t->openat2(AT_FDCWD, "g", how);
  ASSERT_OK(fd);
  EXPECT_EQ(st("g").stx_mode, S_IFREG | 0640);
}

// ------------------------------------------------- read/write/pread/pwrite/lseek --

TEST_P(Contract, ReadWriteSeek) {
  auto fd = t->openat(AT_FDCWD, "f", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  auto n = t->write(*fd, "hello world", 11);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 11u);
  char buf[64] = {};
  auto r = t->read(*fd, buf, sizeof buf);  // at EOF
  ASSERT_OK(r);
  EXPECT_EQ(*r, 0u);
  auto off = t->lseek(*fd, 0, SEEK_SET);
  ASSERT_OK(off);
  EXPECT_EQ(*off, 0);
  r = t->read(*fd, buf, 5);
  ASSERT_OK(r);
  EXPECT_EQ(std::string(buf, *r), "hello");
  off = t->lseek(*fd, 1, SEEK_CUR);
  ASSERT_OK(off);
  EXPECT_EQ(*off, 6);
  r = t->read(*fd, buf, sizeof buf);
  ASSERT_OK(r);
  EXPECT_EQ(std::string(buf, *r), "world");
  r = t->pread(*fd, buf, 3, 2);
  ASSERT_OK(r);
  EXPECT_EQ(std::string(buf, *r), "llo");
  n = t->pwrite(*fd, "XY", 2, 20);  // leaves a hole
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2u);
  off = t->lseek(*fd, 0, SEEK_CUR);  // pread/pwrite do not move the offset
  ASSERT_OK(off);
  EXPECT_EQ(*off, 11);
  EXPECT_EQ(st("f").stx_size, 22u);
  r = t->pread(*fd, buf, sizeof buf, 9);
  ASSERT_OK(r);
  EXPECT_EQ(std::string(buf, *r), std::string("ld\0\0\0\0\0\0\0\0\0XY", 13));
  off = t->lseek(*fd, -2, SEEK_END);
  ASSERT_OK(off);
  EXPECT_EQ(*off, 20);
  off = t->lseek(*fd, 100, SEEK_SET);  // beyond EOF is allowed
  ASSERT_OK(off);
  EXPECT_EQ(*off, 100);
  r = t->read(*fd, buf, sizeof buf);
  ASSERT_OK(r);
  EXPECT_EQ(*r, 0u);
  EXPECT_ERRNO(t->lseek(*fd, -1, SEEK_SET), EINVAL);
  EXPECT_ERRNO(t->lseek(*fd, -200, SEEK_CUR), EINVAL);
  EXPECT_ERRNO(t->lseek(*fd, 0, 77), EINVAL);
  EXPECT_ERRNO(t->pread(*fd, buf, 1, -1), EINVAL);
  EXPECT_ERRNO(t->pwrite(*fd, buf, 1, -1), EINVAL);
  ASSERT_OK(t->close(*fd));
  EXPECT_ERRNO(t->close(*fd), EBADF);
  EXPECT_ERRNO(t->read(*fd, buf, 1), EBADF);
}

TEST_P(Contract, ReadDirectoryFdIsEisdir) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  auto fd = t->openat(AT_FDCWD, "d", O_RDONLY);
  ASSERT_OK(fd);
  char buf[8];
  EXPECT_ERRNO(t->read(*fd, buf, sizeof buf), EISDIR);
  EXPECT_ERRNO(t->pread(*fd, buf, sizeof buf, 0), EISDIR);
}

// ---------------------------------------------------------------- getdents -------

TEST_P(Contract, GetdentsNamesAndTypes) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  put("d/reg");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/sub", 0755));
  ASSERT_OK(t->symlinkat("reg", AT_FDCWD, "d/lnk"));
  ASSERT_OK(t->mknodat(AT_FDCWD, "d/fifo", S_IFIFO | 0644, 0));
  ASSERT_OK(t->mknodat(AT_FDCWD, "d/sock", S_IFSOCK | 0644, 0));
  ASSERT_OK(t->mknodat(AT_FDCWD, "d/chr", S_IFCHR | 0644, makedev(1, 3)));
  ASSERT_OK(t->mknodat(AT_FDCWD, "d/blk", S_IFBLK | 0644, makedev(7, 0)));
  std::map<std::string, DirEntry> got;
  for (DirEntry& e : list("d")) {
    EXPECT_TRUE(got.emplace(e.name, e).second) << "duplicate " << e.name;
  }
  const std::map<std::string, unsigned char> want = {
      {".", DT_DIR},    {"..", DT_DIR},   {"reg", DT_REG},  {"sub", DT_DIR},
      {"lnk", DT_LNK},  {"fifo", DT_FIFO}, {"sock", DT_SOCK}, {"chr", DT_CHR},
      {"blk", DT_BLK}};
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, type] : want) {
    auto it = got.find(name);
    ASSERT_NE(it, got.end()) << name;
    EXPECT_EQ(int(it->second.type), int(type)) << name;
  }
  EXPECT_EQ(got["."].ino, ino("d"));
  EXPECT_EQ(got[".."].ino, ino("/"));
  EXPECT_EQ(got["reg"].ino, ino("d/reg"));
  EXPECT_EQ(got["lnk"].ino, ino("d/lnk", AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(got["sub"].ino, ino("d/sub"));
}

TEST_P(Contract, GetdentsEndRewindAndNotDir) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  auto fd = t->openat(AT_FDCWD, "d", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  std::vector<DirEntry> v;
  auto n = t->getdents(*fd, v);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2u);
  n = t->getdents(*fd, v);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0u);
  ASSERT_OK(t->lseek(*fd, 0, SEEK_SET));
  v.clear();
  n = t->getdents(*fd, v, 1);
  ASSERT_OK(n);
  ASSERT_EQ(*n, 1u);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, ".");
  put("f");
  auto ffd = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(ffd);
  EXPECT_ERRNO(t->getdents(*ffd, v), ENOTDIR);
  EXPECT_ERRNO(t->getdents(12345, v), EBADF);
}

TEST_P(Contract, GetdentsLargeDirectoryWithConcurrentChanges) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "big", 0755));
  const int kN = 2000;
  auto name = [](const char* p, int i) { return std::string(p) + std::to_string(i); };
  for (int i = 0; i < kN; ++i) ASSERT_OK(t->mknodat(AT_FDCWD, "big/" + name("e", i), 0644, 0));
  // Untouched: e0..e999. Removed during the listing: e1000..e1999 in steps of 2.
  auto fd = t->openat(AT_FDCWD, "big", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  std::map<std::string, int> seen;
  std::vector<DirEntry> batch;
  int round = 0;
  for (;;) {
    batch.clear();
    auto n = t->getdents(*fd, batch, 97);
    ASSERT_OK(n);
    if (*n == 0) break;
    ASSERT_EQ(batch.size(), *n);
    for (const DirEntry& e : batch) ++seen[e.name];
    // Between batches (the first 15): remove some original entries, add new ones.
    for (int k = 0; k < 10 && round < 15; ++k) {
      const int victim = 1000 + 2 * (round * 10 + k);
      if (victim < kN) {
        ASSERT_OK(t->unlinkat(AT_FDCWD, "big/" + name("e", victim), 0));
      }
      ASSERT_OK(t->mknodat(AT_FDCWD, "big/" + name("n", round * 10 + k), 0644, 0));
    }
    ++round;
    ASSERT_LT(round, 1000) << "getdents does not terminate";
  }
  for (const auto& [n, c] : seen) EXPECT_EQ(c, 1) << n << " returned " << c << " times";
  EXPECT_EQ(seen["."], 1);
  EXPECT_EQ(seen[".."], 1);
  for (int i = 0; i < kN; ++i) {
    const bool stable = i < 1000 || (i % 2 == 1);
    if (stable) {
      EXPECT_EQ(seen.count(name("e", i)), 1u) << name("e", i) << " missing";
    }
  }
}

// ---------------------------------------------------------------- fdpath ---------

TEST_P(Contract, Fdpath) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "a", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "a/b", 0755));
  put("a/b/f");
  auto fd = t->openat(AT_FDCWD, "a/b/f", O_RDONLY);
  ASSERT_OK(fd);
  auto dfd = t->openat(AT_FDCWD, "a/b", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(dfd);
  auto rfd = t->openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(rfd);
  auto p = t->fdpath(*fd);
  ASSERT_OK(p);
  EXPECT_EQ(*p, "/a/b/f");
  p = t->fdpath(*rfd);
  ASSERT_OK(p);
  EXPECT_EQ(*p, "/");
  ASSERT_OK(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "z", 0));
  p = t->fdpath(*fd);
  ASSERT_OK(p);
  EXPECT_EQ(*p, "/z/b/f");
  p = t->fdpath(*dfd);
  ASSERT_OK(p);
  EXPECT_EQ(*p, "/z/b");
  ASSERT_OK(t->unlinkat(AT_FDCWD, "z/b/f", 0));
  p = t->fdpath(*fd);
  ASSERT_OK(p);
  EXPECT_EQ(*p, "/z/b/f (deleted)");
  EXPECT_ERRNO(t->fdpath(9999), EBADF);
}

// As Linux's readlink of /proc/self/fd/N: the path, " (deleted)" included, must fit in
// PATH_MAX bytes with its NUL, else ENAMETOOLONG; a rename can take it either way.
TEST_P(Contract, FdpathLongerThanPathMax) {
  const std::string dir(255, 'p'), name254(254, 'f'), name255(255, 'f');
  std::string path;
  for (int i = 0; i < 15; ++i) {
    path += "/" + dir;
    ASSERT_OK(t->mkdirat(AT_FDCWD, path, 0755));
  }
  ASSERT_EQ(path.size(), 3840u);
  // (A path argument of 4096 bytes is itself too long: the names go by descriptor.)
  auto deep = t->openat(AT_FDCWD, path, O_PATH | O_DIRECTORY);
  ASSERT_OK(deep);
  auto fits = t->openat(*deep, name254, O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fits);
  auto p = t->fdpath(*fits);
  ASSERT_OK(p);
  EXPECT_EQ(p->size(), rcuvfs::kPathMax - 1);
  auto over = t->openat(*deep, name255, O_CREAT | O_RDWR, 0644);
  ASSERT_OK(over);
  EXPECT_ERRNO(t->fdpath(*over), ENAMETOOLONG);
  // Unlinked, the first one's path grows by " (deleted)".
  ASSERT_OK(t->unlinkat(*deep, name254, 0));
  EXPECT_ERRNO(t->fdpath(*fits), ENAMETOOLONG);
  // A shorter name for the top directory brings both back under the limit.
  ASSERT_OK(t->renameat2(AT_FDCWD, "/" + dir, AT_FDCWD, "/q", 0));
  p = t->fdpath(*over);
  ASSERT_OK(p);
  EXPECT_EQ(p->size(), rcuvfs::kPathMax - 254);
  p = t->fdpath(*fits);
  ASSERT_OK(p);
  EXPECT_EQ(p->size(), rcuvfs::kPathMax - 1 - 254 + 10);
  EXPECT_TRUE(p->ends_with(name254 + " (deleted)")) << *p;
  for (int fd : {*deep, *fits, *over}) ASSERT_OK(t->close(fd));
}

// ---------------------------------------------------------------- chdir/chroot ---

TEST_P(Contract, Chdir) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  put("d/f", "in d");
  ASSERT_OK(t->chdir("d"));
  EXPECT_EQ(get("f"), "in d");
  EXPECT_EQ(ino("."), ino("/d"));
  EXPECT_EQ(ino(".."), ino("/"));
  EXPECT_ERRNO(t->chdir("f"), ENOTDIR);
  EXPECT_ERRNO(t->chdir("nothing"), ENOENT);
  EXPECT_EQ(ino("."), ino("/d"));
  auto fd = t->openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  ASSERT_OK(t->fchdir(*fd));
  EXPECT_EQ(ino("."), ino("/"));
  // A cwd that was removed: lookups in it find nothing, creation is ENOENT.
  ASSERT_OK(t->mkdirat(AT_FDCWD, "gone", 0755));
  ASSERT_OK(t->chdir("gone"));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "/gone", AT_REMOVEDIR));
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "x", 0755), ENOENT);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "y", O_CREAT | O_WRONLY, 0644), ENOENT);
}

TEST_P(Contract, ChrootConfinesDotDot) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "jail", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "jail/sub", 0755));
  put("outside", "out");
  put("jail/inside", "in");
  ASSERT_OK(t->symlinkat("/inside", AT_FDCWD, "jail/sub/abs"));
  const uint64_t jail = ino("/jail");
  ASSERT_OK(t->chroot("jail"));
  EXPECT_EQ(ino("/"), jail);
  EXPECT_EQ(ino("/.."), jail);
  EXPECT_EQ(ino("/../../.."), jail);
  EXPECT_EQ(get("/../inside"), "in");
  EXPECT_EQ(get("/sub/abs"), "in");  // absolute symlinks resolve in the new root
  EXPECT_EQ(err_stat("/../outside"), ENOENT);
  ASSERT_OK(t->chdir("/"));
  EXPECT_EQ(ino(".."), jail);
}

// ---------------------------------------------------------------- statx ----------

TEST_P(Contract, StatxModeUmaskOwner) {
  EXPECT_EQ(t->umask(027), 022u);
  put("f", "", 0777);
  EXPECT_EQ(st("f").stx_mode, S_IFREG | 0750);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0777));
  EXPECT_EQ(st("d").stx_mode, S_IFDIR | 0750);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "pub", 0777));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "pub", 0777));
  t->set_cred({1000, 1001, {}});
  put("pub/mine");
  Statx s = st("pub/mine");
  EXPECT_EQ(s.stx_uid, 1000u);
  EXPECT_EQ(s.stx_gid, 1001u);
  EXPECT_EQ(s.stx_mode, S_IFREG | 0640);
  EXPECT_TRUE(s.stx_mask & STATX_BASIC_STATS) << std::hex << s.stx_mask;
  EXPECT_EQ(s.stx_mask & STATX_BASIC_STATS, unsigned(STATX_BASIC_STATS));
  EXPECT_ERRNO(t->statx(AT_FDCWD, "pub/mine", 0x40000000), EINVAL);
}

TEST_P(Contract, StatxDirectoryNlinkAndSize) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  Statx s = st("d");
  EXPECT_EQ(s.stx_nlink, 2u);
  EXPECT_EQ(s.stx_size, 40u);
  put("d/f");
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "d/l"));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/s1", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/s2", 0755));
  s = st("d");
  EXPECT_EQ(s.stx_nlink, 4u);
  EXPECT_EQ(s.stx_size, 40u + 4 * 20);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d/f", 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d/s1", AT_REMOVEDIR));
  s = st("d");
  EXPECT_EQ(s.stx_nlink, 3u);
  EXPECT_EQ(s.stx_size, 40u + 2 * 20);
  ASSERT_OK(t->linkat(AT_FDCWD, "d/l", AT_FDCWD, "d/l2", 0));
  EXPECT_EQ(st("d").stx_size, 40u + 3 * 20);
}

TEST_P(Contract, StatxSizes) {
  put("f", std::string(5000, 'x'));
  EXPECT_EQ(st("f").stx_size, 5000u);
  ASSERT_OK(t->symlinkat("a/b/c/d", AT_FDCWD, "l"));
  EXPECT_EQ(st("l", AT_SYMLINK_NOFOLLOW).stx_size, 7u);
  EXPECT_EQ(st("f").stx_blksize, 4096u);
}

TEST_P(Contract, StatxTimes) {
  ASSERT_OK(t->mknodat(AT_FDCWD, "f", S_IFREG | 0644, 0));
  Statx s0 = st("f");
  EXPECT_TRUE(s0.stx_mask & STATX_BTIME);
  EXPECT_GT(s0.stx_btime.tv_sec, 1600000000);
  EXPECT_EQ(ns(s0.stx_btime), ns(s0.stx_mtime));
  EXPECT_EQ(ns(s0.stx_ctime), ns(s0.stx_mtime));
  const Statx dir0 = st("/");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto fd = t->openat(AT_FDCWD, "f", O_WRONLY);
  ASSERT_OK(fd);
  ASSERT_OK(t->write(*fd, "bc", 2));
  Statx s1 = st("f");
  EXPECT_GT(ns(s1.stx_mtime), ns(s0.stx_mtime));
  EXPECT_GT(ns(s1.stx_ctime), ns(s0.stx_ctime));
  EXPECT_EQ(ns(s1.stx_btime), ns(s0.stx_btime));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  put("g");
  Statx dir1 = st("/");
  EXPECT_GT(ns(dir1.stx_mtime), ns(dir0.stx_mtime));
  EXPECT_GT(ns(dir1.stx_ctime), ns(dir0.stx_ctime));
  // Nanoseconds are kept: among several timestamps at least one has a fraction.
  bool frac = false;
  for (int i = 0; i < 8; ++i) {
    put("t" + std::to_string(i));
    Statx s = st("t" + std::to_string(i));
    frac |= s.stx_mtime.tv_nsec != 0 || s.stx_btime.tv_nsec != 0;
    EXPECT_LT(s.stx_mtime.tv_nsec, 1000000000u);
  }
  EXPECT_TRUE(frac);
}

TEST_P(Contract, StatxDevAndIno) {
  put("a");
  put("b");
  Statx a = st("a"), b = st("b"), r = st("/");
  EXPECT_NE(a.stx_ino, b.stx_ino);
  EXPECT_EQ(a.stx_dev_major, r.stx_dev_major);
  EXPECT_EQ(a.stx_dev_minor, r.stx_dev_minor);
  EXPECT_EQ(a.stx_dev_major, 0u);  // anonymous device, as tmpfs
}

// ---------------------------------------------------------------- trailing / -----

TEST_P(Contract, TrailingSlashes) {
  put("file");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "dir/", 0755));
  EXPECT_EQ(st("dir/").stx_mode & S_IFMT, S_IFDIR);
  EXPECT_EQ(st("dir//").stx_mode & S_IFMT, S_IFDIR);
  EXPECT_EQ(err_stat("file/"), ENOTDIR);
  EXPECT_EQ(err_stat("file/."), ENOTDIR);
  EXPECT_EQ(err_stat("nothing/"), ENOENT);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "new/", O_CREAT | O_WRONLY, 0644), EISDIR);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "file/", O_RDONLY), ENOTDIR);
  EXPECT_ERRNO(t->mknodat(AT_FDCWD, "x/", S_IFREG | 0644, 0), ENOENT);
  EXPECT_ERRNO(t->symlinkat("file", AT_FDCWD, "y/"), ENOENT);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "file/", 0), ENOTDIR);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "file", AT_FDCWD, "g/", 0), ENOTDIR);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "file/", AT_FDCWD, "g", 0), ENOTDIR);
  EXPECT_EQ(err_stat("new"), ENOENT);
  EXPECT_EQ(err_stat("x"), ENOENT);
  EXPECT_EQ(err_stat("y", AT_SYMLINK_NOFOLLOW), ENOENT);
  // A symlink to a directory is followed with a trailing slash, even with NOFOLLOW.
  ASSERT_OK(t->symlinkat("dir", AT_FDCWD, "ld"));
  ASSERT_OK(t->symlinkat("file", AT_FDCWD, "lf"));
  EXPECT_EQ(st("ld/", AT_SYMLINK_NOFOLLOW).stx_mode & S_IFMT, S_IFDIR);
  EXPECT_EQ(st("ld", AT_SYMLINK_NOFOLLOW).stx_mode & S_IFMT, S_IFLNK);
  EXPECT_EQ(err_stat("lf/"), ENOTDIR);
  ASSERT_OK(t->renameat2(AT_FDCWD, "dir/", AT_FDCWD, "dir2/", 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "dir2/", AT_REMOVEDIR));
  EXPECT_EQ(err_stat("dir2"), ENOENT);
}

// ---------------------------------------------------------------- limits ---------

TEST_P(Contract, NameTooLong) {
  const std::string n255(255, 'n'), n256(256, 'n');
  ASSERT_OK(t->mkdirat(AT_FDCWD, n255, 0755));
  EXPECT_EQ(st(n255).stx_mode & S_IFMT, S_IFDIR);
  EXPECT_EQ(err_stat(n256), ENAMETOOLONG);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, n256, 0755), ENAMETOOLONG);
  EXPECT_ERRNO(t->openat(AT_FDCWD, n256, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
  EXPECT_EQ(err_stat(n256 + "/x"), ENAMETOOLONG);
}

TEST_P(Contract, PathTooLong) {
  put("abcde");
  std::string p;
  for (int i = 0; i < 2045; ++i) p += "./";
  const std::string p4095 = p + "abcde";
  const std::string p4096 = p + "/abcde";
  ASSERT_EQ(p4095.size(), 4095u);
  ASSERT_EQ(p4096.size(), 4096u);
  EXPECT_EQ(ino(p4095), ino("abcde"));
  EXPECT_EQ(err_stat(p4096), ENAMETOOLONG);
  EXPECT_ERRNO(t->openat(AT_FDCWD, p4096, O_RDONLY), ENAMETOOLONG);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, p + "//xyzw", 0755), ENAMETOOLONG);
  EXPECT_OK(t->mkdirat(AT_FDCWD, p + "/xyzw", 0755));  // 4095 bytes
}

TEST_P(Contract, SymlinkLoops) {
  put("f", "target");
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "l1"));
  for (int i = 2; i <= 41; ++i)
    ASSERT_OK(t->symlinkat("l" + std::to_string(i - 1), AT_FDCWD, "l" + std::to_string(i)));
  EXPECT_EQ(ino("l40"), ino("f"));  // 40 links followed
  EXPECT_EQ(get("l40"), "target");
  EXPECT_EQ(err_stat("l41"), ELOOP);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "l41", O_RDONLY), ELOOP);
  EXPECT_EQ(st("l41", AT_SYMLINK_NOFOLLOW).stx_mode & S_IFMT, S_IFLNK);
  ASSERT_OK(t->symlinkat("self", AT_FDCWD, "self"));
  EXPECT_EQ(err_stat("self"), ELOOP);
  EXPECT_EQ(err_stat("self/x"), ELOOP);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "self", O_CREAT | O_WRONLY, 0644), ELOOP);
  EXPECT_EQ(st("self", AT_SYMLINK_NOFOLLOW).stx_mode & S_IFMT, S_IFLNK);
}

// ---------------------------------------------------------------- path forms -----

TEST_P(Contract, EmptyPathAndAtEmptyPath) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  EXPECT_EQ(err_stat(""), ENOENT);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "", O_RDONLY), ENOENT);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "", 0755), ENOENT);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "", 0), ENOENT);
  auto fd = t->openat(AT_FDCWD, "d", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  auto s = t->statx(*fd, "", AT_EMPTY_PATH);
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_ino, ino("d"));
  s = t->statx(AT_FDCWD, "", AT_EMPTY_PATH);
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_ino, ino("/"));
  EXPECT_ERRNO(t->statx(*fd, "", 0), ENOENT);
}

TEST_P(Contract, EmbeddedNulIsEinval) {
  put("a");
  const std::string_view bad("a\0b", 3);
  EXPECT_ERRNO(t->statx(AT_FDCWD, bad), EINVAL);
  EXPECT_ERRNO(t->openat(AT_FDCWD, bad, O_CREAT | O_WRONLY, 0644), EINVAL);
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, bad, 0755), EINVAL);
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, bad, 0), EINVAL);
  EXPECT_ERRNO(t->symlinkat(bad, AT_FDCWD, "l"), EINVAL);
  EXPECT_EQ(err_stat("l", AT_SYMLINK_NOFOLLOW), ENOENT);
}

TEST_P(Contract, BadAndNonDirectoryFds) {
  put("f");
  EXPECT_ERRNO(t->statx(999, "f"), EBADF);
  EXPECT_ERRNO(t->statx(-5, "f"), EBADF);
  EXPECT_ERRNO(t->openat(999, "f", O_RDONLY), EBADF);
  EXPECT_ERRNO(t->mkdirat(999, "x", 0755), EBADF);
  EXPECT_ERRNO(t->statx(999, "", AT_EMPTY_PATH), EBADF);
  EXPECT_ERRNO(t->close(-1), EBADF);
  char c;
  EXPECT_ERRNO(t->read(999, &c, 1), EBADF);
  EXPECT_ERRNO(t->write(999, &c, 1), EBADF);
  EXPECT_ERRNO(t->lseek(999, 0, SEEK_SET), EBADF);
  // An absolute path ignores dirfd.
  auto s = t->statx(999, "/f");
  ASSERT_OK(s);
  auto fd = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(fd);
  EXPECT_ERRNO(t->statx(*fd, "x"), ENOTDIR);
  EXPECT_ERRNO(t->openat(*fd, "x", O_RDONLY), ENOTDIR);
  EXPECT_ERRNO(t->mkdirat(*fd, "x", 0755), ENOTDIR);
  auto s2 = t->statx(*fd, "", AT_EMPTY_PATH);
  ASSERT_OK(s2);
  EXPECT_EQ(s2->stx_ino, ino("f"));
  EXPECT_ERRNO(t->fchdir(*fd), ENOTDIR);
}

TEST_P(Contract, DirfdRelativeOperations) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  auto dfd = t->openat(AT_FDCWD, "d", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(dfd);
  ASSERT_OK(t->mkdirat(*dfd, "sub", 0755));
  ASSERT_OK(t->symlinkat("sub", *dfd, "l"));
  auto fd = t->openat(*dfd, "l/f", O_CREAT | O_WRONLY, 0644);
  ASSERT_OK(fd);
  EXPECT_EQ(st("d/sub/f").stx_mode & S_IFMT, S_IFREG);
  ASSERT_OK(t->renameat2(*dfd, "sub/f", AT_FDCWD, "g", 0));
  ASSERT_OK(t->linkat(AT_FDCWD, "g", *dfd, "g2", 0));
  EXPECT_EQ(ino("d/g2"), ino("g"));
  ASSERT_OK(t->unlinkat(*dfd, "g2", 0));
  EXPECT_ERRNO(t->unlinkat(*dfd, "..", 0), EISDIR);
  EXPECT_ERRNO(t->unlinkat(*dfd, ".", 0), EISDIR);
  EXPECT_EQ(err_stat("d/g2"), ENOENT);
}

// ---------------------------------------------------------------- more edges -----
// Each expectation below was checked against Linux (tmpfs) on the build machine.

TEST_P(Contract, RenameEdgeCases) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/sub", 0755));
  put("a");
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "d", AT_FDCWD, "d/sub", RENAME_EXCHANGE), EINVAL);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "d/sub", AT_FDCWD, "d", RENAME_EXCHANGE), EINVAL);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "d/.", 0), EBUSY);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "d/..", 0), EBUSY);
  EXPECT_ERRNO(t->renameat2(AT_FDCWD, "a", AT_FDCWD, "d/.", RENAME_NOREPLACE), EEXIST);
  // Exchanging two directories of one parent leaves every link count alone.
  ASSERT_OK(t->mkdirat(AT_FDCWD, "x1", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "x2", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "x1/y", 0755));
  const uint32_t root_nlink = st("/").stx_nlink;
  ASSERT_OK(t->renameat2(AT_FDCWD, "x1", AT_FDCWD, "x2", RENAME_EXCHANGE));
  EXPECT_EQ(st("x1").stx_nlink, 2u);
  EXPECT_EQ(st("x2").stx_nlink, 3u);
  EXPECT_EQ(st("x2/y").stx_mode & S_IFMT, S_IFDIR);
  EXPECT_EQ(st("/").stx_nlink, root_nlink);
}

TEST_P(Contract, CreateModeBits) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "s", 07777));  // mkdir keeps only rwx and sticky
  EXPECT_EQ(st("s").stx_mode, S_IFDIR | 01755);
  auto fd = t->openat(AT_FDCWD, "o", O_CREAT | O_WRONLY, 07777);
  ASSERT_OK(fd);
  EXPECT_EQ(st("o").stx_mode, S_IFREG | 07755);
}

TEST_P(Contract, OpenMoreFlags) {
  put("t", "abc");
  auto fd = t->openat(AT_FDCWD, "t", O_RDONLY | O_TRUNC);  // Linux truncates
  ASSERT_OK(fd);
  EXPECT_EQ(st("t").stx_size, 0u);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "nd", O_CREAT | O_DIRECTORY | O_RDONLY, 0755), EINVAL);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "t", O_CREAT | O_DIRECTORY | O_RDONLY, 0755), EINVAL);
  EXPECT_EQ(err_stat("nd"), ENOENT);
  auto ex = t->openat(AT_FDCWD, "t", O_EXCL | O_RDONLY);  // O_EXCL alone is ignored
  EXPECT_OK(ex);
  ASSERT_OK(t->mknodat(AT_FDCWD, "sock", S_IFSOCK | 0644, 0));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "sock", O_RDONLY), ENXIO);
  // pwrite on an O_APPEND descriptor appends (Linux ignores the offset).
  auto ap = t->openat(AT_FDCWD, "ap", O_CREAT | O_RDWR | O_APPEND, 0644);
  ASSERT_OK(ap);
  ASSERT_OK(t->write(*ap, "abc", 3));
  ASSERT_OK(t->pwrite(*ap, "Z", 1, 0));
  EXPECT_EQ(get("ap"), "abcZ");
  auto z = t->write(*ap, "", 0);
  ASSERT_OK(z);
  EXPECT_EQ(*z, 0u);
}

TEST_P(Contract, OpathDescriptors) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  put("f");
  auto pd = t->openat(AT_FDCWD, "d", O_PATH);
  ASSERT_OK(pd);
  std::vector<DirEntry> v;
  EXPECT_ERRNO(t->getdents(*pd, v), EBADF);
  EXPECT_OK(t->fchdir(*pd));
  EXPECT_EQ(ino("."), ino("/d"));
  auto pf = t->openat(AT_FDCWD, "/f", O_PATH);
  ASSERT_OK(pf);
  EXPECT_ERRNO(t->ftruncate(*pf, 0), EBADF);
}

TEST_P(Contract, UnlinkedButOpen) {
  auto fd = t->openat(AT_FDCWD, "u", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "u", 0));
  auto n = t->write(*fd, "zz", 2);
  ASSERT_OK(n);
  auto s = t->fstat(*fd);
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_nlink, 0u);
  EXPECT_EQ(s->stx_size, 2u);
  char buf[4];
  auto r = t->pread(*fd, buf, sizeof buf, 0);
  ASSERT_OK(r);
  EXPECT_EQ(std::string(buf, *r), "zz");
  // A removed directory lists nothing: getdents is ENOENT, as on Linux.
  ASSERT_OK(t->mkdirat(AT_FDCWD, "gone", 0755));
  auto gfd = t->openat(AT_FDCWD, "gone", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(gfd);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "gone", AT_REMOVEDIR));
  std::vector<DirEntry> v;
  EXPECT_ERRNO(t->getdents(*gfd, v), ENOENT);
  auto p = t->fdpath(*gfd);
  ASSERT_OK(p);
  EXPECT_EQ(*p, "/gone (deleted)");
  auto gs = t->fstat(*gfd);
  ASSERT_OK(gs);
  EXPECT_EQ(gs->stx_nlink, 0u);
}

TEST_P(Contract, SymlinkTargetLimitsAndFollowing) {
  EXPECT_OK(t->symlinkat(std::string(4095, 'x'), AT_FDCWD, "long4095"));
  EXPECT_EQ(st("long4095", AT_SYMLINK_NOFOLLOW).stx_size, 4095u);
  EXPECT_ERRNO(t->symlinkat(std::string(4096, 'x'), AT_FDCWD, "long4096"), ENAMETOOLONG);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  ASSERT_OK(t->symlinkat("d", AT_FDCWD, "ld"));
  EXPECT_ERRNO(t->readlinkat(AT_FDCWD, "ld/"), EINVAL);  // follows to the directory
  EXPECT_ERRNO(t->linkat(AT_FDCWD, "ld", AT_FDCWD, "ld2", AT_SYMLINK_FOLLOW), EPERM);
  put("f");
  ASSERT_OK(t->symlinkat("f", AT_FDCWD, "lf"));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "lf", 0600));  // chmod follows
  EXPECT_EQ(st("f").stx_mode, S_IFREG | 0600);
  EXPECT_EQ(st("lf", AT_SYMLINK_NOFOLLOW).stx_mode, S_IFLNK | 0777);
  EXPECT_ERRNO(t->chroot("f"), ENOTDIR);
  auto user = vfs->new_task(rcuvfs::Cred{1000, 1000, {}});
  EXPECT_ERRNO(user->chroot("d"), EPERM);
}

TEST_P(Contract, GetdentsSeekToEntryOffset) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "ds", 0755));
  for (int i = 0; i < 5; ++i) put("ds/e" + std::to_string(i));
  auto fd = t->openat(AT_FDCWD, "ds", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(fd);
  std::vector<DirEntry> all;
  ASSERT_OK(t->getdents(*fd, all));
  ASSERT_EQ(all.size(), 7u);
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    auto off = t->lseek(*fd, all[i].off, SEEK_SET);
    ASSERT_OK(off);
    EXPECT_EQ(*off, all[i].off);
    std::vector<DirEntry> next;
    auto n = t->getdents(*fd, next, 1);
    ASSERT_OK(n);
    ASSERT_EQ(*n, 1u);
    EXPECT_EQ(next[0].name, all[i + 1].name) << "after " << all[i].name;
  }
}

// rcuvfs has no pipes: a FIFO never has a peer. Opens and I/O answer as Linux does for
// a FIFO whose other end nobody opens (non-blocking), and the object never holds data.
TEST_P(Contract, FifoWithoutPipes) {
  ASSERT_OK(t->mknodat(AT_FDCWD, "p", S_IFIFO | 0666, 0));
  EXPECT_ERRNO(t->openat(AT_FDCWD, "p", O_WRONLY), ENXIO);
  EXPECT_ERRNO(t->openat(AT_FDCWD, "p", O_WRONLY | O_NONBLOCK | O_TRUNC), ENXIO);
  auto rd = t->openat(AT_FDCWD, "p", O_RDONLY | O_NONBLOCK);
  ASSERT_OK(rd);
  char buf[8];
  auto n = t->read(*rd, buf, sizeof buf);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0u);  // no writer: end of file
  EXPECT_ERRNO(t->pread(*rd, buf, sizeof buf, 0), ESPIPE);
  EXPECT_ERRNO(t->lseek(*rd, 0, SEEK_SET), ESPIPE);
  auto rw = t->openat(AT_FDCWD, "p", O_RDWR);
  ASSERT_OK(rw);
  EXPECT_ERRNO(t->write(*rw, "data", 4), EAGAIN);
  EXPECT_ERRNO(t->pwrite(*rw, "data", 4, 0), ESPIPE);
  EXPECT_EQ(st("p").stx_size, 0u);
  EXPECT_OK(t->close(*rd));
  EXPECT_OK(t->close(*rw));
}

INSTANTIATE_TEST_SUITE_P(AllFs, Contract,
                         ::testing::Values("memfs", "legacyfs", "recyclefs", "hostfs",
                                           "hostfs_ttl0", "etcd"),
                         [](const auto& info) { return info.param; });

}  // namespace
