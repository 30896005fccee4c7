// InodeLock's slow paths: spin a little, then sleep on the state word (a futex).
#include <rcuvfs/fs/inode_lock.h>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace rcuvfs {

namespace {
// Inode critical sections are short (a few stores, a memcpy): spinning this long
// (roughly a microsecond) before sleeping usually finds the lock free.
constexpr int kSpins = 100;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// The futex word is the atomic's own storage.
inline uint32_t* word(std::atomic<uint32_t>& a) { return reinterpret_cast<uint32_t*>(&a); }
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
              std::atomic<uint32_t>::is_always_lock_free);
}  // namespace

void InodeLock::wait(uint32_t expected) noexcept {
  // Returns at once when the word no longer holds `expected`; a spurious return
  // (EINTR) is fine, every caller loops.
  syscall(SYS_futex, word(state_), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void InodeLock::wake_all() noexcept {
  syscall(SYS_futex, word(state_), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

void InodeLock::lock_slow() noexcept {
  for (int spins = 0;;) {
    uint32_t s = state_.load(std::memory_order_relaxed);
    if ((s & ~kWaiters) == 0) {
      // Free. Keep kWaiters if it is set: woken sleepers may still be on their way
      // back to sleep, and our unlock must wake them.
      if (state_.compare_exchange_weak(s, s | kWriter, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return;
      continue;
    }
    if (spins < kSpins) {
      ++spins;
      cpu_relax();
      continue;
    }
    if (!(s & kWaiters) && !state_.compare_exchange_weak(s, s | kWaiters,
                                                         std::memory_order_relaxed,
                                                         std::memory_order_relaxed))
      continue;
    wait(s | kWaiters);
  }
}

void InodeLock::lock_shared_slow() noexcept {
  for (int spins = 0;;) {
    uint32_t s = state_.load(std::memory_order_relaxed);
    if (!(s & kWriter)) {
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return;
      continue;
    }
    if (spins < kSpins) {
      ++spins;
      cpu_relax();
      continue;
    }
    if (!(s & kWaiters) && !state_.compare_exchange_weak(s, s | kWaiters,
                                                         std::memory_order_relaxed,
                                                         std::memory_order_relaxed))
      continue;
    wait(s | kWaiters);
  }
}

void InodeLock::last_reader_out() noexcept {
  // The word is kWaiters: free, with sleepers. If a writer or a reader took the lock
  // in between, the bit stays and their release wakes the sleepers instead.
  uint32_t s = kWaiters;
  if (state_.compare_exchange_strong(s, 0, std::memory_order_relaxed,
                                     std::memory_order_relaxed))
    wake_all();
}

}  // namespace rcuvfs
