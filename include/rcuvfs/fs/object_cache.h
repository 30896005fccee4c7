// ObjectCache: an allocator for one size of object there are millions of (dentries,
// a filesystem's inodes), in the manner of the kernel's kmem_cache.
//
// Objects are carved from 64 KiB chunks with no per-object header and no rounding
// beyond 8 bytes (glibc's malloc adds 8 bytes and rounds to 16), and are handed out
// from a per-thread list that goes to and from a shared pool in batches, so that
// allocation and freeing take no lock most of the time. Freed memory goes back to the
// cache, never to the system: a cache only grows, to the most objects it ever held
// at once.
//
// Under AddressSanitizer and ThreadSanitizer every cache hands out malloc'd objects
// instead (unless made with `pooled` set), so that the sanitizers keep seeing each
// object's lifetime.
//
// Thread safety: alloc and free from any thread; an object may be freed by another
// thread than the one that allocated it (the RCU callback thread frees most).
// Lifetime: a cache is never destroyed (make it a static or leak it): threads keep
// the cache's free objects in their lists until they exit.
#pragma once

#include <rcuvfs/fs/tsan.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace rcuvfs {

class ObjectCache {
 public:
#if defined(__SANITIZE_ADDRESS__) || defined(RCUVFS_TSAN)
  static constexpr bool kPooledByDefault = false;
#else
  static constexpr bool kPooledByDefault = true;
#endif

  // Objects of `size` bytes (rounded up to 8), aligned to 8.
  explicit ObjectCache(size_t size, bool pooled = kPooledByDefault);
  ~ObjectCache() = delete;
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  void* alloc();
  void free(void* p);

  size_t object_size() const { return size_; }
  // Bytes taken from the system for objects (chunks, or what malloc was asked for).
  size_t bytes_reserved() const;

  struct FreeObject {
    FreeObject* next;
  };

 private:
  friend struct ThreadObjectLists;
  // Refill the calling thread's list (empty) with up to a batch; the first object.
  void* refill(FreeObject*& head, uint32_t& count);
  // Move a batch from the calling thread's list (full) to the pool.
  void spill(FreeObject*& head, uint32_t& count, uint32_t keep);

  const size_t size_;
  // Slot in the per-thread lists; -1: not pooled (or no slot left: the first 64
  // pooled caches get one), objects come from malloc.
  int index_ = -1;

  mutable std::mutex mutex_;  // guards what follows
  FreeObject* pool_ = nullptr;
  char* chunk_next_ = nullptr;
  char* chunk_end_ = nullptr;
  std::vector<void*> chunks_;
  std::atomic<size_t> malloced_{0};  // bytes handed out when not pooled
};

}  // namespace rcuvfs
