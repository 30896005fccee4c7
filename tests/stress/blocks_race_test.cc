// st_blocks racing writes, truncates and recreations: the speculative stat reads a
// memfs file's page count through the inode's payload word, inside the attribute
// snapshot. A writer takes a file through states whose sizes all differ, each with
// its own page count, and recreates it (on recyclefs the freed inode object becomes
// the next file at once, and its contents object goes after a grace period). The
// checker: every stat must show the (size, st_blocks) of one of those states, never
// the size of one with the block count of another. Under AddressSanitizer a contents
// object freed while a stat may still read it is a use after free.
//
// RCUVFS_STRESS_SECONDS sets the duration (default 2).
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <fcntl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
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

// size -> st_blocks of every state the writer leaves the file in.
const std::map<uint64_t, uint64_t> kStates{
    {0, 0},              // created, or truncated to 0
    {8192, 16},          // two pages written
    {1 << 20, 16},       // grown by truncate: no page more
    {2 << 20, 24},       // one byte written at the end: one page more
    {4096, 8},           // cut back to the first page
};

struct ReaderResult {
  uint64_t checked = 0, absent = 0, wrong = 0;
  std::string first_wrong;
};

class BlocksRace : public ::testing::TestWithParam<const char*> {};

TEST_P(BlocksRace, EveryStatPairsASizeWithItsOwnBlockCount) {
  auto v = Vfs::create(GetParam(), "");
  ASSERT_TRUE(v.ok());
  std::unique_ptr<Vfs> vfs = std::move(*v);
  std::unique_ptr<Task> w = vfs->new_task();
  ASSERT_TRUE(w->mkdirat(AT_FDCWD, "/d", 0755).ok());
  const std::vector<std::string> files{"/d/f0", "/d/f1"};
  const Counters start = Vfs::counters();  // process-wide: this test's share below
  std::atomic<bool> stop{false};
  std::vector<ReaderResult> results(2);
  std::vector<std::thread> threads;
  for (size_t r = 0; r < results.size(); ++r) {
    threads.emplace_back([&, r] {
      std::unique_ptr<Task> t = vfs->new_task();
      ReaderResult& out = results[r];
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        auto s = t->statx(AT_FDCWD, files[i % files.size()], 0, STATX_BASIC_STATS);
        if (!s.ok()) {
          ++out.absent;  // between an unlink and the next create
          continue;
        }
        ++out.checked;
        auto it = kStates.find(s->stx_size);
        if ((it == kStates.end() || it->second != s->stx_blocks) && out.wrong++ == 0)
          out.first_wrong = "size " + std::to_string(s->stx_size) + " with " +
                            std::to_string(s->stx_blocks) + " blocks";
      }
    });
  }
  const std::string page2(8192, 'x');
  uint64_t cycles = 0;
  bool failed = false;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds());
  while (!failed && std::chrono::steady_clock::now() < end) {
    for (const std::string& f : files) {
      auto fd = w->openat(AT_FDCWD, f, O_CREAT | O_RDWR, 0644);
      failed |= !fd.ok();
      if (!fd.ok()) break;
      failed |= !w->pwrite(*fd, page2.data(), page2.size(), 0).ok();
      failed |= !w->ftruncate(*fd, 1 << 20).ok();
      failed |= !w->pwrite(*fd, "y", 1, (2 << 20) - 1).ok();
      failed |= !w->ftruncate(*fd, 4096).ok();
      failed |= !w->ftruncate(*fd, 0).ok();
      failed |= !w->pwrite(*fd, page2.data(), page2.size(), 0).ok();
      failed |= !w->close(*fd).ok();
      failed |= !w->unlinkat(AT_FDCWD, f, 0).ok();
    }
    ++cycles;
  }
  stop = true;
  for (auto& th : threads) th.join();
  ASSERT_FALSE(failed) << "a writer's call failed";

  ReaderResult total;
  for (const ReaderResult& r : results) {
    total.checked += r.checked;
    total.absent += r.absent;
    total.wrong += r.wrong;
    if (total.first_wrong.empty()) total.first_wrong = r.first_wrong;
  }
  const Counters c = Vfs::counters() - start;
  std::printf("%llu cycles, %llu stats checked (%llu absent), %llu wrong; %llu speculative\n",
              static_cast<unsigned long long>(cycles),
              static_cast<unsigned long long>(total.checked),
              static_cast<unsigned long long>(total.absent),
              static_cast<unsigned long long>(total.wrong),
              static_cast<unsigned long long>(c.get(Counter::kStatSpeculative)));
  EXPECT_EQ(total.wrong, 0u) << total.first_wrong;
  EXPECT_GT(cycles, 100u);
  EXPECT_GT(total.checked, 100u);
  EXPECT_GT(c.get(Counter::kStatSpeculative), 100u);
  EXPECT_EQ(diag::check(*vfs), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Filesystems, BlocksRace, ::testing::Values("memfs", "recyclefs"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace rcuvfs
