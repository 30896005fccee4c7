// The audit module: one line per stat and open, never two (the refused RCU attempt
// writes nothing), also with many threads and with renames racing.
#include "test_util.h"

#include <rcuvfs/security/audit.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace {

using rcuvfs::Counter;
using rcuvfs::Counters;
using rcuvfs::Echild;
using rcuvfs::Vfs;

class Audit : public ::testing::TestWithParam<std::string>, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make(GetParam());
    char tmpl[] = "/tmp/rcuvfs-audit-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    log_path = tmpl;
    ASSERT_OK(t->mkdirat(AT_FDCWD, "a", 0755));
    put("a/f", "12345");
    ASSERT_OK(t->symlinkat("a/f", AT_FDCWD, "l"));
  }
  void TearDown() override { ::unlink(log_path.c_str()); }
  bool speculative_fs() const { return GetParam() != "legacyfs"; }

  void start(rcuvfs::audit::Options opt = {}) {
    auto m = rcuvfs::audit::open_log(log_path, opt);
    ASSERT_OK(m);
    ASSERT_OK(vfs->add_security_module(*m));
  }
  std::vector<std::string> lines() const {
    std::ifstream in(log_path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  static size_t count(const std::vector<std::string>& ls, std::string_view needle) {
    size_t n = 0;
    for (const auto& l : ls) n += l.find(needle) != std::string::npos;
    return n;
  }

  std::string log_path;
};

TEST_P(Audit, OpenLogErrors) {
  EXPECT_ERRNO(rcuvfs::audit::open_log("/nonexistent-dir/x.log"), ENOENT);
}

TEST_P(Audit, EveryStatAndOpenExactlyOnce) {
  start({.namespace_changes = false});
  st("a/f");  // warm
  ::truncate(log_path.c_str(), 0);
  const int kStats = 25, kOpens = 7;
  const Counters before = Vfs::counters();
  for (int i = 0; i < kStats; ++i) st(i % 2 ? "a/f" : "l");
  for (int i = 0; i < kOpens; ++i) {
    auto fd = t->openat(AT_FDCWD, "a/f", O_RDONLY);
    ASSERT_OK(fd);
    ASSERT_OK(t->close(*fd));
  }
  const Counters d = Vfs::counters() - before;
  auto ls = lines();
  ASSERT_EQ(ls.size(), size_t(kStats + kOpens));
  EXPECT_EQ(count(ls, " op=stat path=/a/f"), size_t(kStats));
  EXPECT_EQ(count(ls, " op=open path=/a/f flags=rdonly created=0"), size_t(kOpens));
  EXPECT_EQ(ls[0], "uid=0 gid=0 op=stat path=/a/f");
  // Each stat was refused in RCU mode once and answered with references.
  EXPECT_EQ(d.get(Counter::kStatSpeculative), 0u);
  EXPECT_EQ(d.get(Counter::kStatFallback), size_t(kStats));
  if (speculative_fs()) {
    EXPECT_EQ(d.get(Echild::kSecurityRefused), size_t(kStats));
  }
}

TEST_P(Audit, FailedAndOtherStats) {
  start();
  auto user = vfs->new_task(rcuvfs::Cred{1000, 100, {}});
  ASSERT_OK(t->fchmodat(AT_FDCWD, "a/f", 0600));
  ::truncate(log_path.c_str(), 0);
  EXPECT_ERRNO(t->statx(AT_FDCWD, "a/missing"), ENOENT);       // never reaches a hook
  EXPECT_ERRNO(user->openat(AT_FDCWD, "a/f", O_RDONLY), EACCES);  // DAC first
  EXPECT_OK(user->statx(AT_FDCWD, "a/f"));
  auto fd = t->openat(AT_FDCWD, "a/f", O_PATH);
  ASSERT_OK(fd);
  EXPECT_OK(t->fstat(*fd));
  EXPECT_OK(t->statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW));
  auto ls = lines();
  ASSERT_EQ(ls.size(), 3u);
  EXPECT_EQ(ls[0], "uid=1000 gid=100 op=stat path=/a/f");
  EXPECT_EQ(ls[1], "uid=0 gid=0 op=stat path=/a/f");
  EXPECT_EQ(ls[2], "uid=0 gid=0 op=stat path=/l");
}

// Attribute reads and readlink are logged as stats are (once, after the refused RCU
// attempt);
// changes with the namespace changes. A call that failed before the hooks is not.
TEST_P(Audit, ExtendedAttributes) {
  start();
  ASSERT_OK(t->setxattr("a/f", "user.k", "v"));
  char buf[8];
  EXPECT_OK(t->getxattr("l", "user.k", buf, sizeof buf));
  EXPECT_OK(t->listxattr("a/f", buf, sizeof buf));
  EXPECT_ERRNO(t->getxattr("a/f", "", buf, sizeof buf), ERANGE);
  ASSERT_OK(t->removexattr("a/f", "user.k"));
  EXPECT_ERRNO(t->removexattr("a/f", "user.k"), ENODATA);  // the hook ran: logged
  ASSERT_OK(t->setxattr("a/f", "user.two words", "v"));
  EXPECT_OK(t->readlinkat(AT_FDCWD, "l"));
  const std::vector<std::string> want = {
      "uid=0 gid=0 op=setxattr path=/a/f name=user.k",
      "uid=0 gid=0 op=getxattr path=/a/f name=user.k",
      "uid=0 gid=0 op=listxattr path=/a/f",
      "uid=0 gid=0 op=removexattr path=/a/f name=user.k",
      "uid=0 gid=0 op=removexattr path=/a/f name=user.k",
      "uid=0 gid=0 op=setxattr path=/a/f name=\"user.two words\"",
      "uid=0 gid=0 op=readlink path=/l",
  };
  EXPECT_EQ(lines(), want);
}

TEST_P(Audit, NamespaceChanges) {
  start();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "a/d", 0755));
  put("a/new file", "x");
  ASSERT_OK(t->renameat2(AT_FDCWD, "a/new file", AT_FDCWD, "a/d/g", 0));
  ASSERT_OK(t->linkat(AT_FDCWD, "a/d/g", AT_FDCWD, "a/h", 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "a/h", 0));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "a/d/g", 0600));
  ASSERT_OK(t->truncate("a/d/g", 0));
  ASSERT_OK(t->mknodat(AT_FDCWD, "a/p", S_IFIFO | 0644, 0));
  auto ls = lines();
  const std::vector<std::string> want = {
      "uid=0 gid=0 op=mkdir path=/a/d",
      "uid=0 gid=0 op=mknod path=\"/a/new file\" type=reg",
      "uid=0 gid=0 op=open path=\"/a/new file\" flags=wronly,creat,trunc created=1",
      "uid=0 gid=0 op=rename path=\"/a/new file\" new=/a/d/g exchange=0",
      "uid=0 gid=0 op=link path=/a/d/g new=/a/h",
      "uid=0 gid=0 op=unlink path=/a/h",
      "uid=0 gid=0 op=chmod path=/a/d/g",
      "uid=0 gid=0 op=truncate path=/a/d/g",
      "uid=0 gid=0 op=mknod path=/a/p type=fifo",
  };
  EXPECT_EQ(ls, want);
}

TEST_P(Audit, PathsFromTheTaskRootAcrossMounts) {
  start({.namespace_changes = false});
  ASSERT_OK(t->mkdirat(AT_FDCWD, "mnt", 0755));
  ASSERT_OK(t->mount("memfs", "mnt"));
  put("mnt/x", "x");
  auto jailed = vfs->new_task();
  ASSERT_OK(jailed->chroot("mnt"));
  ::truncate(log_path.c_str(), 0);
  st("mnt/x");
  st("mnt/x", 0, jailed.get());  // "/mnt/x" seen from the root, "/x" from the jail
  EXPECT_ERRNO(jailed->statx(AT_FDCWD, "/mnt/x"), ENOENT);
  auto ls = lines();
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(ls[0], "uid=0 gid=0 op=stat path=/mnt/x");
  EXPECT_EQ(ls[1], "uid=0 gid=0 op=stat path=/x");
}

// N threads stat and open: exactly one line each, never torn.
TEST_P(Audit, CompleteUnderThreads) {
  start({.namespace_changes = false});
  ::truncate(log_path.c_str(), 0);
  const int kThreads = 4, kStats = 300, kOpens = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < kStats; ++j)
        if (!t->statx(AT_FDCWD, "a/f").ok()) ++failures;
      for (int j = 0; j < kOpens; ++j) {
        auto fd = t->openat(AT_FDCWD, "l", O_RDONLY);
        if (!fd.ok()) {
          ++failures;
          continue;
        }
        (void)t->close(*fd);
      }
    });
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  auto ls = lines();
  ASSERT_EQ(ls.size(), size_t(kThreads * (kStats + kOpens)));
  size_t stats = 0, opens = 0;
  for (const auto& l : ls) {
    if (l == "uid=0 gid=0 op=stat path=/a/f")
      ++stats;
    else if (l == "uid=0 gid=0 op=open path=/a/f flags=rdonly created=0")
      ++opens;
    else
      ADD_FAILURE() << "unexpected line: " << l;
  }
  EXPECT_EQ(stats, size_t(kThreads * kStats));
  EXPECT_EQ(opens, size_t(kThreads * kOpens));
}

// A directory renamed back and forth while others stat beneath it: one line per
// successful stat, each naming one of the places the file really was.
TEST_P(Audit, CompleteUnderRenames) {
  start({.namespace_changes = false});
  ::truncate(log_path.c_str(), 0);
  std::atomic<bool> stop{false};
  std::atomic<size_t> ok{0};
  auto renamer = vfs->new_task();
  std::thread r([&] {
    for (int i = 0; i < 400; ++i) {
      const bool there = i % 2;
      EXPECT_OK(renamer->renameat2(AT_FDCWD, there ? "b" : "a", AT_FDCWD, there ? "a" : "b", 0));
    }
    stop = true;
  });
  std::vector<std::thread> statters;
  for (int i = 0; i < 3; ++i)
    statters.emplace_back([&, i] {
      while (!stop.load())
        for (const char* p : {"a/f", "b/f"})
          if (t->statx(AT_FDCWD, p).ok()) ++ok;
      (void)i;
    });
  r.join();
  for (auto& th : statters) th.join();
  auto ls = lines();
  EXPECT_EQ(ls.size(), ok.load());
  for (const auto& l : ls)
    EXPECT_TRUE(l == "uid=0 gid=0 op=stat path=/a/f" || l == "uid=0 gid=0 op=stat path=/b/f")
        << l;
}

INSTANTIATE_TEST_SUITE_P(AllFs, Audit, ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return info.param; });

}  // namespace
