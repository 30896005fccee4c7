// hostfs: its cache rules (what is answered from the cache, speculatively, and when
// the host is asked again), host-side changes, identity, listing and options. The
// namespace operations themselves run in contract_test (hostfs and hostfs_ttl0) and
// against the kernel in kernel_compare_test.
#include "test_util.h"

#include "core/namei.h"

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/fs/clock.h>
#include <rcuvfs/vfs.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcuvfs::Counter;
using rcuvfs::Counters;
using rcuvfs::Echild;
using rcuvfs::Vfs;
using rcuvfs_test::HostDir;

class Hostfs : public ::testing::Test {
 protected:
  // A namespace whose root is the scratch directory, with `ttl` seconds of trust and
  // without the host watch, unless `watch` (hostfs_watch_test is the watch's own).
  void open_ns(const std::string& ttl, bool watch = false) {
    auto v = Vfs::create("hostfs", "ttl=" + ttl + (watch ? ",watch=1" : ",watch=0") +
                                       ",dir=" + dir.path());
    ASSERT_OK(v);
    vfs = std::move(*v);
    t = vfs->new_task();
  }
  std::string host(const std::string& rel) const { return dir.path() + "/" + rel; }
  void host_write(const std::string& rel, const std::string& data) {
    std::ofstream(host(rel), std::ios::binary) << data;
  }
  rcuvfs::Result<rcuvfs::Statx> st(const std::string& path) {
    return t->statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);
  }
  std::set<std::string> ls(const std::string& path, size_t batch = 1024) {
    std::set<std::string> names;
    auto fd = t->openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY);
    EXPECT_OK(fd);
    if (!fd.ok()) return names;
    std::vector<rcuvfs::DirEntry> out;
    for (;;) {
      auto n = t->getdents(*fd, out, batch);
      EXPECT_OK(n);
      if (!n.ok() || *n == 0) break;
    }
    for (auto& e : out)
      if (e.name != "." && e.name != "..") {
        EXPECT_TRUE(names.insert(e.name).second) << e.name;
      }
    EXPECT_OK(t->close(*fd));
    return names;
  }

  HostDir dir;  // outlives the namespace
  std::unique_ptr<Vfs> vfs;
  std::unique_ptr<rcuvfs::Task> t;
};

TEST_F(Hostfs, BadOptions) {
  EXPECT_ERRNO(Vfs::create("hostfs", ""), EINVAL);
  EXPECT_ERRNO(Vfs::create("hostfs", "ttl=abc,dir=" + dir.path()), EINVAL);
  for (const char* ttl : {"-1", " 1", "+1", "1e3", "0x10", "inf", "nan", "1000001", "", "1.5s"})
    EXPECT_ERRNO(Vfs::create("hostfs", "ttl=" + std::string(ttl) + ",dir=" + dir.path()), EINVAL)
        << ttl;
  EXPECT_OK(Vfs::create("hostfs", "ttl=0.25,dir=" + dir.path()));
  EXPECT_ERRNO(Vfs::create("hostfs", "color=red,dir=" + dir.path()), EINVAL);
  EXPECT_ERRNO(Vfs::create("hostfs", dir.path() + "/missing"), ENOENT);
  host_write("file", "x");
  EXPECT_ERRNO(Vfs::create("hostfs", host("file")), ENOTDIR);
  EXPECT_OK(Vfs::create("hostfs", dir.path()));
}

TEST_F(Hostfs, CachedStatIsSpeculativeUntilTheTtl) {
  open_ns("3600");
  host_write("f", "abc");
  ASSERT_OK(st("f"));  // the first lookup goes to the host
  const Counters before = Vfs::counters();
  for (int i = 0; i < 10; ++i) ASSERT_OK(st("f"));
  const Counters d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 10u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  // A change made on the host is not seen while the cache is trusted...
  ASSERT_EQ(::chmod(host("f").c_str(), 0600), 0);
  EXPECT_EQ(st("f")->stx_mode & 07777, 0644u);
  // ...nor is a new host file behind a cached "no such entry".
  EXPECT_ERRNO(st("g"), ENOENT);
  host_write("g", "");
  EXPECT_ERRNO(st("g"), ENOENT);
}

// An RCU-mode walk reads the clock once: what hostfs's TTL checks see during the walk
// is the walk's first reading, however long the walk takes. Outside a walk the clock
// moves.
int64_t g_clock_first = 0, g_clock_second = 0;
TEST_F(Hostfs, TheClockIsReadOncePerRcuWalk) {
  open_ns("3600");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  host_write("d/f", "abc");
  ASSERT_OK(st("d/f"));  // cached from here on
  rcuvfs::core::set_speculation_hook([](const rcuvfs::core::Path&) {
    g_clock_first = rcuvfs::coarse_clock_ns();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    g_clock_second = rcuvfs::coarse_clock_ns();
  });
  const Counters before = Vfs::counters();
  auto s = st("d/f");
  rcuvfs::core::set_speculation_hook(nullptr);
  ASSERT_OK(s);
  EXPECT_EQ((Vfs::counters() - before).get(Counter::kStatSpeculative), 1u);
  ASSERT_NE(g_clock_first, 0);
  EXPECT_EQ(g_clock_second, g_clock_first);
  const int64_t a = rcuvfs::coarse_clock_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_GE(rcuvfs::coarse_clock_ns() - a, 20'000'000);
  EXPECT_GE(a - g_clock_first, 20'000'000);
}

TEST_F(Hostfs, TtlZeroAsksTheHostEveryTime) {
  open_ns("0");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  host_write("d/f", "abc");
  const Counters before = Vfs::counters();
  auto s = st("d/f");
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_size, 3u);
  ASSERT_EQ(::chmod(host("d/f").c_str(), 0600), 0);
  EXPECT_EQ(st("d/f")->stx_mode & 07777, 0600u);
  ASSERT_EQ(::truncate(host("d/f").c_str(), 10), 0);
  EXPECT_EQ(st("d/f")->stx_size, 10u);
  const Counters d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 3u);
  // Refused by the permission check of a stale directory or by revalidation.
  EXPECT_GE(d.get(Echild::kFsRefused) + d.get(Echild::kRevalidate), 3u);
  // Host unlink, create and rename are seen at once.
  ASSERT_EQ(::unlink(host("d/f").c_str()), 0);
  EXPECT_ERRNO(st("d/f"), ENOENT);
  host_write("d/g", "");
  EXPECT_OK(st("d/g"));
  ASSERT_EQ(::rename(host("d").c_str(), host("e").c_str()), 0);
  EXPECT_ERRNO(st("d/g"), ENOENT);
  EXPECT_OK(st("e/g"));
}

TEST_F(Hostfs, HostChangesAreSeenAfterTheTtl) {
  open_ns("0.05");
  host_write("f", "abc");
  ASSERT_OK(st("f"));
  EXPECT_ERRNO(st("g"), ENOENT);
  ASSERT_EQ(::chmod(host("f").c_str(), 0600), 0);
  host_write("g", "");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(st("f")->stx_mode & 07777, 0600u);
  EXPECT_OK(st("g"));
}

// Deep paths take the walker's tight loop on hostfs: every directory's permission is
// still asked, with the task's credentials, and every entry's age still checked.
TEST_F(Hostfs, DeepPathsKeepEveryCheck) {
  open_ns("3600");
  std::filesystem::create_directories(host("a/b/c"));
  std::filesystem::create_directories(host("x/y"));
  host_write("a/b/c/f", "abc");
  host_write("x/y/g", "");
  ASSERT_EQ(::chmod(host("x").c_str(), 0700), 0);
  ASSERT_OK(st("a/b/c/f"));
  ASSERT_OK(st("x/y/g"));
  Counters before = Vfs::counters();
  for (int i = 0; i < 10; ++i) ASSERT_OK(st("a/b/c/f"));
  Counters d = Vfs::counters() - before;
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 10u);
  EXPECT_EQ(d.get(Counter::kStatFallback), 0u);
  t->set_cred({1000, 1000, {}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_OK(st("a/b/c/f"));
    EXPECT_ERRNO(st("x/y/g"), EACCES);
    EXPECT_ERRNO(st("a/b/missing/f"), ENOENT);
  }
}

TEST_F(Hostfs, DeepPathsSeeHostChangesAfterTheTtl) {
  open_ns("0.05");
  std::filesystem::create_directories(host("a/b/c"));
  host_write("a/b/c/f", "abc");
  t->set_cred({1000, 1000, {}});
  ASSERT_OK(st("a/b/c/f"));
  ASSERT_OK(st("a/b/c/f"));
  ASSERT_EQ(::chmod(host("a/b").c_str(), 0700), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_ERRNO(st("a/b/c/f"), EACCES);  // a/b's attributes were refetched
  ASSERT_EQ(::chmod(host("a/b").c_str(), 0755), 0);
  std::filesystem::rename(host("a/b/c"), host("a/b/c2"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_ERRNO(st("a/b/c/f"), ENOENT);  // the cached a/b/c was confirmed on the host
  EXPECT_OK(st("a/b/c2/f"));
}

TEST_F(Hostfs, ChangesThroughRcuvfsAreNeverStale) {
  open_ns("3600");
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  auto fd = t->openat(AT_FDCWD, "d/f", O_CREAT | O_WRONLY, 0644);
  ASSERT_OK(fd);
  ASSERT_OK(t->write(*fd, "hello", 5));
  EXPECT_EQ(st("d/f")->stx_size, 5u);
  ASSERT_OK(t->fchmodat(AT_FDCWD, "d/f", 0600));
  EXPECT_EQ(st("d/f")->stx_mode & 07777, 0600u);
  ASSERT_OK(t->linkat(AT_FDCWD, "d/f", AT_FDCWD, "d/h", 0));
  EXPECT_EQ(st("d/f")->stx_nlink, 2u);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/sub", 0755));
  EXPECT_EQ(st("d")->stx_nlink, 3u);
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d/h", 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d/f", 0));
  auto fs = t->fstat(*fd);
  ASSERT_OK(fs);
  EXPECT_EQ(fs->stx_nlink, 0u);
  ASSERT_OK(t->close(*fd));
  // And every one of them reached the host before it returned.
  struct stat hs;
  ASSERT_EQ(::stat(host("d").c_str(), &hs), 0);
  EXPECT_EQ(hs.st_nlink, 3u);
  EXPECT_NE(::stat(host("d/f").c_str(), &hs), 0);
}

// The host file grew behind the cached size: an append lands after what the other
// writer wrote, and SEEK_END is the host's end (Linux's NFS client revalidates the
// size for both).
TEST_F(Hostfs, AppendAndSeekEndUseTheHostsSize) {
  host_write("log", "a");
  open_ns("3600");
  auto fd = t->openat(AT_FDCWD, "log", O_WRONLY | O_APPEND);
  ASSERT_OK(fd);
  ASSERT_OK(t->write(*fd, "b", 1));
  EXPECT_EQ(st("log")->stx_size, 2u);  // cached now, trusted for an hour
  std::ofstream(host("log"), std::ios::binary | std::ios::app) << "XYZ";
  ASSERT_OK(t->write(*fd, "c", 1));
  auto end = t->lseek(*fd, 0, SEEK_END);
  ASSERT_OK(end);
  EXPECT_EQ(*end, 6);
  ASSERT_OK(t->close(*fd));
  std::ifstream in(host("log"), std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(data, "abXYZc");
}

TEST_F(Hostfs, BlocksAreTheHosts) {
  open_ns("60");
  host_write("f", std::string(10000, 'x'));
  struct stat hs;
  ASSERT_EQ(::stat(host("f").c_str(), &hs), 0);
  ASSERT_GT(hs.st_blocks, 0);
  auto s = st("f");
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_blocks, static_cast<uint64_t>(hs.st_blocks));
  EXPECT_EQ(s->stx_size, 10000u);
}

TEST_F(Hostfs, HostReplacedDirectoryForgetsTheCachedSubtree) {
  open_ns("0");
  std::filesystem::create_directories(host("a/b"));
  host_write("a/b/f", "x");
  ASSERT_OK(st("a/b/f"));
  ASSERT_EQ(::rename(host("a").c_str(), host("old").c_str()), 0);
  std::filesystem::create_directories(host("a/b"));
  EXPECT_ERRNO(st("a/b/f"), ENOENT);
  EXPECT_OK(st("old/b/f"));
}

TEST_F(Hostfs, HardLinksShareOneInode) {
  open_ns("3600");
  host_write("f", "x");
  ASSERT_EQ(::link(host("f").c_str(), host("g").c_str()), 0);
  auto a = st("f"), b = st("g");
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->stx_ino, b->stx_ino);
  EXPECT_EQ(a->stx_nlink, 2u);
  // A change through one name is seen through the other at once.
  ASSERT_OK(t->fchmodat(AT_FDCWD, "f", 0600));
  EXPECT_EQ(st("g")->stx_mode & 07777, 0600u);
}

TEST_F(Hostfs, ListsWhatIsOnTheHost) {
  open_ns("3600");
  std::filesystem::create_directories(host("big"));
  std::set<std::string> want;
  for (int i = 0; i < 1000; ++i) {
    want.insert("f" + std::to_string(i));
    host_write("big/f" + std::to_string(i), "");
  }
  EXPECT_EQ(ls("big"), want);
  EXPECT_EQ(ls("big", 7), want);  // many small batches resume where they stopped
  ASSERT_OK(t->unlinkat(AT_FDCWD, "big/f7", 0));
  want.erase("f7");
  EXPECT_EQ(ls("big", 100), want);
}

TEST_F(Hostfs, CreatingOpenOfAStaleAbsentNameOpensTheHostFile) {
  open_ns("3600");
  EXPECT_ERRNO(st("g"), ENOENT);  // cached as absent for an hour
  host_write("g", "from the host");
  // O_EXCL: the name exists, whatever the cache thought.
  EXPECT_ERRNO(t->openat(AT_FDCWD, "g", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  EXPECT_ERRNO(st("g"), ENOENT);  // still cached as absent: O_EXCL left it alone
  // Without O_EXCL open opens what is there, as Linux does, and does not truncate it.
  auto fd = t->openat(AT_FDCWD, "g", O_CREAT | O_RDWR, 0600);
  ASSERT_OK(fd);
  char buf[32] = {};
  auto n = t->read(*fd, buf, sizeof buf);
  ASSERT_OK(n);
  EXPECT_EQ(std::string(buf, *n), "from the host");
  ASSERT_OK(t->close(*fd));
  auto s = st("g");
  ASSERT_OK(s);  // the cache now knows it
  EXPECT_EQ(s->stx_size, 13u);
  EXPECT_EQ(s->stx_mode & 07777, 0644u);  // the host file's mode, not the open's
}

TEST_F(Hostfs, MountsInsideAMemfsNamespace) {
  auto v = Vfs::create();
  ASSERT_OK(v);
  auto task = (*v)->new_task();
  host_write("f", "from the host");
  ASSERT_OK(task->mkdirat(AT_FDCWD, "/mnt", 0755));
  ASSERT_OK(task->mount("hostfs", "/mnt", dir.path()));
  auto s = task->statx(AT_FDCWD, "/mnt/f", 0);
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_size, 13u);
  ASSERT_OK(task->mkdirat(AT_FDCWD, "/mnt/made", 0700));
  EXPECT_TRUE(std::filesystem::is_directory(host("made")));
  ASSERT_OK(task->umount("/mnt"));
  EXPECT_ERRNO(task->statx(AT_FDCWD, "/mnt/f", 0), ENOENT);
}

TEST_F(Hostfs, ObjectsAreMadeAsTheTask) {
  open_ns("3600");
  ASSERT_OK(t->fchmodat(AT_FDCWD, "/", 0777));
  t->set_cred({1000, 1001, {}});
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0750));
  ASSERT_OK(t->symlinkat("d", AT_FDCWD, "l"));
  struct stat hs;
  ASSERT_EQ(::stat(host("d").c_str(), &hs), 0);
  EXPECT_EQ(hs.st_uid, 1000u);
  EXPECT_EQ(hs.st_gid, 1001u);
  EXPECT_EQ(hs.st_mode & 07777, 0750u);  // the task's umask (022), not the process's
  ASSERT_EQ(::lstat(host("l").c_str(), &hs), 0);
  EXPECT_EQ(hs.st_uid, 1000u);
  // The task may not create where it has no write permission.
  t->set_cred({2000, 2000, {}});
  EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "d/x", 0755), EACCES);
}

// A host writer keeps changing a file's size and then its mode to the same version
// number. The kernel's own statx reads the mode before the size without a lock, so
// a host answer may show the size a few versions ahead of the mode (if the reader is
// preempted in between), never behind. rcuvfs must pass on one host answer whole: a
// mode from a newer answer with a size from an older one would put the size behind.
TEST_F(Hostfs, StatsRacingHostChangesAreNeverMixed) {
  for (const char* ttl : {"0", "0.001", "3600"}) {
    // With an hour, only the watch brings the host's changes.
    const bool watch = ttl[0] == '3';
    SCOPED_TRACE(std::string("ttl=") + ttl);
    open_ns(ttl, watch);
    host_write("f", "");  // version 0: size 0, mode 0
    ASSERT_EQ(::chmod(host("f").c_str(), 0), 0);
    ASSERT_OK(st("f"));
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      int fd = ::open(host("f").c_str(), O_WRONLY);
      for (unsigned v = 1; !stop.load(); ++v) {
        unsigned k = v % 512;
        if (::ftruncate(fd, k) != 0 || ::fchmod(fd, k) != 0) break;
      }
      ::close(fd);
    });
    std::vector<std::thread> readers;
    std::atomic<uint64_t> bad{0}, ok{0};
    for (int r = 0; r < 2; ++r)
      readers.emplace_back([&] {
        auto task = vfs->new_task();
        for (int i = 0; i < 20000; ++i) {
          auto s = task->statx(AT_FDCWD, "f", 0);
          if (!s.ok()) {
            if (bad++ == 0) ADD_FAILURE() << rcuvfs_test::errname(s.error());
            continue;
          }
          unsigned size_v = static_cast<unsigned>(s->stx_size), mode_v = s->stx_mode & 0777;
          const unsigned ahead = (size_v + 512 - mode_v) % 512;
          if (ahead >= 256 && bad++ == 0)
            ADD_FAILURE() << "size " << size_v << " with mode " << mode_v;
          ok++;
        }
      });
    for (auto& r : readers) r.join();
    stop = true;
    writer.join();
    EXPECT_EQ(bad.load(), 0u);
    EXPECT_EQ(ok.load(), 40000u);
    t.reset();
    vfs.reset();
  }
}

}  // namespace

namespace {

// Findings of a review of hostfs, each a regression test.

TEST_F(Hostfs, ReadingDoesNotMakeTheHostFileBusy) {
  open_ns("3600");
  std::filesystem::copy_file("/bin/true", host("t"));
  std::filesystem::permissions(host("t"), std::filesystem::perms(0755));
  auto fd = t->openat(AT_FDCWD, "t", O_RDONLY);
  ASSERT_OK(fd);
  char buf[16];
  ASSERT_OK(t->read(*fd, buf, sizeof buf));
  // A host descriptor open for writing would make exec fail with ETXTBSY.
  pid_t pid = fork();
  if (pid == 0) {
    execl(host("t").c_str(), "t", static_cast<char*>(nullptr));
    _exit(errno == ETXTBSY ? 3 : 4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_OK(t->close(*fd));
}

TEST_F(Hostfs, ChownDoesNotWriteBackACachedMode) {
  open_ns("3600");
  host_write("f", "x");
  ASSERT_OK(st("f"));  // caches mode 0644
  ASSERT_EQ(::chmod(host("f").c_str(), 0600), 0);
  ASSERT_OK(t->fchownat(AT_FDCWD, "f", 1, 1));
  struct stat hs;
  ASSERT_EQ(::stat(host("f").c_str(), &hs), 0);
  EXPECT_EQ(hs.st_mode & 07777, 0600u);
  EXPECT_EQ(hs.st_uid, 1u);
}

// Count this process's descriptors of deleted host directories.
int deleted_dir_fds() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    std::string target = std::filesystem::read_symlink(e.path(), ec).string();
    if (!ec && target.find("rcuvfs-hostfs-") != std::string::npos &&
        target.ends_with(" (deleted)"))
      ++n;
  }
  return n;
}

TEST_F(Hostfs, RemovedDirectoriesReleaseTheirHostDescriptors) {
  open_ns("3600");
  for (int i = 0; i < 20; ++i) {
    const std::string d = "d" + std::to_string(i);
    ASSERT_OK(t->mkdirat(AT_FDCWD, d, 0755));
    EXPECT_ERRNO(st(d + "/nope"), ENOENT);  // a negative entry below it
    ASSERT_OK(t->unlinkat(AT_FDCWD, d, AT_REMOVEDIR));
  }
  ASSERT_OK(t->mkdirat(AT_FDCWD, "x", 0755));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "y", 0755));
  EXPECT_ERRNO(st("y/nope"), ENOENT);
  ASSERT_OK(t->renameat2(AT_FDCWD, "x", AT_FDCWD, "y", 0));  // replaces y
  rcuvfs::diag::quiesce();
  EXPECT_EQ(deleted_dir_fds(), 0);
}

TEST_F(Hostfs, DoesNotCrossIntoAnotherHostFilesystem) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a host tmpfs needs root";
  std::filesystem::create_directories(host("m"));
  if (::mount("tmpfs", host("m").c_str(), "tmpfs", 0, "mode=0755") != 0)
    GTEST_SKIP() << "mount: " << std::strerror(errno);
  host_write("f", "");
  host_write("m/f", "");
  open_ns("3600");
  EXPECT_OK(st("f"));
  // Its inode numbers would collide with this filesystem's under one device.
  EXPECT_ERRNO(st("m/f"), EXDEV);
  t.reset();
  vfs.reset();
  ::umount2(host("m").c_str(), MNT_DETACH);
}

}  // namespace
