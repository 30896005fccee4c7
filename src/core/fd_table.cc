#include "core/fd_table.h"

#include "core/rcu.h"

#include <algorithm>
#include <cerrno>
#include <new>

namespace rcuvfs::core {

namespace {
constexpr size_t kWordBits = 64;
constexpr size_t kMinSlots = 64;

FdArray* new_array(size_t n) {
  void* mem = ::operator new(sizeof(FdArray) + (n - 1) * sizeof(std::atomic<File*>));
  auto* a = static_cast<FdArray*>(mem);
  a->size = n;
  for (size_t i = 0; i < n; ++i) new (&a->slot[i]) std::atomic<File*>(nullptr);
  return a;
}

// The lowest clear bit of bits[0, nbits) at or above start; nbits when there is none.
size_t next_zero_bit(const std::vector<uint64_t>& bits, size_t nbits, size_t start) {
  if (start >= nbits) return nbits;
  const size_t words = (nbits + kWordBits - 1) / kWordBits;
  size_t w = start / kWordBits;
  uint64_t free = ~bits[w] & (~uint64_t{0} << (start % kWordBits));
  while (!free) {
    if (++w == words) return nbits;
    free = ~bits[w];
  }
  return std::min(nbits, w * kWordBits + static_cast<size_t>(__builtin_ctzll(free)));
}
}  // namespace

FdTable::~FdTable() {
  if (FdArray* a = array_.load(std::memory_order_relaxed)) {
    for (size_t i = 0; i < a->size; ++i)
      if (File* f = a->slot[i].load(std::memory_order_relaxed)) fput(f);
    ::operator delete(a);
  }
}

File* FdTable::get(int fd) {
  // Taking the reference under fd_lock_ makes it safe against a concurrent close.
  MutexLock g(fd_lock_);
  File* f = peek_rcu(fd);
  return f ? fget(f) : nullptr;
}

size_t FdTable::find_free(size_t start) const {
  // Linux's find_next_fd: the first word that is not full, then the bit in it.
  const size_t words = open_bits_.size();
  const size_t w = next_zero_bit(full_bits_, words, start / kWordBits);
  if (w == words) return words * kWordBits;
  return next_zero_bit(open_bits_, words * kWordBits, std::max(start, w * kWordBits));
}

int FdTable::alloc() {
  MutexLock g(fd_lock_);
  const size_t slots = open_bits_.size() * kWordBits;
  const size_t fd = next_fd_ < slots ? find_free(next_fd_) : next_fd_;
  if (fd >= limit()) return -EMFILE;
  if (fd >= slots) grow(fd + 1);
  take(fd);
  next_fd_ = fd + 1;
  return static_cast<int>(fd);
}

void FdTable::install(int fd, File* f) {
  MutexLock g(fd_lock_);
  array_.load(std::memory_order_relaxed)->slot[fd].store(f, std::memory_order_release);
}

void FdTable::put_unused(int fd) {
  MutexLock g(fd_lock_);
  release(static_cast<size_t>(fd));
}

File* FdTable::remove(int fd) {
  MutexLock g(fd_lock_);
  FdArray* a = array_.load(std::memory_order_relaxed);
  if (fd < 0 || !a || static_cast<size_t>(fd) >= a->size) return nullptr;
  File* f = a->slot[fd].exchange(nullptr, std::memory_order_acq_rel);
  if (f) release(static_cast<size_t>(fd));
  return f;
}

Status FdTable::set_limit(uint64_t n) {
  if (n > kMaxLimit) return Err{EPERM};
  MutexLock g(fd_lock_);
  limit_.store(n, std::memory_order_relaxed);
  return {};
}

void FdTable::take(size_t fd) {
  const size_t w = fd / kWordBits;
  open_bits_[w] |= uint64_t{1} << (fd % kWordBits);
  if (open_bits_[w] == ~uint64_t{0}) full_bits_[w / kWordBits] |= uint64_t{1} << (w % kWordBits);
}

void FdTable::release(size_t fd) {
  const size_t w = fd / kWordBits;
  open_bits_[w] &= ~(uint64_t{1} << (fd % kWordBits));
  full_bits_[w / kWordBits] &= ~(uint64_t{1} << (w % kWordBits));
  if (fd < next_fd_) next_fd_ = fd;
}

void FdTable::grow(size_t need) {
  FdArray* a = array_.load(std::memory_order_relaxed);
  const size_t old = a ? a->size : 0;
  size_t n = std::max(kMinSlots, old);
  while (n < need) n *= 2;
  FdArray* b = new_array(n);
  for (size_t i = 0; i < old; ++i)
    b->slot[i].store(a->slot[i].load(std::memory_order_relaxed), std::memory_order_relaxed);
  const size_t words = n / kWordBits;
  open_bits_.resize(words, 0);
  full_bits_.resize((words + kWordBits - 1) / kWordBits, 0);
  if (!old) open_bits_[0] = (uint64_t{1} << kFirstFd) - 1;
  array_.store(b, std::memory_order_release);
  // Walks may still read the old array without a lock: free it after them.
  if (a) rcu_defer_call([a] { ::operator delete(a); });
}

}  // namespace rcuvfs::core
