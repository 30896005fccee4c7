// FdCache: the host descriptors one hostfs instance holds, within a budget.
//
// An inode holds no descriptor of its own: it has a slot per kind of descriptor
// (FdKind), and a slot's descriptor lives in this cache, on one LRU list for the whole
// instance. An operation pins the descriptor it uses (HostFd) for as long as it runs:
// only unpinned descriptors are ever closed, so the cache exceeds its budget by at
// most the descriptors running operations have pinned. A slot may also be kept:
// pinned for the rest of the inode's life (an object whose last name was removed
// through rcuvfs while rcuvfs still holds it: the host would free it otherwise).
//
// Every descriptor is counted before it is opened (reserve), so that the room is made
// first and the process never holds more than the count says. Opens that fail with
// EMFILE or ENFILE close every unpinned descriptor and are tried once more
// (open_retrying): the error reaches the caller only when that fails too, and nothing
// of it stays behind.
//
// Fields: every FdSlot of the instance's inodes, the list and the counts are guarded
// by mu_, a leaf lock (nothing is called while it is held; descriptors it evicts are
// closed after it is released). Nothing here is read under RCU.
#pragma once

#include <rcuvfs/fs/mutex.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace rcuvfs::hostfs {

enum class FdKind : uint8_t { kPath, kRead, kWrite };
inline constexpr size_t kFdKinds = 3;

// One kind of descriptor of one inode. Guarded by FdCache::mu_.
struct FdSlot {
  int fd = -1;
  uint32_t pins = 0;
  bool kept = false;
  FdSlot* prev = nullptr;  // the LRU list (most recent first), while fd >= 0 and not kept
  FdSlot* next = nullptr;
};

// What an instance holds and has done, for tests and diagnostics.
struct FdStats {
  uint64_t open = 0;       // descriptors held now (cached, pinned, kept, private)
  uint64_t peak = 0;       // the most held at once
  uint64_t opens = 0;      // descriptors opened
  uint64_t evictions = 0;  // cached descriptors closed to make room (or to shrink)
  uint64_t emfile_retries = 0;  // opens tried again after EMFILE/ENFILE
  uint64_t kept = 0;       // kept descriptors held now
};

class FdCache {
 public:
  // budget >= 1.
  explicit FdCache(size_t budget) : budget_(budget) { lru_.prev = lru_.next = &lru_; }
  ~FdCache();
  FdCache(const FdCache&) = delete;
  FdCache& operator=(const FdCache&) = delete;

  size_t budget() const { return budget_; }
  FdStats stats() const;

  // The slot's descriptor, pinned (the most recently used from now on), or -1.
  int pin(FdSlot& s);
  void unpin(FdSlot& s);
  // Count a descriptor about to be opened, closing unpinned ones beyond the budget.
  void reserve();
  // The open after reserve() failed.
  void unreserve();
  // A descriptor opened after reserve() becomes the slot's and is pinned; when the
  // slot got one meanwhile, that one is pinned and `fd` closed. The pinned descriptor.
  int install(FdSlot& s, int fd);
  // The same, without pinning it.
  void adopt(FdSlot& s, int fd);
  // A descriptor opened after reserve() for one operation only: close it.
  void close_private(int fd);
  // The slot's descriptor (pinned by the caller) is never evicted from now on.
  void keep(FdSlot& s);
  // Close the descriptors of an inode's slots; nothing may pin them any more.
  void drop(FdSlot* slots, size_t n);
  // Close every unpinned descriptor; returns how many.
  size_t shrink();

  // `open` returns a descriptor or -1 with errno set. When it fails for lack of
  // descriptors (EMFILE, ENFILE), the cache gives up its unpinned ones and `open`
  // runs once more.
  template <class Open>
  int open_retrying(Open&& open) {
    int fd = open();
    if (fd >= 0 || (errno != EMFILE && errno != ENFILE)) return count_open(fd);
    note_emfile_retry();
    shrink();
    return count_open(open());
  }

 private:
  int count_open(int fd);
  void note_emfile_retry();
  // Unlink s from the list.
  void unlink(FdSlot& s) RCUVFS_REQUIRES(mu_);
  void push_front(FdSlot& s) RCUVFS_REQUIRES(mu_);
  // Move unpinned descriptors (least recently used first) into `out` until at most
  // `keep` are held.
  void evict_to(size_t keep, std::vector<int>& out) RCUVFS_REQUIRES(mu_);
  static void close_all(const std::vector<int>& fds);

  const size_t budget_;
  mutable Mutex mu_;
  FdSlot lru_ RCUVFS_GUARDED_BY(mu_);  // list head: lru_.next is the most recently used
  FdStats stats_ RCUVFS_GUARDED_BY(mu_);
};

// A pinned descriptor for the length of one operation: released (unpinned, or closed
// when it was private to the operation) when it goes out of scope.
class HostFd {
 public:
  HostFd() = default;
  // A slot's descriptor, pinned by the caller.
  HostFd(FdCache* cache, FdSlot* slot, int fd) : cache_(cache), slot_(slot), fd_(fd) {}
  // A descriptor that outlives every operation (the instance's root): never released.
  static HostFd fixed(int fd) { return HostFd(nullptr, nullptr, fd); }
  // A descriptor of the operation's own, counted by `cache`: closed on release.
  static HostFd private_fd(FdCache* cache, int fd) { return HostFd(cache, nullptr, fd); }
  ~HostFd() { release(); }
  HostFd(HostFd&& o) noexcept
      : cache_(std::exchange(o.cache_, nullptr)),
        slot_(std::exchange(o.slot_, nullptr)),
        fd_(std::exchange(o.fd_, -1)) {}
  HostFd& operator=(HostFd&& o) noexcept {
    if (this != &o) {
      release();
      cache_ = std::exchange(o.cache_, nullptr);
      slot_ = std::exchange(o.slot_, nullptr);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }

  int get() const { return fd_; }
  FdSlot* slot() const { return slot_; }

 private:
  void release() {
    if (cache_) {
      if (slot_)
        cache_->unpin(*slot_);
      else
        cache_->close_private(fd_);
    }
    cache_ = nullptr;
    slot_ = nullptr;
    fd_ = -1;
  }

  FdCache* cache_ = nullptr;
  FdSlot* slot_ = nullptr;
  int fd_ = -1;
};

}  // namespace rcuvfs::hostfs
