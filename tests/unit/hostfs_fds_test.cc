// hostfs within a fixed descriptor budget: a tree far larger than the process's
// descriptor limit, the descriptor cache and its counters, reopening by handle or by
// name, objects gone on the host (ESTALE and the walk's retry), and EMFILE.
#include "test_util.h"

#include "core/internals.h"
#include "core/namei.h"
#include "fs/hostfs/hostfs.h"

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcuvfs::Vfs;
using rcuvfs::hostfs::HostSuper;
using rcuvfs::hostfs::Reopen;
using rcuvfs_test::errname;
using rcuvfs_test::HostDir;

// Descriptors this process has open now.
int open_fds() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n - 1;  // the directory stream's own
}

// Lower the soft RLIMIT_NOFILE to `n`; with `hard`, the hard one too (as `ulimit -n`),
// so that nothing can raise the soft one past it again (ctest runs every case in a
// process of its own). The fixture puts the soft one back.
void limit_fds(rlim_t n, bool hard = false) {
  rlimit rl;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  ASSERT_LE(n, rl.rlim_max);
  rl.rlim_cur = n;
  if (hard) rl.rlim_max = n;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &rl), 0) << std::strerror(errno);
}

void host_create(const std::string& path) {
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  ::close(fd);
}

void host_write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Opens /dev/null until the process's descriptor table is full.
std::vector<int> fill_fd_table() {
  std::vector<int> fds;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fds.push_back(fd);
  EXPECT_EQ(errno, EMFILE);
  return fds;
}
void close_all(std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
  fds.clear();
}

// Runs `fn` on a thread without CAP_DAC_READ_SEARCH (capabilities are per thread):
// open_by_handle_at refuses it, so hostfs instances made there reopen by name.
template <class Fn>
void without_handles(Fn&& fn) {
  std::thread th([&] {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    ASSERT_EQ(::syscall(SYS_capget, &h, d), 0);
    d[0].effective &= ~(1u << CAP_DAC_READ_SEARCH);
    d[0].permitted &= ~(1u << CAP_DAC_READ_SEARCH);
    ASSERT_EQ(::syscall(SYS_capset, &h, d), 0) << std::strerror(errno);
    fn();
  });
  th.join();
}

class HostfsFds : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limits_), 0); }
  void TearDown() override {
    close_ns();
    rlimit rl;
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = std::min(limits_.rlim_cur, rl.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  void open_ns(const std::string& opts, const std::string& root = "") {
    const std::string where = root.empty() ? dir.path() : root;
    // Without the host watch, whose own descriptors and fetches these counts leave out
    // (hostfs_watch_test is the watch's).
    auto v = Vfs::create("hostfs", "watch=0," + opts + (opts.empty() ? "" : ",") + "dir=" + where);
    ASSERT_OK(v);
    vfs = std::move(*v);
    t = vfs->new_task();
  }
  void close_ns() {
    t.reset();
    vfs.reset();
  }
  // The namespace's hostfs instance.
  HostSuper& super() {
    auto p = rcuvfs::core::lookup_path(rcuvfs::core::state_of(*t), AT_FDCWD, "/", 0);
    EXPECT_OK(p);
    auto* sb = p->dentry->inode.load()->sb;
    rcuvfs::core::path_put(*p);
    return *static_cast<HostSuper*>(sb);
  }
  std::string host(const std::string& rel) const { return dir.path() + "/" + rel; }
  rcuvfs::Result<rcuvfs::Statx> st(const std::string& path) {
    return t->statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);
  }
  // What rcuvfs finds at `path` is the object the host has there now.
  void expect_host_object(const std::string& path) {
    struct stat hs;
    ASSERT_EQ(::lstat(host(path).c_str(), &hs), 0);
    auto s = st(path);
    ASSERT_OK(s);
    EXPECT_EQ(s->stx_ino, hs.st_ino);
  }
  // The whole content of `path` through rcuvfs, or its error.
  rcuvfs::Result<std::string> slurp(const std::string& path) {
    auto fd = t->openat(AT_FDCWD, path, O_RDONLY);
    if (!fd.ok()) return rcuvfs::Err{fd.error()};
    auto r = read_all(*fd);
    (void)t->close(*fd);
    return r;
  }
  rcuvfs::Result<std::string> read_all(int fd) {
    std::string out;
    char buf[4096];
    for (off_t off = 0;;) {
      auto n = t->pread(fd, buf, sizeof buf, off);
      if (!n.ok()) return rcuvfs::Err{n.error()};
      if (*n == 0) return out;
      out.append(buf, *n);
      off += static_cast<off_t>(*n);
    }
  }
  // Every name of directory `path`, by getdents in batches of `batch`.
  rcuvfs::Result<size_t> count_entries(const std::string& path, size_t batch = 4096) {
    auto fd = t->openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY);
    if (!fd.ok()) return rcuvfs::Err{fd.error()};
    size_t total = 0;
    for (;;) {
      std::vector<rcuvfs::DirEntry> out;
      auto n = t->getdents(*fd, out, batch);
      if (!n.ok()) {
        (void)t->close(*fd);
        return rcuvfs::Err{n.error()};
      }
      if (*n == 0) break;
      for (auto& e : out) total += e.name != "." && e.name != "..";
    }
    (void)t->close(*fd);
    return total;
  }
  // Write `data` to a new file `path` through rcuvfs and read it back.
  void write_read(const std::string& path, const std::string& data) {
    auto fd = t->openat(AT_FDCWD, path, O_CREAT | O_RDWR, 0644);
    ASSERT_OK(fd) << path;
    auto w = t->pwrite(*fd, data.data(), data.size(), 0);
    ASSERT_OK(w) << path;
    std::string back(data.size(), '\0');
    auto r = t->pread(*fd, back.data(), back.size(), 0);
    ASSERT_OK(r) << path;
    EXPECT_EQ(back, data) << path;
    ASSERT_OK(t->close(*fd));
  }

  rlimit limits_{};
  HostDir dir;  // outlives the namespace
  std::unique_ptr<Vfs> vfs;
  std::unique_ptr<rcuvfs::Task> t;
};

// 200,000 host files under `ulimit -n 1024`: every one is statted (and stays cached),
// then the directory is listed and files and directories are made, written and read.
// The process never holds more than the default budget (min(256, soft limit / 4))
// beyond what it held before, give or take the few an operation pins while it runs.
TEST_F(HostfsFds, AHugeTreeWithinTheDescriptorBudget) {
  constexpr int kFiles = 200'000;
  constexpr int kBudget = 256;  // min(256, 1024 / 4)
  constexpr int kPinned = 4;    // at most what one operation holds at once
  ASSERT_NO_FATAL_FAILURE(limit_fds(1024, true));
  ASSERT_EQ(::mkdir(host("big").c_str(), 0755), 0);
  for (int i = 0; i < kFiles; ++i)
    ASSERT_NO_FATAL_FAILURE(host_create(host("big/f" + std::to_string(i))));
  const int before = open_fds();
  open_ns("ttl=3600");
  // The namespace's root descriptor stays open (it reaches every other object).
  const int limit = before + 1 + kBudget + kPinned;
  int failed = 0, first_error = 0, most = 0;
  for (int i = 0; i < kFiles; ++i) {
    auto s = t->statx(AT_FDCWD, "big/f" + std::to_string(i), AT_SYMLINK_NOFOLLOW);
    if (!s.ok() && failed++ == 0) first_error = s.error();
    if (i % 1000 == 0) most = std::max(most, open_fds());
  }
  EXPECT_EQ(failed, 0) << "first error " << errname(first_error);
  EXPECT_LE(most, limit);
  auto n = count_entries("big");
  ASSERT_OK(n);
  EXPECT_EQ(*n, static_cast<size_t>(kFiles));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "big/sub", 0755));
  for (int i = 0; i < 300; ++i)
    ASSERT_NO_FATAL_FAILURE(
        write_read("big/sub/w" + std::to_string(i), "data " + std::to_string(i)));
  // The files statted first (long evicted from the cache) are still served.
  for (int i = 0; i < 300; ++i) {
    auto fd = t->openat(AT_FDCWD, "big/f" + std::to_string(i), O_WRONLY);
    ASSERT_OK(fd);
    ASSERT_OK(t->write(*fd, "x", 1));
    ASSERT_OK(t->close(*fd));
    EXPECT_EQ(t->statx(AT_FDCWD, "big/f" + std::to_string(i), 0)->stx_size, 1u);
  }
  most = std::max(most, open_fds());
  EXPECT_LE(most, limit);
  auto sub = count_entries("big/sub", 7);
  ASSERT_OK(sub);
  EXPECT_EQ(*sub, 300u);
}

}  // namespace

namespace {

TEST(HostfsIdentity, TheRulesThatTellObjectsApart) {
  using rcuvfs::hostfs::HostId;
  using rcuvfs::hostfs::same_object;
  // A regular file's identity: device, inode number, birth time, handle.
  auto id = [](uint64_t dev, uint64_t ino, int64_t btime, const char* handle) {
    return HostId{dev, ino, S_IFREG, btime, handle};
  };
  const HostId a = id(1, 12, 1000, "h1");
  EXPECT_TRUE(same_object(a, a));
  EXPECT_FALSE(same_object(a, id(2, 12, 1000, "h1")));  // another device
  EXPECT_FALSE(same_object(a, id(1, 13, 1000, "h1")));  // another inode number
  // The number was reused: the handle (its generation) or the birth time differ.
  EXPECT_FALSE(same_object(a, id(1, 12, 1000, "h2")));
  EXPECT_FALSE(same_object(a, id(1, 12, 2000, "h1")));
  // Without handles (a host filesystem that has none), the birth time tells.
  EXPECT_FALSE(same_object(id(1, 12, 1000, ""), id(1, 12, 2000, "")));
  EXPECT_TRUE(same_object(id(1, 12, 1000, ""), id(1, 12, 1000, "")));
  EXPECT_TRUE(same_object(a, id(1, 12, 1000, "")));
  // With neither, device, inode number and type are all there is: a number reused by
  // a directory is told apart.
  EXPECT_TRUE(same_object(id(1, 12, -1, ""), id(1, 12, -1, "")));
  EXPECT_FALSE(same_object(id(1, 12, -1, ""), HostId{1, 12, S_IFDIR, -1, ""}));
}

TEST_F(HostfsFds, TheBudgetOption) {
  for (const char* bad : {"fds=0", "fds=", "fds=-1", "fds=12x", "fds=99999999999"})
    EXPECT_ERRNO(Vfs::create("hostfs", std::string(bad) + ",dir=" + dir.path()), EINVAL) << bad;
  open_ns("fds=16");
  EXPECT_EQ(super().fds().budget(), 16u);
  close_ns();
  // The default: min(256, soft RLIMIT_NOFILE / 4).
  ASSERT_NO_FATAL_FAILURE(limit_fds(100));
  open_ns("");
  EXPECT_EQ(super().fds().budget(), 25u);
}

TEST_F(HostfsFds, CachedDescriptorsStayWithinTheBudget) {
  constexpr int kBudget = 10, kPinned = 4;
  for (int i = 0; i < 100; ++i)
    host_write(host("f" + std::to_string(i)), "file " + std::to_string(i));
  open_ns("ttl=3600,fds=" + std::to_string(kBudget));
  const int before = open_fds();
  int most = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string f = "f" + std::to_string(i);
    ASSERT_OK(st(f));
    auto data = slurp(f);
    ASSERT_OK(data);
    EXPECT_EQ(*data, "file " + std::to_string(i));
    ASSERT_OK(t->truncate(f, 2));
    most = std::max(most, open_fds());
  }
  const auto s = super().fd_stats();
  EXPECT_LE(s.open, static_cast<uint64_t>(kBudget));
  EXPECT_LE(s.peak, static_cast<uint64_t>(kBudget + kPinned));
  EXPECT_LE(most, before + kBudget + kPinned);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_GE(s.opens, 300u);  // each file's O_PATH, read and write descriptors
  EXPECT_EQ(s.emfile_retries, 0u);
  EXPECT_EQ(super().fds().shrink(), s.open);
  EXPECT_EQ(super().fd_stats().open, 0u);
  EXPECT_EQ(open_fds(), before);
}

// Threads share a budget of 3 descriptors over 64 files and directories: eviction
// never closes a descriptor another thread is using (a closed one reused for another
// file would read that file's bytes, or fail with EBADF), and the cache exceeds the
// budget only by what the running operations pin.
TEST_F(HostfsFds, ConcurrentOperationsKeepTheirDescriptors) {
  constexpr int kFiles = 64, kThreads = 4, kBudget = 3;
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_EQ(::mkdir(host("d" + std::to_string(i)).c_str(), 0755), 0);
    host_write(host("d" + std::to_string(i) + "/f"), "file " + std::to_string(i));
  }
  open_ns("ttl=0,fds=" + std::to_string(kBudget));
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k)
    threads.emplace_back([&, k] {
      auto task = vfs->new_task();
      for (int n = 0; n < 1000; ++n) {
        const int i = (n * 7 + k * 13) % kFiles;
        const std::string dir = "d" + std::to_string(i), want = "file " + std::to_string(i);
        auto fd = task->openat(AT_FDCWD, dir + "/f", n % 3 == 0 ? O_RDWR : O_RDONLY);
        if (!fd.ok()) {
          if (bad++ == 0) ADD_FAILURE() << dir << "/f: open " << errname(fd.error());
          continue;
        }
        if (n % 3 == 0) (void)task->pwrite(*fd, want.data(), want.size(), 0);
        char buf[32];
        auto r = task->pread(*fd, buf, sizeof buf, 0);
        if (!r.ok() || std::string(buf, *r) != want) {
          if (bad++ == 0)
            ADD_FAILURE() << dir << "/f: " << (r.ok() ? std::string(buf, *r) : errname(r.error()));
        }
        (void)task->close(*fd);
        std::vector<rcuvfs::DirEntry> out;
        rcuvfs::Result<size_t> listed = rcuvfs::Err{EBADF};
        if (auto dfd = task->openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY); dfd.ok()) {
          listed = task->getdents(*dfd, out, 16);
          (void)task->close(*dfd);
        }
        if (!listed.ok() || *listed != 3) {  // ".", ".." and f
          if (bad++ == 0) ADD_FAILURE() << dir << ": getdents " << errname(listed.error());
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  const auto s = super().fd_stats();
  EXPECT_LE(s.open, static_cast<uint64_t>(kBudget));
  EXPECT_LE(s.peak, static_cast<uint64_t>(kBudget + 3 * kThreads));
  EXPECT_GT(s.evictions, 0u);
}

// The host would free a file with its last name: hostfs keeps a descriptor of a file
// removed through rcuvfs while rcuvfs still holds it, out of the cache's reach.
TEST_F(HostfsFds, AFileRemovedWhileOpenStaysReadable) {
  open_ns("ttl=3600,fds=4");
  auto fd = t->openat(AT_FDCWD, "f", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  ASSERT_OK(t->write(*fd, "still here", 10));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "f", 0));
  EXPECT_EQ(super().fd_stats().kept, 1u);
  for (int i = 0; i < 20; ++i) ASSERT_OK(t->mkdirat(AT_FDCWD, "d" + std::to_string(i), 0755));
  super().fds().shrink();
  auto data = read_all(*fd);
  ASSERT_OK(data);
  EXPECT_EQ(*data, "still here");
  auto s = t->fstat(*fd);
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_nlink, 0u);
  ASSERT_OK(t->close(*fd));
  EXPECT_EQ(super().fd_stats().kept, 0u);
}

// Kept descriptors are outside the budget: more of them than the budget leaves the
// cache its whole room for the rest (a file read again and again keeps its descriptor).
TEST_F(HostfsFds, KeptDescriptorsLeaveTheBudgetToTheOthers) {
  host_write(host("g"), "g data");
  open_ns("ttl=3600,fds=4");
  std::vector<int> held;
  for (int i = 0; i < 6; ++i) {
    const std::string name = "k" + std::to_string(i);
    auto fd = t->openat(AT_FDCWD, name, O_CREAT | O_RDWR, 0644);
    ASSERT_OK(fd);
    ASSERT_OK(t->unlinkat(AT_FDCWD, name, 0));
    held.push_back(*fd);
  }
  EXPECT_EQ(super().fd_stats().kept, 6u);
  ASSERT_EQ(*slurp("g"), "g data");
  const uint64_t evictions = super().fd_stats().evictions;
  for (int i = 0; i < 10; ++i) ASSERT_EQ(*slurp("g"), "g data");
  EXPECT_EQ(super().fd_stats().evictions, evictions);
  EXPECT_LE(super().fd_stats().open, 6u + 4u);
  for (int fd : held) ASSERT_OK(t->close(fd));
  EXPECT_EQ(super().fd_stats().kept, 0u);
}

// EMFILE from the host: hostfs gives up the descriptors it caches and tries again, so
// operations succeed while it has some to give; when it has none the error reaches the
// caller, and nothing of it stays once descriptors are free again.
TEST_F(HostfsFds, EmfileGivesUpCachedDescriptors) {
  ASSERT_NO_FATAL_FAILURE(limit_fds(1024));
  ASSERT_EQ(::mkdir(host("d").c_str(), 0755), 0);
  for (int i = 0; i < 400; ++i)
    host_write(host("d/f" + std::to_string(i)), "f" + std::to_string(i));
  open_ns("ttl=3600");
  // Fewer than the budget (256): the cache has no reason of its own to give any up.
  for (int i = 0; i < 200; ++i) ASSERT_OK(st("d/f" + std::to_string(i)));
  ASSERT_EQ(super().fd_stats().open, 201u);  // and d's
  std::vector<int> filler = fill_fd_table();
  // Each needs a new host descriptor: a lookup, a creation, I/O, a listing, a mkdir.
  for (int i = 200; i < 350; ++i) EXPECT_OK(st("d/f" + std::to_string(i)));
  ASSERT_NO_FATAL_FAILURE(write_read("d/new", "made while the table was full"));
  auto data = slurp("d/f7");
  ASSERT_OK(data);
  EXPECT_EQ(*data, "f7");
  auto n = count_entries("d");
  ASSERT_OK(n);
  EXPECT_EQ(*n, 401u);
  EXPECT_OK(t->mkdirat(AT_FDCWD, "d/sub", 0755));
  EXPECT_GE(super().fd_stats().emfile_retries, 1u);
  // Nothing left to give up: the host's EMFILE is the answer.
  std::vector<int> more = fill_fd_table();
  super().fds().shrink();
  std::vector<int> rest = fill_fd_table();
  EXPECT_EQ(super().fd_stats().open, 0u);
  EXPECT_ERRNO(st("d/f390"), EMFILE);
  EXPECT_ERRNO(count_entries("d"), EMFILE);
  // Two descriptors free (the directory's and the file's): it works again.
  for (int i = 0; i < 2; ++i) {
    ::close(rest.back());
    rest.pop_back();
  }
  EXPECT_OK(st("d/f390"));
  close_all(filler);
  close_all(more);
  close_all(rest);
  for (int i = 350; i < 400; ++i) EXPECT_OK(st("d/f" + std::to_string(i)));
  n = count_entries("d");
  ASSERT_OK(n);
  EXPECT_EQ(*n, 402u);
  ASSERT_NO_FATAL_FAILURE(write_read("d/after", "and after"));
}

// A cached object removed or replaced on the host, of which hostfs holds no
// descriptor: a call that reaches the host finds it gone (ESTALE, which a
// descriptor-based call returns as Linux's NFS client does), and a path-based call then
// answers as NFS does after its ESTALE retry: ENOENT for a removed name, the new object
// for a replaced one. Until a call reaches the host, a stat within the TTL is answered
// from the cache (as NFS's within its attribute cache time).
TEST_F(HostfsFds, ObjectsGoneOnTheHostAnswerAsNfsDoes) {
  open_ns("ttl=3600");
  for (const char* f : {"f", "g", "h", "k"}) host_write(host(f), std::string("old ") + f);
  ASSERT_EQ(::mkdir(host("d").c_str(), 0755), 0);
  for (const char* f : {"f", "g", "h", "k", "d"}) ASSERT_OK(st(f));
  EXPECT_ERRNO(st("d/x"), ENOENT);
  auto ff = t->openat(AT_FDCWD, "f", O_RDONLY);
  auto fg = t->openat(AT_FDCWD, "g", O_RDONLY);
  ASSERT_OK(ff);
  ASSERT_OK(fg);
  super().fds().shrink();  // no host descriptor keeps the old objects alive
  ASSERT_EQ(::unlink(host("f").c_str()), 0);
  for (const char* f : {"g", "h"}) {
    ASSERT_EQ(::unlink(host(f).c_str()), 0);
    host_write(host(f), std::string("new ") + f + "!");
  }
  ASSERT_EQ(::unlink(host("k").c_str()), 0);
  ASSERT_EQ(::rmdir(host("d").c_str()), 0);
  ASSERT_EQ(::mkdir(host("d").c_str(), 0700), 0);
  EXPECT_EQ(st("f")->stx_size, 5u);  // the cache, trusted for an hour

  char buf[16];
  EXPECT_ERRNO(t->pread(*ff, buf, sizeof buf, 0), ESTALE);
  EXPECT_ERRNO(t->fstat(*ff), ESTALE);
  EXPECT_ERRNO(st("f"), ENOENT);
  EXPECT_ERRNO(t->pread(*fg, buf, sizeof buf, 0), ESTALE);
  ASSERT_NO_FATAL_FAILURE(expect_host_object("g"));
  EXPECT_EQ(st("g")->stx_size, 6u);
  EXPECT_EQ(*slurp("g"), "new g!");
  // Path-based calls that meet the gone object first: run again, as Linux's.
  ASSERT_OK(t->fchmodat(AT_FDCWD, "h", 0600));
  struct stat hs;
  ASSERT_EQ(::stat(host("h").c_str(), &hs), 0);
  EXPECT_EQ(hs.st_mode & 07777, 0600u);
  EXPECT_ERRNO(t->fchmodat(AT_FDCWD, "k", 0600), ENOENT);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/sub", 0755));
  EXPECT_TRUE(std::filesystem::is_directory(host("d/sub")));
  EXPECT_EQ(st("d")->stx_mode & 07777, 0700u);
  ASSERT_OK(t->close(*ff));
  ASSERT_OK(t->close(*fg));
}

// With ttl=0 every stat asks the host, and a replaced name is the new object at once.
TEST_F(HostfsFds, WithTtlZeroAReplacedFileIsTheNewOne) {
  open_ns("ttl=0");
  host_write(host("f"), "old");
  auto fd = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(fd);
  super().fds().shrink();
  ASSERT_EQ(::unlink(host("f").c_str()), 0);
  host_write(host("f"), "new!!");
  auto s = st("f");
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_size, 5u);
  EXPECT_EQ(s->stx_nlink, 1u);
  char buf[8];
  EXPECT_ERRNO(t->pread(*fd, buf, sizeof buf, 0), ESTALE);
  ASSERT_OK(t->close(*fd));
  ASSERT_EQ(::unlink(host("f").c_str()), 0);
  EXPECT_ERRNO(st("f"), ENOENT);
}

// Without CAP_DAC_READ_SEARCH open_by_handle_at is refused: objects are reopened by the
// name they were last seen under, one component from their directory's descriptor,
// and must still be the same object.
TEST_F(HostfsFds, WithoutHandlesObjectsAreReopenedByName) {
  std::filesystem::create_directories(host("a/b/c"));
  for (int i = 0; i < 30; ++i)
    host_write(host("a/b/c/f" + std::to_string(i)), "c" + std::to_string(i));
  host_write(host("a/b/r"), "old");
  host_write(host("a/b/m"), "m data");
  without_handles([&] {
    open_ns("ttl=3600,fds=8");
    EXPECT_EQ(super().reopen(), Reopen::kNameHandle);
    for (int i = 0; i < 30; ++i) {
      auto data = slurp("a/b/c/f" + std::to_string(i));
      ASSERT_OK(data);
      EXPECT_EQ(*data, "c" + std::to_string(i));
    }
    auto n = count_entries("a/b/c");
    ASSERT_OK(n);
    EXPECT_EQ(*n, 30u);
    for (int i = 0; i < 20; ++i)
      ASSERT_NO_FATAL_FAILURE(write_read("a/b/c/w" + std::to_string(i), "w" + std::to_string(i)));
    ASSERT_OK(t->mkdirat(AT_FDCWD, "a/b/c/d", 0755));
    super().fds().shrink();  // every directory is reopened by name from the root down
    ASSERT_OK(t->mkdirat(AT_FDCWD, "a/b/c/d/e", 0755));
    EXPECT_TRUE(std::filesystem::is_directory(host("a/b/c/d/e")));
    // Renamed through rcuvfs: reopened under the new name.
    ASSERT_OK(t->renameat2(AT_FDCWD, "a/b/c", AT_FDCWD, "a/c2", 0));
    super().fds().shrink();
    EXPECT_EQ(*slurp("a/c2/f3"), "c3");
    ASSERT_OK(t->mkdirat(AT_FDCWD, "a/c2/d/e/f", 0755));
    ASSERT_OK(t->linkat(AT_FDCWD, "a/c2/f1", AT_FDCWD, "a/l", 0));
    EXPECT_EQ(*slurp("a/l"), "c1");

    // Replaced on the host: the new file under the old name is not the old object.
    auto fr = t->openat(AT_FDCWD, "a/b/r", O_RDONLY);
    ASSERT_OK(fr);
    super().fds().shrink();
    ASSERT_EQ(::unlink(host("a/b/r").c_str()), 0);
    host_write(host("a/b/r"), "new!");
    char buf[8];
    EXPECT_ERRNO(t->pread(*fr, buf, sizeof buf, 0), ESTALE);
    ASSERT_NO_FATAL_FAILURE(expect_host_object("a/b/r"));
    EXPECT_EQ(*slurp("a/b/r"), "new!");
    ASSERT_OK(t->close(*fr));

    // Renamed on the host: not found under its old name; found again under the new
    // one, it is the same object, and a descriptor open on it reads again.
    auto fm = t->openat(AT_FDCWD, "a/b/m", O_RDONLY);
    ASSERT_OK(fm);
    super().fds().shrink();
    ASSERT_EQ(::rename(host("a/b/m").c_str(), host("a/b/m2").c_str()), 0);
    EXPECT_ERRNO(t->pread(*fm, buf, sizeof buf, 0), ESTALE);
    EXPECT_ERRNO(st("a/b/m"), ENOENT);
    ASSERT_OK(st("a/b/m2"));
    auto again = read_all(*fm);
    ASSERT_OK(again);
    EXPECT_EQ(*again, "m data");
    ASSERT_OK(t->close(*fm));
    EXPECT_LE(super().fd_stats().peak, 8u + 4u);
    close_ns();
  });
}

// Two directories the host swapped (y moved out of x, then x into y) while rcuvfs
// trusts its cache: a walk through the old entries finds x inside y. Each must not
// come to be reopened through the other (that recursed without end), and neither may
// keep the other alive once the namespace is gone.
TEST_F(HostfsFds, DirectoriesSwappedOnTheHostAreReopenedWithoutALoop) {
  std::filesystem::create_directories(host("x/y"));
  host_write(host("x/y/f"), "f");
  without_handles([&] {
    rcuvfs::diag::quiesce();
    const int64_t inodes = rcuvfs::diag::live_inodes();
    open_ns("ttl=3600,fds=8");
    ASSERT_EQ(*slurp("x/y/f"), "f");
    ASSERT_EQ(::rename(host("x/y").c_str(), host("y").c_str()), 0);
    ASSERT_EQ(::rename(host("x").c_str(), host("y/x").c_str()), 0);
    ASSERT_OK(st("x/y/x"));  // x and y as cached, x looked up in y's directory
    super().fds().shrink();  // every directory is reopened by name from now on
    // x is no longer at the root: asked with a fresh lookup, the host says so.
    EXPECT_ERRNO(t->mkdirat(AT_FDCWD, "x/new", 0755), ENOENT);
    ASSERT_OK(t->mkdirat(AT_FDCWD, "y/x/new", 0755));
    EXPECT_TRUE(std::filesystem::is_directory(host("y/x/new")));
    EXPECT_EQ(*slurp("y/f"), "f");
    close_ns();
    rcuvfs::diag::quiesce();
    EXPECT_EQ(rcuvfs::diag::live_inodes(), inodes);
  });
}

// ext4 on a loop device gives a freed inode's number to the next new file at once
// (tmpfs does not): the case the identity rules are for.
class HostfsExt4 : public HostfsFds {
 protected:
  void SetUp() override {
    HostfsFds::SetUp();
    if (geteuid() != 0) GTEST_SKIP() << "mounting ext4 needs root";
    mnt_ = host("m");
    const std::string img = host("ext4.img");
    ASSERT_EQ(::mkdir(mnt_.c_str(), 0755), 0);
    std::filesystem::resize_file(host_create_file(img), 32 << 20);
    if (std::system(("mkfs.ext4 -q -F " + img + " >/dev/null 2>&1").c_str()) != 0)
      GTEST_SKIP() << "mkfs.ext4 failed";
    if (std::system(("mount -o loop " + img + " " + mnt_ + " >/dev/null 2>&1").c_str()) != 0)
      GTEST_SKIP() << "mount -o loop failed";
    mounted_ = true;
  }
  void TearDown() override {
    close_ns();
    if (mounted_) ::umount2(mnt_.c_str(), 0);  // the loop device goes with it
    HostfsFds::TearDown();
  }
  static std::string host_create_file(const std::string& path) {
    host_write(path, "");
    return path;
  }

  std::string mnt_;
  bool mounted_ = false;
};

// A cached file replaced on the host by one that got the same inode number: never
// taken for the old object, reopened by handle (its generation differs) or by name
// (its handle, encoded without privilege, differs), whether the stat asks the host at
// once (ttl=0) or the old object is found gone first.
TEST_F(HostfsExt4, AReusedInodeNumberIsAnotherObject) {
  const std::string f = mnt_ + "/f";
  auto body = [&](const char* how) {
    for (const char* ttl : {"0", "3600"}) {
      SCOPED_TRACE(std::string(how) + ", ttl=" + ttl);
      host_write(f, "old");
      ASSERT_NO_FATAL_FAILURE(open_ns(std::string("ttl=") + ttl, mnt_));
      auto old = st("f");
      ASSERT_OK(old);
      auto fd = t->openat(AT_FDCWD, "f", O_RDONLY);  // keeps the old inode in hostfs's table
      ASSERT_OK(fd);
      super().fds().shrink();  // and nothing keeps the host's
      ASSERT_EQ(::unlink(f.c_str()), 0);
      host_write(f, "new data");
      struct stat hs;
      ASSERT_EQ(::stat(f.c_str(), &hs), 0);
      ASSERT_EQ(hs.st_ino, old->stx_ino) << "ext4 gave the new file another inode number";
      char buf[16];
      if (std::string(ttl) != "0") {
        EXPECT_ERRNO(t->pread(*fd, buf, sizeof buf, 0), ESTALE);
      }
      auto s = st("f");
      ASSERT_OK(s);
      EXPECT_EQ(s->stx_size, 8u);
      EXPECT_EQ(s->stx_nlink, 1u);
      EXPECT_EQ(*slurp("f"), "new data");
      EXPECT_ERRNO(t->pread(*fd, buf, sizeof buf, 0), ESTALE);
      ASSERT_OK(t->close(*fd));
      close_ns();
      ASSERT_EQ(::unlink(f.c_str()), 0);
    }
  };
  body("by handle");
  without_handles([&] { body("by name"); });
}

}  // namespace
