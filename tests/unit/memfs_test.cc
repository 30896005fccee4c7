// memfs's own rules, on memfs and on the filesystems built on it (legacyfs: no RCU
// callbacks; recyclefs: inode objects reused at once): the `size=` option as tmpfs
// reads it, ENOSPC and short writes at the limit, space given back by unlink, close,
// rename, truncate and O_TRUNC, and sparse files that cost no memory.
#include "test_util.h"

#include <rcuvfs/diagnostics.h>

#include "core/internals.h"
#include "core/namei.h"
#include "core/ops_common.h"
#include "fs/memfs/memfs.h"

#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace rcuvfs;
using Problems = std::vector<std::string>;

int64_t ns(const struct statx_timestamp& ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

class Memfs : public ::testing::TestWithParam<const char*>, public rcuvfs_test::VfsHarness {
 protected:
  void make_sized(const char* options) {
    auto v = Vfs::create(GetParam(), options);
    ASSERT_OK(v);
    vfs = std::move(*v);
    t = vfs->new_task();
  }
  memfs::MemSuper& super() {
    auto p = core::lookup_path(core::state_of(*t), AT_FDCWD, "/", 0);
    EXPECT_TRUE(p.ok());
    core::PathRef ref(*p);
    return *static_cast<memfs::MemSuper*>(ref.inode()->sb);
  }
  int open(const char* path, int flags) {
    auto fd = t->openat(AT_FDCWD, path, flags, 0644);
    EXPECT_OK(fd) << path;
    return fd.ok() ? *fd : -1;
  }
  // The answer of a pwrite: bytes written, or -errno.
  int64_t pwrite(int fd, size_t n, off_t at) {
    const std::string data(n, 'a');
    auto r = t->pwrite(fd, data.data(), n, at);
    return r.ok() ? static_cast<int64_t>(*r) : -r.error();
  }
  int64_t write(int fd, size_t n) {
    const std::string data(n, 'a');
    auto r = t->write(fd, data.data(), n);
    return r.ok() ? static_cast<int64_t>(*r) : -r.error();
  }
  using SB = std::pair<uint64_t, uint64_t>;
  SB size_blocks(int fd) {
    auto s = t->fstat(fd);
    EXPECT_OK(s);
    return s.ok() ? SB(s->stx_size, s->stx_blocks) : SB();
  }
};

// The same calls on a tmpfs mounted with size=64k (16 pages; Linux 6.18) gave every
// figure below, each step in this order.
TEST_P(Memfs, WritesStopAtTheSizeAsOnTmpfs) {
  make_sized("size=64k");
  EXPECT_EQ(super().max_pages(), 16u);
  const int a = open("a", O_CREAT | O_RDWR);
  EXPECT_EQ(write(a, 65537), 65536);  // short: the limit
  EXPECT_EQ(size_blocks(a), SB(65536, 128));
  EXPECT_EQ(write(a, 1), -ENOSPC);  // then nothing
  EXPECT_EQ(size_blocks(a), SB(65536, 128));
  EXPECT_EQ(pwrite(a, 1, 0), 1);  // a page it holds takes no room
  ASSERT_OK(t->ftruncate(a, 100000));
  EXPECT_EQ(pwrite(a, 1, 90000), -ENOSPC);  // a hole does
  EXPECT_EQ(size_blocks(a), SB(100000, 128));
  ASSERT_OK(t->ftruncate(a, 56344));  // two pages back
  EXPECT_EQ(size_blocks(a), SB(56344, 112));
  const int b = open("b", O_CREAT | O_RDWR);
  EXPECT_EQ(pwrite(b, 8192, 1000), 7192);  // up to the end of the second new page
  EXPECT_EQ(size_blocks(b), SB(8192, 16));
  EXPECT_EQ(pwrite(b, 8192, 0), 8192);
  EXPECT_EQ(pwrite(b, 10, 20000), -ENOSPC);
  EXPECT_EQ(size_blocks(b), SB(8192, 16));
  const int ap = open("a", O_WRONLY | O_APPEND);
  EXPECT_EQ(write(ap, 5000), 1000);  // the rest of a's last page
  EXPECT_EQ(size_blocks(a), SB(57344, 112));
  ASSERT_OK(t->close(ap));
  ASSERT_OK(t->close(a));
  EXPECT_EQ(super().used_pages(), 16u);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "a", 0));  // the last name and the last descriptor
  EXPECT_EQ(super().used_pages(), 2u);
  // Unlinked but open: its pages stay until the close.
  const int c = open("c", O_CREAT | O_RDWR);
  EXPECT_EQ(write(c, 40960), 40960);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "c", 0));
  EXPECT_EQ(pwrite(b, 32768, 0), 24576);
  EXPECT_EQ(size_blocks(b), SB(24576, 48));
  EXPECT_EQ(diag::check(*vfs), Problems{});  // c counted though it has no name
  ASSERT_OK(t->close(c));
  EXPECT_EQ(pwrite(b, 32768, 0), 32768);
  EXPECT_EQ(size_blocks(b), SB(32768, 64));
  // A rename over a file frees the file it replaced.
  const int d = open("d", O_CREAT | O_RDWR);
  EXPECT_EQ(write(d, 16384), 16384);
  ASSERT_OK(t->close(d));
  put("e");
  ASSERT_OK(t->renameat2(AT_FDCWD, "e", AT_FDCWD, "d", 0));
  EXPECT_EQ(pwrite(b, 32768, 32768), 32768);
  EXPECT_EQ(size_blocks(b), SB(65536, 128));
  EXPECT_EQ(pwrite(b, 1, 65536), -ENOSPC);
  // O_TRUNC and truncate free what they cut.
  ASSERT_OK(t->close(open("b", O_WRONLY | O_TRUNC)));
  EXPECT_EQ(size_blocks(b), SB(0, 0));
  const int f = open("f", O_CREAT | O_RDWR);
  EXPECT_EQ(write(f, 65536), 65536);
  EXPECT_EQ(size_blocks(f), SB(65536, 128));
  ASSERT_OK(t->ftruncate(f, 4096));
  EXPECT_EQ(pwrite(b, 61440, 0), 61440);
  EXPECT_EQ(size_blocks(b), SB(61440, 120));
  EXPECT_EQ(super().used_pages(), 16u);
  EXPECT_EQ(diag::check(*vfs), Problems{});
  ASSERT_OK(t->close(b));
  ASSERT_OK(t->close(f));
}

// Linux drops set-user-ID and set-group-ID and updates the times before it copies: a
// write that then finds no room has done both (measured on a full 16 KiB tmpfs).
TEST_P(Memfs, AWriteWithNoRoomStillDropsSuidAndTouchesTimes) {
  make_sized("size=16k");
  put("fill", std::string(16384, 'x'));
  put("f", "", 0777);
  ASSERT_OK(t->fchownat(AT_FDCWD, "f", 1000, 1000));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "f", 06777));
  const Statx before = st("f");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto user = vfs->new_task(Cred{1000, 1000, {}});
  auto fd = user->openat(AT_FDCWD, "f", O_WRONLY);
  ASSERT_OK(fd);
  EXPECT_ERRNO(user->write(*fd, "x", 1), ENOSPC);
  const Statx after = st("f");
  EXPECT_EQ(after.stx_mode, S_IFREG | 0777);
  EXPECT_GT(ns(after.stx_mtime), ns(before.stx_mtime));
  EXPECT_EQ(after.stx_size, 0u);
  EXPECT_EQ(after.stx_blocks, 0u);
  ASSERT_OK(user->close(*fd));
}

// Space comes back as soon as the last name and the last descriptor are gone: a
// write that failed for want of room then succeeds.
TEST_P(Memfs, SpaceComesBackAtOnce) {
  make_sized("size=40k");
  put("big", std::string(40960, 'x'));
  auto fd = t->openat(AT_FDCWD, "small", O_CREAT | O_WRONLY, 0644);
  ASSERT_OK(fd);
  EXPECT_ERRNO(t->write(*fd, "y", 1), ENOSPC);
  ASSERT_OK(t->linkat(AT_FDCWD, "big", AT_FDCWD, "big2", 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "big", 0));
  EXPECT_ERRNO(t->write(*fd, "y", 1), ENOSPC);  // a second name holds it
  ASSERT_OK(t->unlinkat(AT_FDCWD, "big2", 0));
  auto n = t->write(*fd, "y", 1);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1u);
  ASSERT_OK(t->close(*fd));
  EXPECT_EQ(super().used_pages(), 1u);
  EXPECT_EQ(diag::check(*vfs), Problems{});
}

// Resident memory of the process, in bytes (/proc/self/statm: pages).
uint64_t rss() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

TEST_P(Memfs, GrowingByTruncateCostsNoMemory) {
  make(GetParam());
  put("f");
  const uint64_t before = rss();
  ASSERT_GT(before, 0u);
  ASSERT_OK(t->truncate("f", 4000000000));
  const uint64_t after = rss();
  EXPECT_LT(after, before + (10 << 20)) << "RSS grew from " << before << " to " << after;
  EXPECT_EQ(st("f").stx_size, 4000000000u);
  EXPECT_EQ(st("f").stx_blocks, 0u);
  auto fd = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(fd);
  std::string buf(8, '?');
  ASSERT_OK(t->pread(*fd, buf.data(), buf.size(), 3000000000));
  EXPECT_EQ(buf, std::string(8, '\0'));
  ASSERT_OK(t->close(*fd));
  EXPECT_EQ(super().used_pages(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Filesystems, Memfs,
                         ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return std::string(info.param); });

// ---------------------------------------------------------------- size= ---------

uint64_t pages_of(const char* options) {
  auto o = memfs::parse_options(options);
  EXPECT_OK(o) << options;
  return o.ok() ? o->max_pages : ~uint64_t{0};
}

// What a tmpfs mounted with each option reports as its size (statfs f_blocks, 4 KiB
// blocks; Linux 6.18): memparse's bases and suffixes, rounding up to pages, the last
// size= winning, 0 (or an empty number) for no limit.
TEST(MemfsOptions, SizesAsTmpfsReadsThem) {
  EXPECT_EQ(pages_of("size=64M"), 16384u);
  EXPECT_EQ(pages_of("size=1k"), 1u);
  EXPECT_EQ(pages_of("size=1K"), 1u);
  EXPECT_EQ(pages_of("size=4097"), 2u);
  EXPECT_EQ(pages_of("size=0"), 0u);
  EXPECT_EQ(pages_of("size=k"), 0u);
  EXPECT_EQ(pages_of("size=%"), 0u);
  EXPECT_EQ(pages_of("size=0x100000"), 256u);
  EXPECT_EQ(pages_of("size=0x1g"), 262144u);
  EXPECT_EQ(pages_of("size=010"), 1u);
  EXPECT_EQ(pages_of("size=1g"), 262144u);
  EXPECT_EQ(pages_of("size=1G"), 262144u);
  EXPECT_EQ(pages_of("size=1t"), 268435456u);
  EXPECT_EQ(pages_of("size=1p"), 274877906944u);
  EXPECT_EQ(pages_of("size=1e"), 281474976710656u);
  EXPECT_EQ(pages_of("size=8e"), 2251799813685248u);
  EXPECT_EQ(pages_of("size=1m,size=2m"), 512u);
  EXPECT_EQ(pages_of("size=1m,,"), 256u);
}

TEST(MemfsOptions, BadOptionsAreEinval) {
  // Refused by the kernel's tmpfs too (mount: "bad option"); and tmpfs's other
  // options, which memfs does not have.
  for (const char* bad : {"size=", "size=abc", "size=1x", "size=-1", "size=+1", "size=0x",
                          "size=08", "size=1%x", "size=1 m", "size=1kb", "size",
                          "size=1m,bogus", "mode=0755", "nr_inodes=", "nr_inodes=1%",
                          "nr_inodes=1x", "nr_inodes=-1", "nr_inodes=99999999999999999"})
    for (const char* fs : {"memfs", "legacyfs", "recyclefs"})
      EXPECT_ERRNO(Vfs::create(fs, bad), EINVAL) << fs << ":" << bad;
  // The kernel wraps these around 2^64 (16e is "no limit" there); they are refused.
  EXPECT_ERRNO(memfs::parse_options("size=16e"), EINVAL);
  EXPECT_ERRNO(memfs::parse_options("size=99999999999999999999"), EINVAL);
  for (const char* fs : {"memfs", "legacyfs", "recyclefs"}) EXPECT_OK(Vfs::create(fs, "size=1m"));
}

// The sizes that depend on the machine (the default, percentages of RAM) against a
// tmpfs mounted here with the same option.
TEST(MemfsOptions, RamSizesMatchTheKernelsTmpfs) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  rcuvfs_test::HostDir dir;
  ASSERT_FALSE(dir.path().empty());
  for (const char* opt : {"", "size=50%", "size=100%", "size=150%", "size=1%", "size=1K%"}) {
    if (::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, opt) != 0)
      GTEST_SKIP() << "mount: " << std::strerror(errno);
    struct statfs sfs {};
    const int r = ::statfs(dir.path().c_str(), &sfs);
    ::umount2(dir.path().c_str(), MNT_DETACH);
    ASSERT_EQ(r, 0);
    ASSERT_EQ(sfs.f_bsize, 4096);
    EXPECT_EQ(pages_of(opt), static_cast<uint64_t>(sfs.f_blocks)) << "'" << opt << "'";
  }
  EXPECT_EQ(memfs::MemOptions().max_pages, pages_of(""));
  // The default room for objects: f_files of a tmpfs mounted without options.
  if (::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, "") != 0) GTEST_SKIP() << "mount";
  struct statfs sfs {};
  const int r = ::statfs(dir.path().c_str(), &sfs);
  ::umount2(dir.path().c_str(), MNT_DETACH);
  ASSERT_EQ(r, 0);
  EXPECT_EQ(memfs::MemOptions().max_inodes, static_cast<uint64_t>(sfs.f_files));
  EXPECT_EQ(memfs::parse_options("nr_inodes=1k,size=1m")->max_inodes, 1024u);
  EXPECT_EQ(memfs::parse_options("nr_inodes=0")->max_inodes, 0u);
}

// ---------------------------------------------------------------- nr_inodes= ----
// The room nr_inodes gives objects and extended attributes, step by step on memfs and
// on a tmpfs mounted here with the same options: every answer the same.
struct IspaceOps {
  virtual ~IspaceOps() = default;
  virtual int create(const std::string& p) = 0;
  virtual int link(const std::string& from, const std::string& to) = 0;
  virtual int unlink(const std::string& p) = 0;
  virtual int set(const std::string& p, const std::string& name, size_t len, int flags) = 0;
  virtual int remove(const std::string& p, const std::string& name) = 0;
  virtual int64_t ffree() = 0;
};

std::vector<int64_t> ispace_steps(IspaceOps& ops) {
  std::vector<int64_t> r;
  r.push_back(ops.ffree());
  r.push_back(ops.create("f"));
  r.push_back(ops.set("f", "user.a0", 8000, 0));
  r.push_back(ops.set("f", "user.a0", 6097, 0));  // all the room left: 8 KiB - 2 objects
  r.push_back(ops.ffree());
  r.push_back(ops.set("f", "user.b", 0, 0));
  r.push_back(ops.set("f", "user.a0", 1, XATTR_CREATE));  // the room first: not EEXIST
  r.push_back(ops.set("f", "user.zz", 1, XATTR_REPLACE));  // nor ENODATA
  r.push_back(ops.set("f", "user.a0", 10, 0));  // a smaller value needs its room first
  r.push_back(ops.create("g"));
  r.push_back(ops.remove("f", "user.a0"));
  r.push_back(ops.remove("f", "user.a0"));
  r.push_back(ops.ffree());
  r.push_back(ops.set("f", "trusted.t", 100, 0));
  r.push_back(ops.set("f", "trusted.t", 100, XATTR_CREATE));
  r.push_back(ops.link("f", "h"));
  r.push_back(ops.ffree());
  int made = 0;
  while (made < 20 && ops.create("n" + std::to_string(made)) == 0) ++made;
  r.push_back(made);
  r.push_back(ops.create("one-more"));
  r.push_back(ops.unlink("h"));  // a hard link's room comes back
  r.push_back(ops.ffree());
  r.push_back(ops.unlink("n0"));  // and an object's, with its name
  r.push_back(ops.ffree());
  r.push_back(ops.create("x"));
  return r;
}

struct TaskIspace final : IspaceOps {
  explicit TaskIspace(Task& t) : t(t) {}
  static int e(const Status& s) { return s.ok() ? 0 : s.error(); }
  int create(const std::string& p) override {
    return e(t.mknodat(AT_FDCWD, p, S_IFREG | 0644, 0));
  }
  int link(const std::string& a, const std::string& b) override {
    return e(t.linkat(AT_FDCWD, a, AT_FDCWD, b, 0));
  }
  int unlink(const std::string& p) override { return e(t.unlinkat(AT_FDCWD, p, 0)); }
  int set(const std::string& p, const std::string& n, size_t len, int flags) override {
    return e(t.setxattr(p, n, std::string(len, 'v'), flags));
  }
  int remove(const std::string& p, const std::string& n) override {
    return e(t.removexattr(p, n));
  }
  int64_t ffree() override {
    auto s = t.statfs("/");
    return s.ok() ? static_cast<int64_t>(s->f_ffree) : -s.error();
  }
  Task& t;
};

struct KernelIspace final : IspaceOps {
  explicit KernelIspace(std::string dir) : d(std::move(dir) + "/") {}
  static int e(int rc) { return rc == 0 ? 0 : errno; }
  int create(const std::string& p) override {
    return e(::mknod((d + p).c_str(), S_IFREG | 0644, 0));
  }
  int link(const std::string& a, const std::string& b) override {
    return e(::link((d + a).c_str(), (d + b).c_str()));
  }
  int unlink(const std::string& p) override { return e(::unlink((d + p).c_str())); }
  int set(const std::string& p, const std::string& n, size_t len, int flags) override {
    const std::string v(len, 'v');
    return e(::setxattr((d + p).c_str(), n.c_str(), v.data(), v.size(), flags));
  }
  int remove(const std::string& p, const std::string& n) override {
    return e(::removexattr((d + p).c_str(), n.c_str()));
  }
  int64_t ffree() override {
    struct statfs s {};
    return ::statfs(d.c_str(), &s) == 0 ? static_cast<int64_t>(s.f_ffree) : -errno;
  }
  std::string d;
};

TEST_P(Memfs, NrInodesBoundsObjectsAndAttributesAsOnTmpfs) {
  constexpr const char* kOptions = "nr_inodes=8,size=1M";
  make_sized(kOptions);
  TaskIspace mine(*t);
  const std::vector<int64_t> got = ispace_steps(mine);
  // Without a kernel to ask, the figures tmpfs gave when this was written.
  std::vector<int64_t> want = {7, 0, ENOSPC, 0, 0, ENOSPC, ENOSPC, ENOSPC, ENOSPC, ENOSPC,
                               0, ENODATA, 6, 0, EEXIST, 0, 4, 4, ENOSPC, 0, 1, 0, 2, 0};
  if (geteuid() == 0) {
    rcuvfs_test::HostDir dir;
    ASSERT_FALSE(dir.path().empty());
    if (::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, kOptions) == 0) {
      KernelIspace kernel(dir.path());
      want = ispace_steps(kernel);
      ::umount2(dir.path().c_str(), MNT_DETACH);
    }
  }
  EXPECT_EQ(got, want);
  // Everything removed, the room is whole again (but the root's).
  for (const char* n : {"f", "x", "n1", "n2", "n3"}) (void)t->unlinkat(AT_FDCWD, n, 0);
  EXPECT_EQ(t->statfs("/")->f_ffree, 7u);
  // Without a limit (nr_inodes=0): no room counted, f_files 0 as on tmpfs.
  make_sized("nr_inodes=0");
  EXPECT_EQ(t->statfs("/")->f_files, 0u);
  put("big");
  for (int i = 0; i < 40; ++i)
    ASSERT_OK(t->setxattr("big", "user." + std::to_string(i), std::string(60000, 'x')));
}

}  // namespace
