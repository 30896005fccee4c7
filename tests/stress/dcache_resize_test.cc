// Lookups racing resizes of the dcache's hash table: a writer fills a directory until
// the table has doubled a few times and empties it until it has shrunk back, over and
// over, while readers stat fixed paths (in RCU mode and in reference mode, which looks
// a missed name up again under the chain's lock) and missing names. The checker: every
// fixed path gives its own inode number, every missing name ENOENT, whatever the table
// was doing meanwhile.
//
// RCUVFS_STRESS_SECONDS sets the duration (default 2).
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <fcntl.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace rcuvfs {
namespace {

double seconds() {
  const char* s = std::getenv("RCUVFS_STRESS_SECONDS");
  return s ? std::atof(s) : 2.0;
}

struct Fixed {
  std::string path;
  uint64_t ino;
};

struct ReaderResult {
  uint64_t stats = 0, wrong = 0;
  std::string first_wrong;
};

void read_until(Task& t, const std::vector<Fixed>& fixed, const std::atomic<bool>& stop,
                ReaderResult& r) {
  size_t i = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    const Fixed& f = fixed[i++ % fixed.size()];
    auto st = t.statx(AT_FDCWD, f.path);
    auto missing = t.statx(AT_FDCWD, f.path + "-missing");
    r.stats += 2;
    std::string bad;
    if (!st.ok())
      bad = f.path + ": errno " + std::to_string(st.error());
    else if (st->stx_ino != f.ino)
      bad = f.path + ": ino " + std::to_string(st->stx_ino) + ", not " + std::to_string(f.ino);
    else if (missing.ok() || missing.error() != ENOENT)
      bad = f.path + "-missing: not ENOENT";
    if (!bad.empty() && r.wrong++ == 0) r.first_wrong = bad;
  }
}

TEST(DcacheResize, LookupsFindEveryEntryWhileTheTableResizes) {
  auto vfs = Vfs::create().value();
  auto root = vfs->new_task();
  std::vector<Fixed> fixed;
  for (const char* d : {"/a", "/a/b", "/a/b/c", "/churn"})
    ASSERT_TRUE(root->mkdirat(AT_FDCWD, d, 0755).ok());
  for (int i = 0; i < 64; ++i) {
    const std::string p = "/a/b/c/f" + std::to_string(i);
    ASSERT_TRUE(root->mknodat(AT_FDCWD, p, S_IFREG | 0644, 0).ok());
    fixed.push_back({p, root->statx(AT_FDCWD, p)->stx_ino});
  }

  std::atomic<bool> stop{false};
  std::vector<ReaderResult> results(2);
  std::vector<std::unique_ptr<Task>> tasks;
  std::vector<std::thread> readers;
  for (size_t k = 0; k < results.size(); ++k) {
    tasks.push_back(vfs->new_task());
    // One reader walks in RCU mode, the other by references: d_lookup's exact answer
    // under a resize is what the second one needs.
    if (k == 1) tasks.back()->set_walk_mode(Task::WalkMode::kRefOnly);
    readers.emplace_back(read_until, std::ref(*tasks.back()), std::cref(fixed),
                         std::cref(stop), std::ref(results[k]));
  }

  // Enough names to double the smallest table, then none (so that it halves back).
  const int names = static_cast<int>(diag::dcache_buckets() * 3 / 2);
  const uint64_t resizes = diag::dcache_resizes();
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds());
  int cycles = 0;
  std::string writer_error;
  while (writer_error.empty() && (cycles < 1 || std::chrono::steady_clock::now() < end)) {
    for (int i = 0; i < names && writer_error.empty(); ++i)
      if (!root->mknodat(AT_FDCWD, "/churn/n" + std::to_string(i), S_IFREG | 0644, 0).ok())
        writer_error = "mknod failed";
    for (int i = 0; i < names && writer_error.empty(); ++i)
      if (!root->unlinkat(AT_FDCWD, "/churn/n" + std::to_string(i), 0).ok())
        writer_error = "unlink failed";
    diag::quiesce();  // the freed dentries let the table shrink
    ++cycles;
  }
  stop = true;
  for (auto& th : readers) th.join();
  ASSERT_EQ(writer_error, "");
  EXPECT_GT(diag::dcache_resizes(), resizes) << "the table never resized";
  for (const ReaderResult& r : results) {
    EXPECT_GT(r.stats, 1000u);
    EXPECT_EQ(r.wrong, 0u) << r.first_wrong;
  }
  EXPECT_TRUE(diag::check(*vfs).empty());
}

}  // namespace
}  // namespace rcuvfs
