// InodeLock: the per-inode reader/writer lock (Linux's i_rwsem), in 4 bytes.
//
// One per Inode, so its size counts in every file of a namespace (std::shared_mutex
// takes 56 bytes). It has the member functions of std::shared_mutex, so
// std::unique_lock, std::shared_lock, std::scoped_lock and std::lock work with it,
// and the same behaviour as the glibc rwlock behind std::shared_mutex on Linux:
// blocking, not recursive for writers, and reader-preferring (a reader gets in while
// only readers hold the lock even if a writer waits, so a thread that already reads
// may take it shared again).
//
// State, one 32-bit word (also the futex word):
//   kWriter   held exclusively
//   kWaiters  somebody sleeps (or is about to) on the futex: the release that leaves
//             the lock free clears it and wakes every sleeper, who compete again
//   low bits  the number of readers (at most one per thread: far below 2^30)
// Uncontended lock and unlock are one atomic instruction each; the slow paths spin
// briefly, then sleep (src/core/inode_lock.cc). Every transition is an atomic
// read-modify-write, so ThreadSanitizer sees the lock's ordering like any other.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>          // std::unique_lock, std::scoped_lock for users of the lock
#include <shared_mutex>   // std::shared_lock

namespace rcuvfs {

class InodeLock {
 public:
  constexpr InodeLock() noexcept = default;
  InodeLock(const InodeLock&) = delete;
  InodeLock& operator=(const InodeLock&) = delete;

  // ---- exclusive ----
  void lock() noexcept {
    uint32_t s = 0;
    if (!state_.compare_exchange_strong(s, kWriter, std::memory_order_acquire,
                                        std::memory_order_relaxed))
      lock_slow();
  }
  bool try_lock() noexcept {
    uint32_t s = state_.load(std::memory_order_relaxed);
    return (s & ~kWaiters) == 0 &&
           state_.compare_exchange_strong(s, s | kWriter, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void unlock() noexcept {
    if (state_.exchange(0, std::memory_order_release) & kWaiters) wake_all();
  }

  // ---- shared ----
  void lock_shared() noexcept {
    uint32_t s = state_.load(std::memory_order_relaxed);
    if ((s & kWriter) || !state_.compare_exchange_weak(s, s + 1, std::memory_order_acquire,
                                      std::memory_order_relaxed))
      lock_shared_slow();
  }
  bool try_lock_shared() noexcept {
    uint32_t s = state_.load(std::memory_order_relaxed);
    while (!(s & kWriter))
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return true;
    return false;
  }
  void unlock_shared() noexcept {
    // The last reader out with sleepers waiting hands the lock over.
    if (state_.fetch_sub(1, std::memory_order_release) == (kWaiters | 1)) last_reader_out();
  }

  // For diagnostics and tests: a racy snapshot.
  bool is_locked() const noexcept { return state_.load(std::memory_order_relaxed) & kWriter; }
  uint32_t readers() const noexcept { return state_.load(std::memory_order_relaxed) & kReaders; }

 private:
  static constexpr uint32_t kWriter = 1u << 31;
  static constexpr uint32_t kWaiters = 1u << 30;
  static constexpr uint32_t kReaders = kWaiters - 1;

  void lock_slow() noexcept;
  void lock_shared_slow() noexcept;
  void last_reader_out() noexcept;
  void wake_all() noexcept;

  std::atomic<uint32_t> state_{0};
};

static_assert(sizeof(InodeLock) == 4);

}  // namespace rcuvfs
