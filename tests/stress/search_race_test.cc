// Search permission racing chmod: the walker's plain steps read "everyone may search
// this directory" from the dentry (kDSearchAll), not from the inode's mode, and ask
// generic_permission about the other directories. A root task cycles the mode of a
// directory in the middle of the walked paths through modes that grant or refuse
// search to its owner and to others, and readers of both kinds stat below it.
// The checker: a stat that began and ended while one mode stood must give that mode's
// answer (the chmods are numbered; a stat that saw the same even number before and
// after overlapped no chmod).
//
// RCUVFS_STRESS_SECONDS sets the duration (default 2).
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <fcntl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
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

// The modes /a (owner 1000, group 1000) cycles through: all three x bits (kDSearchAll),
// and modes that grant search to its owner only, to others only, or to neither, which
// the walk asks generic_permission about.
constexpr std::array<mode_t, 8> kModes{0755, 0700, 0711, 0754, 0701, 0750, 0070, 0601};

// The readers: the owner, and another user in none of its groups.
const std::array<Cred, 2> kReaders{Cred{1000, 1000, {}}, Cred{1001, 1001, {}}};
bool may_search(mode_t mode, const Cred& c) {
  return mode & (c.uid == 1000 ? 0100 : 0001);
}

// What one reader saw.
struct ReaderResult {
  uint64_t checked = 0, allowed = 0, refused = 0, wrong = 0;
  std::string first_wrong;
};

TEST(SearchRace, EveryStatGivesTheAnswerOfTheModeItRanUnder) {
  auto v = Vfs::create("memfs", "");
  ASSERT_TRUE(v.ok());
  std::unique_ptr<Vfs> vfs = std::move(*v);
  std::unique_ptr<Task> root = vfs->new_task();
  for (const char* d : {"/a", "/a/b", "/a/b/c"})
    ASSERT_TRUE(root->mkdirat(AT_FDCWD, d, 0755).ok());
  auto fd = root->openat(AT_FDCWD, "/a/b/c/f", O_CREAT | O_WRONLY, 0644);
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(root->close(*fd).ok());
  ASSERT_TRUE(root->fchownat(AT_FDCWD, "/a", 1000, 1000).ok());

  // Even: kModes[(phase / 2) % size] stands; odd: a chmod is under way.
  std::atomic<uint64_t> phase{0};
  std::atomic<bool> stop{false};
  std::vector<ReaderResult> results(kReaders.size());
  std::vector<std::thread> threads;
  for (size_t r = 0; r < kReaders.size(); ++r) {
    threads.emplace_back([&, r] {
      const Cred& cred = kReaders[r];
      std::unique_ptr<Task> t = vfs->new_task(cred);
      ReaderResult& out = results[r];
      // The one-pass stat, and the general walk (its plain steps stop before `..`).
      const std::array<const char*, 2> paths{"/a/b/c/f", "/a/b/c/../c/f"};
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const char* path = paths[i % paths.size()];
        const uint64_t before = phase.load(std::memory_order_acquire);
        const int err = t->statx(AT_FDCWD, path, 0, STATX_BASIC_STATS).error();
        const uint64_t after = phase.load(std::memory_order_acquire);
        if (before != after || (before & 1)) continue;
        const mode_t mode = kModes[(before / 2) % kModes.size()];
        ++out.checked;
        ++(err == 0 ? out.allowed : out.refused);
        if (err != (may_search(mode, cred) ? 0 : EACCES) && out.wrong++ == 0) {
          char what[160];
          std::snprintf(what, sizeof what, "uid %u, %s under mode %o: errno %d", cred.uid, path,
                        mode, err);
          out.first_wrong = what;
        }
      }
    });
  }
  uint64_t chmods = 0;
  int chmod_error = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds());
  while (!chmod_error && std::chrono::steady_clock::now() < end) {
    for (int k = 0; k < 64 && !chmod_error; ++k) {
      const uint64_t p = phase.load(std::memory_order_relaxed);
      phase.store(p + 1, std::memory_order_release);
      const mode_t mode = kModes[((p + 2) / 2) % kModes.size()];
      chmod_error = root->fchmodat(AT_FDCWD, "/a", mode).error();
      phase.store(p + 2, std::memory_order_release);
      ++chmods;
      // Let the mode stand for a moment, so that whole stats fit inside it.
      for (int spin = 0; spin < 2000; ++spin) __builtin_ia32_pause();
    }
  }
  stop = true;
  for (auto& th : threads) th.join();
  ASSERT_EQ(chmod_error, 0) << "chmod /a failed";

  ReaderResult total;
  for (const ReaderResult& r : results) {
    total.checked += r.checked;
    total.allowed += r.allowed;
    total.refused += r.refused;
    total.wrong += r.wrong;
    if (total.first_wrong.empty()) total.first_wrong = r.first_wrong;
  }
  std::printf("%llu chmods, %llu stats checked: %llu allowed, %llu refused, %llu wrong\n",
              static_cast<unsigned long long>(chmods),
              static_cast<unsigned long long>(total.checked),
              static_cast<unsigned long long>(total.allowed),
              static_cast<unsigned long long>(total.refused),
              static_cast<unsigned long long>(total.wrong));
  EXPECT_EQ(total.wrong, 0u) << total.first_wrong;
  EXPECT_GT(chmods, 100u);
  EXPECT_GT(total.allowed, 100u);
  EXPECT_GT(total.refused, 100u);
  EXPECT_EQ(diag::check(*vfs), std::vector<std::string>{});
}

}  // namespace
}  // namespace rcuvfs
