// InodeLock: exclusion between writers and against readers, the std lock wrappers,
// reader preference (a reader may take the lock again while a writer waits, as with
// the glibc rwlock behind std::shared_mutex), and hand-over to sleepers.
#include <rcuvfs/fs/inode.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace {

using rcuvfs::InodeLock;
using namespace std::chrono_literals;

TEST(InodeLockTest, ExclusiveAndSharedExclude) {
  InodeLock l;
  EXPECT_TRUE(l.try_lock());
  EXPECT_TRUE(l.is_locked());
  EXPECT_FALSE(l.try_lock());
  EXPECT_FALSE(l.try_lock_shared());
  l.unlock();
  EXPECT_FALSE(l.is_locked());

  EXPECT_TRUE(l.try_lock_shared());
  EXPECT_TRUE(l.try_lock_shared());
  EXPECT_EQ(l.readers(), 2u);
  EXPECT_FALSE(l.try_lock());
  l.unlock_shared();
  EXPECT_FALSE(l.try_lock());
  l.unlock_shared();
  EXPECT_EQ(l.readers(), 0u);
  EXPECT_TRUE(l.try_lock());
  l.unlock();
}

TEST(InodeLockTest, StdWrappers) {
  InodeLock a, b;
  {
    std::scoped_lock both(a, b);
    EXPECT_TRUE(a.is_locked());
    EXPECT_TRUE(b.is_locked());
  }
  EXPECT_FALSE(a.is_locked());
  {
    std::shared_lock r(a);
    EXPECT_EQ(a.readers(), 1u);
    std::unique_lock w(b, std::try_to_lock);
    EXPECT_TRUE(w.owns_lock());
  }
  std::unique_lock<InodeLock> w(a);
  EXPECT_TRUE(a.is_locked());
}

TEST(InodeLockTest, ReaderMayReenterWhileAWriterWaits) {
  InodeLock l;
  l.lock_shared();
  std::atomic<bool> writer_in{false};
  std::thread w([&] {
    std::unique_lock g(l);
    writer_in = true;
  });
  std::this_thread::sleep_for(50ms);  // the writer is now spinning or asleep
  EXPECT_FALSE(writer_in);
  l.lock_shared();  // must not wait behind the writer
  l.unlock_shared();
  l.unlock_shared();
  w.join();
  EXPECT_TRUE(writer_in);
  EXPECT_FALSE(l.is_locked());
  EXPECT_EQ(l.readers(), 0u);
}

TEST(InodeLockTest, SleepersAreWoken) {
  // Holders keep the lock long enough for the others to go to sleep on it.
  InodeLock l;
  l.lock();
  std::atomic<int> done{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&, i] {
      if (i % 2) {
        std::shared_lock g(l);
        std::this_thread::sleep_for(5ms);
      } else {
        std::unique_lock g(l);
        std::this_thread::sleep_for(5ms);
      }
      ++done;
    });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(done, 0);
  l.unlock();
  for (auto& t : ts) t.join();
  EXPECT_EQ(done, 4);
  EXPECT_TRUE(l.try_lock());
  l.unlock();
}

TEST(InodeLockTest, ConcurrentReadersAndWriters) {
  // Writers keep two plain counters equal under the exclusive lock; readers must
  // never see them differ. ThreadSanitizer checks the ordering too.
  InodeLock l;
  uint64_t a = 0, b = 0;
  std::atomic<bool> torn{false};
  constexpr int kWriters = 3, kReaders = 3, kRounds = 20000;
  std::vector<std::thread> ts;
  for (int i = 0; i < kWriters; ++i)
    ts.emplace_back([&] {
      for (int n = 0; n < kRounds; ++n) {
        std::unique_lock g(l);
        ++a;
        ++b;
      }
    });
  for (int i = 0; i < kReaders; ++i)
    ts.emplace_back([&] {
      for (int n = 0; n < kRounds; ++n) {
        std::shared_lock g(l);
        if (a != b) torn = true;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_FALSE(torn);
  EXPECT_EQ(a, uint64_t{kWriters} * kRounds);
  EXPECT_EQ(b, a);
  EXPECT_FALSE(l.is_locked());
  EXPECT_EQ(l.readers(), 0u);
}

}  // namespace
