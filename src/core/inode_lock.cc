// InodeLock's slow paths: spin a little, then sleep on the state word (a futex).
#include <rcuvfs/fs/inode_lock.h>

#include <rcuvfs/fs/cpu_relax.h>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace rcuvfs {

namespace {
// Inode critical sections are short (a few stores, a memcpy): spinning this long
// (roughly a microsecond) before sleeping usually finds the lock free.
constexpr int kSpins = 100;

// The futex word is the atomic's own storage.
inline uint32_t* word(std::atomic<uint32_t>& a) { return reinterpret_cast<uint32_t*>(&a); }
static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
              std::atomic<uint32_t>::is_always_lock_free);
}  // namespace

void InodeLock::wake_all() noexcept {
  syscall(SYS_futex, word(state_), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

namespace {
// Returns at once when the word no longer holds `expected`; a spurious return (EINTR)
// is fine, every caller loops.
void futex_wait(std::atomic<uint32_t>& state, uint32_t expected) {
  syscall(SYS_futex, word(state), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

// Spin, then sleep, until none of the `busy` bits is set; then take the lock by
// replacing the state s with take(s). `waiters` is the bit a sleeper sets first.
template <class Take>
void acquire_slow(std::atomic<uint32_t>& state, uint32_t busy, uint32_t waiters, Take take) {
  for (int spins = 0;;) {
    uint32_t s = state.load(std::memory_order_relaxed);
    if (!(s & busy)) {
      if (state.compare_exchange_weak(s, take(s), std::memory_order_acquire,
                                      std::memory_order_relaxed))
        return;
      continue;
    }
    if (spins < kSpins) {
      ++spins;
      cpu_relax();
      continue;
    }
    if (!(s & waiters) && !state.compare_exchange_weak(s, s | waiters, std::memory_order_relaxed,
                                                       std::memory_order_relaxed))
      continue;
    futex_wait(state, s | waiters);
  }
}
}  // namespace

void InodeLock::lock_slow() noexcept {
  // Free means no writer and no reader. Keep kWaiters if it is set: woken sleepers may
  // still be on their way back to sleep, and our unlock must wake them.
  acquire_slow(state_, ~kWaiters, kWaiters, [](uint32_t s) { return s | kWriter; });
}

void InodeLock::lock_shared_slow() noexcept {
  acquire_slow(state_, kWriter, kWaiters, [](uint32_t s) { return s + 1; });
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
