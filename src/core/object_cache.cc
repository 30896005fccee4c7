#include <rcuvfs/fs/object_cache.h>

#include <atomic>
#include <new>

namespace rcuvfs {

namespace {
constexpr size_t kChunkBytes = 64 * 1024;
constexpr uint32_t kBatch = 64;  // objects moved between a thread and the pool at once
constexpr int kMaxCaches = 64;   // pooled caches; later ones hand out malloc's objects

ObjectCache* g_caches[kMaxCaches];  // written once per slot, before the index is used
std::atomic<int> g_next_index{0};
}  // namespace

// Each thread's lists of free objects, one per cache. At thread exit they go back to
// their caches' pools.
struct ThreadObjectLists {
  struct List {
    ObjectCache::FreeObject* head = nullptr;
    uint32_t count = 0;
  };
  List lists[kMaxCaches];

  ~ThreadObjectLists() {
    for (int i = 0; i < kMaxCaches; ++i)
      if (lists[i].count) g_caches[i]->spill(lists[i].head, lists[i].count, 0);
  }
};

namespace {
thread_local ThreadObjectLists t_lists;
}

ObjectCache::ObjectCache(size_t size, bool pooled)
    : size_(size < 8 ? 8 : (size + 7) & ~size_t{7}) {
  if (!pooled) return;
  const int i = g_next_index.fetch_add(1, std::memory_order_relaxed);
  if (i < kMaxCaches) {
    g_caches[i] = this;
    index_ = i;
  }
}

size_t ObjectCache::bytes_reserved() const {
  std::lock_guard g(mutex_);
  return chunks_.size() * kChunkBytes + malloced_.load(std::memory_order_relaxed);
}

void* ObjectCache::alloc() {
  if (index_ < 0) {
    malloced_.fetch_add(size_, std::memory_order_relaxed);
    return ::operator new(size_);
  }
  ThreadObjectLists::List& l = t_lists.lists[index_];
  if (!l.head) return refill(l.head, l.count);
  FreeObject* o = l.head;
  l.head = o->next;
  --l.count;
  return o;
}

void ObjectCache::free(void* p) {
  if (index_ < 0) {
    malloced_.fetch_sub(size_, std::memory_order_relaxed);
    ::operator delete(p);
    return;
  }
  auto* o = static_cast<FreeObject*>(p);
  ThreadObjectLists::List& l = t_lists.lists[index_];
  o->next = l.head;
  l.head = o;
  if (++l.count > 2 * kBatch) spill(l.head, l.count, kBatch);
}

void* ObjectCache::refill(FreeObject*& head, uint32_t& count) {
  std::lock_guard g(mutex_);
  while (count < kBatch) {
    if (pool_) {
      FreeObject* o = pool_;
      pool_ = o->next;
      o->next = head;
      head = o;
    } else {
      if (static_cast<size_t>(chunk_end_ - chunk_next_) < size_) {
        if (count) break;  // what the pool had is enough for now
        chunk_next_ = static_cast<char*>(::operator new(kChunkBytes));
        chunk_end_ = chunk_next_ + kChunkBytes;
        chunks_.push_back(chunk_next_);
      }
      auto* o = reinterpret_cast<FreeObject*>(chunk_next_);
      chunk_next_ += size_;
      o->next = head;
      head = o;
    }
    ++count;
  }
  FreeObject* first = head;
  head = first->next;
  --count;
  return first;
}

void ObjectCache::spill(FreeObject*& head, uint32_t& count, uint32_t keep) {
  // Detach all but `keep` objects from the front of the thread's list.
  FreeObject* first = head;
  FreeObject* last = head;
  for (uint32_t i = 1; i < count - keep; ++i) last = last->next;
  head = last->next;
  count = keep;
  std::lock_guard g(mutex_);
  last->next = pool_;
  pool_ = first;
}

}  // namespace rcuvfs
