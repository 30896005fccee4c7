// ObjectCache: an allocator for one size of object there are millions of (dentries,
// a filesystem's inodes), in the manner of the kernel's kmem_cache.
//
// Objects are carved from 64 KiB chunks with no per-object header and no rounding
// beyond 8 bytes (glibc's malloc adds 8 bytes and rounds to 16), and are handed out
// from a per-thread list that goes to and from the cache in batches, so that
// allocation and freeing take no lock most of the time.
//
// Memory goes back to the system. Each chunk is mapped on its own (mmap), aligned to
// its size so that an object's chunk is its address masked, and starts with a small
// header: how many of its objects are not free in it (handed out, or in a thread's
// list) and its own list of free objects. A thread's list gives objects back to their
// chunks a batch at a time (spill); a chunk whose objects are all free is unmapped,
// except for up to kReserveChunks per cache kept for the next refill, so that a
// create/unlink loop does not map and unmap a chunk at every batch. A refill takes
// from the fullest chunks that have free objects first, so that the emptier ones
// drain, then from the reserve, and maps a new chunk last. What stays pinned while a
// thread lives: the at most 2 x batch objects of its list per cache (a thread that
// only frees, as liburcu's callback thread, keeps its most recent ones and gives the
// older back), and the chunks they are in.
//
// Under AddressSanitizer and ThreadSanitizer every cache hands out malloc'd objects
// instead (unless made with `pooled` set), so that the sanitizers keep seeing each
// object's lifetime.
//
// Fields: the per-thread lists belong to their thread; chunk headers, the chunks'
// free lists, partial_, reserve_ and chunks_ are guarded by mutex_, a leaf lock.
// Thread safety: alloc and free from any thread; an object may be freed by another
// thread than the one that allocated it (the RCU callback thread frees most).
// Lifetime: a cache is never destroyed (make it a static or leak it): threads keep
// the cache's free objects in their lists until they exit.
#pragma once

#include <rcuvfs/fs/sanitizers.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace rcuvfs {

class ObjectCache {
 public:
#if defined(RCUVFS_ASAN) || defined(RCUVFS_TSAN)
  static constexpr bool kPooledByDefault = false;
#else
  static constexpr bool kPooledByDefault = true;
#endif
  static constexpr size_t kChunkBytes = 64 * 1024;
  // Empty chunks a cache keeps mapped for its next refills.
  static constexpr int kReserveChunks = 2;

  // Objects of `size` bytes (rounded up to 8), aligned to 8. Objects larger than an
  // eighth of a chunk come from malloc.
  explicit ObjectCache(size_t size, bool pooled = kPooledByDefault);
  ~ObjectCache() = delete;
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  void* alloc();
  void free(void* p);

  size_t object_size() const { return size_; }
  // Bytes taken from the system for objects (chunks mapped, or what malloc was asked
  // for).
  size_t bytes_reserved() const;

  struct FreeObject {
    FreeObject* next;
  };
  struct Chunk;  // a chunk's header (object_cache.cc)

 private:
  friend struct ThreadObjectLists;
  static constexpr int kBins = 16;

  // Refill the calling thread's list (empty) with up to a batch; the first object.
  void* refill(FreeObject*& head, uint32_t& count);
  // Give all but the `keep` most recent objects of the calling thread's list back to
  // their chunks.
  void spill(FreeObject*& head, uint32_t& count, uint32_t keep);

  // ---- under mutex_ ----
  // Move objects from c to the list until it holds `want` or c has none free.
  void take_locked(Chunk* c, FreeObject*& head, uint32_t& count, uint32_t want);
  // o back to its chunk; a chunk left empty goes to the reserve, or to `unmap`.
  void give_back_locked(FreeObject* o, Chunk** unmap, size_t& n_unmap);
  // c's in_use changed from `was`: move it to the bin of its new fullness.
  void rebin_locked(Chunk* c, uint32_t was);
  uint32_t bin_of(uint32_t in_use) const { return in_use * kBins / per_chunk_; }
  Chunk* map_chunk_locked();

  const size_t size_;
  uint32_t per_chunk_ = 0;  // objects in a chunk
  // Slot in the per-thread lists; -1: not pooled (or no slot left: the first 64
  // pooled caches get one), objects come from malloc.
  int index_ = -1;

  mutable std::mutex mutex_;  // guards what follows, and every chunk header
  // Chunks with objects both free and not, by bin_of(in_use); Chunk::pos is the index.
  std::vector<Chunk*> partial_[kBins];
  Chunk* reserve_[kReserveChunks] = {};  // empty chunks
  int reserved_ = 0;
  size_t chunks_ = 0;  // mapped, reserve included
  std::atomic<size_t> malloced_{0};  // bytes handed out when not pooled
};

}  // namespace rcuvfs
