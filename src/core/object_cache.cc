#include <rcuvfs/fs/object_cache.h>

#include <sys/mman.h>

#include <atomic>
#include <cassert>
#include <new>

namespace rcuvfs {

// A chunk's header, at its start; its objects follow. Every field is guarded by the
// cache's mutex_. The objects of a chunk not free in it are in_use; the free ones are
// those never carved, [carved, per_chunk_), and those given back, on `free`.
struct ObjectCache::Chunk {
  FreeObject* free;
  uint16_t in_use;
  uint16_t carved;
  uint32_t pos;  // the chunk's index in partial_[bin_of(in_use)] while it is partial
};

namespace {
constexpr size_t kChunkBytes = ObjectCache::kChunkBytes;
constexpr uint32_t kBatch = 64;  // objects moved between a thread and the chunks at once
constexpr int kMaxCaches = 64;   // pooled caches; later ones hand out malloc's objects
// Small, so that the objects of the sizes in use (80-byte dentries, 112-byte memfs
// inodes) fit as many to a chunk as with no header at all.
static_assert(sizeof(ObjectCache::Chunk) == 16);

ObjectCache* g_caches[kMaxCaches];  // written once per slot, before the index is used
std::atomic<int> g_next_index{0};

ObjectCache::Chunk* chunk_of(const void* p) {
  return reinterpret_cast<ObjectCache::Chunk*>(reinterpret_cast<uintptr_t>(p) &
                                               ~uintptr_t{kChunkBytes - 1});
}

void* map_or_throw(size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return p;
}

// kChunkBytes of zeroed memory aligned to kChunkBytes, on a mapping of its own (glibc's
// malloc would give memory back only from the top of its heap). The kernel mostly
// places a mapping right below the previous one, so the first try is usually aligned.
ObjectCache::Chunk* map_chunk() {
  void* p = map_or_throw(kChunkBytes);
  if ((reinterpret_cast<uintptr_t>(p) & (kChunkBytes - 1)) == 0)
    return static_cast<ObjectCache::Chunk*>(p);
  ::munmap(p, kChunkBytes);
  char* const wide = static_cast<char*>(map_or_throw(2 * kChunkBytes));
  char* const start = reinterpret_cast<char*>(
      (reinterpret_cast<uintptr_t>(wide) + kChunkBytes - 1) & ~uintptr_t{kChunkBytes - 1});
  if (start != wide) ::munmap(wide, static_cast<size_t>(start - wide));
  if (start + kChunkBytes != wide + 2 * kChunkBytes)
    ::munmap(start + kChunkBytes, static_cast<size_t>(wide + kChunkBytes - start));
  return reinterpret_cast<ObjectCache::Chunk*>(start);
}
}  // namespace

// Each thread's lists of free objects, one per cache. At thread exit they go back to
// their chunks.
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
  if (!pooled || size_ > kChunkBytes / 8) return;
  per_chunk_ = static_cast<uint32_t>((kChunkBytes - sizeof(Chunk)) / size_);
  const int i = g_next_index.fetch_add(1, std::memory_order_relaxed);
  if (i < kMaxCaches) {
    g_caches[i] = this;
    index_ = i;
  }
}

size_t ObjectCache::bytes_reserved() const {
  std::lock_guard g(mutex_);
  return chunks_ * kChunkBytes + malloced_.load(std::memory_order_relaxed);
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
  {
    std::lock_guard g(mutex_);
    while (count < kBatch) {
      Chunk* c = nullptr;
      for (int b = kBins - 1; b >= 0 && !c; --b)
        if (!partial_[b].empty()) c = partial_[b].back();
      if (!c) {
        if (count) break;  // what the partial chunks had is enough for now
        c = reserved_ ? reserve_[--reserved_] : map_chunk_locked();
      }
      take_locked(c, head, count, kBatch);
    }
  }
  FreeObject* first = head;
  head = first->next;
  --count;
  return first;
}

void ObjectCache::spill(FreeObject*& head, uint32_t& count, uint32_t keep) {
  // The most recent objects stay (the next allocations, still in the CPU's cache); the
  // older ones go back, so that none stays for good in the list of a thread that only
  // frees.
  FreeObject* o = head;
  if (keep) {
    FreeObject* last = head;
    for (uint32_t i = 1; i < keep; ++i) last = last->next;
    o = last->next;
    last->next = nullptr;
  } else {
    head = nullptr;
  }
  assert(count <= 2 * kBatch + 1);
  count = keep;
  Chunk* unmap[2 * kBatch + 1];  // at most one chunk per object given back
  size_t n_unmap = 0;
  {
    std::lock_guard g(mutex_);
    while (o) {
      FreeObject* next = o->next;
      give_back_locked(o, unmap, n_unmap);
      o = next;
    }
  }
  for (size_t i = 0; i < n_unmap; ++i) ::munmap(unmap[i], kChunkBytes);
}

ObjectCache::Chunk* ObjectCache::map_chunk_locked() {
  Chunk* c = map_chunk();
  c->free = nullptr;
  c->in_use = 0;
  c->carved = 0;
  ++chunks_;
  return c;
}

void ObjectCache::take_locked(Chunk* c, FreeObject*& head, uint32_t& count, uint32_t want) {
  const uint32_t was = c->in_use;
  while (count < want && c->in_use < per_chunk_) {
    FreeObject* o = c->free;
    if (o)
      c->free = o->next;
    else
      o = reinterpret_cast<FreeObject*>(reinterpret_cast<char*>(c) + sizeof(Chunk) +
                                        c->carved++ * size_);
    o->next = head;
    head = o;
    ++count;
    ++c->in_use;
  }
  rebin_locked(c, was);
}

void ObjectCache::give_back_locked(FreeObject* o, Chunk** unmap, size_t& n_unmap) {
  Chunk* c = chunk_of(o);
  const uint32_t was = c->in_use;
  o->next = c->free;
  c->free = o;
  --c->in_use;
  rebin_locked(c, was);
  if (c->in_use) return;
  // Every object is free: the chunk starts afresh, in the reserve or unmapped.
  c->free = nullptr;
  c->carved = 0;
  if (reserved_ < kReserveChunks) {
    reserve_[reserved_++] = c;
  } else {
    unmap[n_unmap++] = c;
    --chunks_;
  }
}

void ObjectCache::rebin_locked(Chunk* c, uint32_t was) {
  const uint32_t now = c->in_use;
  const bool was_partial = was > 0 && was < per_chunk_;
  const bool partial = now > 0 && now < per_chunk_;
  if (was_partial && partial && bin_of(was) == bin_of(now)) return;
  if (was_partial) {
    std::vector<Chunk*>& v = partial_[bin_of(was)];
    Chunk* moved = v.back();
    v[c->pos] = moved;
    moved->pos = c->pos;
    v.pop_back();
  }
  if (partial) {
    std::vector<Chunk*>& v = partial_[bin_of(now)];
    c->pos = static_cast<uint32_t>(v.size());
    v.push_back(c);
  }
}

}  // namespace rcuvfs
