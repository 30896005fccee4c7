// FdTable: a task's descriptors, as Linux's fdtable.
//
//   array_     FdArray of atomic File pointers, read under RCU by walks that start at
//              a descriptor (peek_rcu: no lock, no reference); slots written under
//              fd_lock_. A grown array replaces the old one, which is freed after a
//              grace period.
//   open_bits_, full_bits_, next_fd_
//              guarded by fd_lock_, never read under RCU. open_bits_ has a bit per
//              descriptor that is installed or reserved (alloc, not installed yet),
//              and bits 0, 1 and 2 always set: those numbers are never handed out.
//              full_bits_ has a bit per word of open_bits_ that is all ones, so that
//              the lowest free descriptor costs table/4096 word reads at worst.
//              Every descriptor below next_fd_ is taken (Linux's files->next_fd).
//   limit_     RLIMIT_NOFILE: no descriptor >= limit_ is handed out. Written under
//              fd_lock_, read with relaxed loads.
// Lock order (docs/locking.md): fd_lock_ is a leaf lock (nothing else is taken under it
// except the RCU wrapper).
#pragma once

#include "core/file.h"

#include <rcuvfs/fs/mutex.h>
#include <rcuvfs/result.h>
#include <rcuvfs/task.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace rcuvfs::core {

struct FdArray {
  size_t size;  // a power of two, at least 64
  std::atomic<File*> slot[1];  // `size` slots
};

class FdTable {
 public:
  static constexpr uint64_t kDefaultLimit = Task::kDefaultFdLimit;
  static constexpr uint64_t kMaxLimit = Task::kMaxFdLimit;
  // 0, 1 and 2 are never handed out (standard input, output and error of a process).
  static constexpr unsigned kFirstFd = 3;

  FdTable() = default;
  ~FdTable();  // drops the reference of every installed File
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;

  // Under RCU, no reference: valid until the read-side section ends. nullptr for a
  // free or reserved descriptor.
  File* peek_rcu(int fd) const {
    const FdArray* a = array_.load(std::memory_order_acquire);
    if (fd < 0 || !a || static_cast<size_t>(fd) >= a->size) return nullptr;
    return a->slot[fd].load(std::memory_order_acquire);
  }
  // The File behind fd with a reference, or nullptr (EBADF).
  File* get(int fd);

  // Reserve the lowest free descriptor (>= kFirstFd), as Linux's get_unused_fd: it is
  // taken but shows no File until install. -EMFILE when it would be >= the limit.
  int alloc();
  // Put f (reference consumed) at fd, reserved by alloc.
  void install(int fd, File* f);
  // Give back a descriptor reserved by alloc and never installed.
  void put_unused(int fd);
  // Remove and return the File at fd (the caller drops the reference); nullptr when
  // none is installed there (a reserved descriptor stays reserved).
  File* remove(int fd);

  // EPERM above kMaxLimit. Descriptors already open at or above it stay open.
  Status set_limit(uint64_t n);
  uint64_t limit() const { return limit_.load(std::memory_order_relaxed); }

 private:
  // The lowest descriptor >= start not in open_bits_; array size when none.
  size_t find_free(size_t start) const RCUVFS_REQUIRES(fd_lock_);
  void take(size_t fd) RCUVFS_REQUIRES(fd_lock_);
  void release(size_t fd) RCUVFS_REQUIRES(fd_lock_);
  // Replace the array with one of at least `need` slots.
  void grow(size_t need) RCUVFS_REQUIRES(fd_lock_);

  std::atomic<FdArray*> array_{nullptr};
  mutable Mutex fd_lock_;
  std::vector<uint64_t> open_bits_ RCUVFS_GUARDED_BY(fd_lock_);
  std::vector<uint64_t> full_bits_ RCUVFS_GUARDED_BY(fd_lock_);
  size_t next_fd_ RCUVFS_GUARDED_BY(fd_lock_) = kFirstFd;
  std::atomic<uint64_t> limit_{kDefaultLimit};
};

// A descriptor reserved for an open that has not succeeded yet: given back unless
// install is called, so that a failed open leaves the table as it was.
class FdReservation {
 public:
  explicit FdReservation(FdTable& t) : t_(t), fd_(t.alloc()) {}
  ~FdReservation() {
    if (fd_ >= 0) t_.put_unused(fd_);
  }
  FdReservation(const FdReservation&) = delete;
  FdReservation& operator=(const FdReservation&) = delete;

  // 0, or EMFILE when no descriptor could be reserved.
  int error() const { return fd_ < 0 ? -fd_ : 0; }
  // Install f (reference consumed) at the reserved descriptor; its number.
  int install(File* f) {
    const int fd = fd_;
    fd_ = -1;
    t_.install(fd, f);
    return fd;
  }

 private:
  FdTable& t_;
  int fd_;  // the reserved descriptor, or -errno
};

}  // namespace rcuvfs::core
