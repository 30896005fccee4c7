// ObjectCache (pooled, as in normal builds, also when this test runs under a
// sanitizer): live objects never overlap and are never handed out twice, freed memory
// is reused, and memory whose objects are all freed goes back to the system, whichever
// thread freed them; end to end, a memfs namespace gives its memory back after a mass
// deletion.
#include <rcuvfs/fs/object_cache.h>
#include <rcuvfs/fs/rcu.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

using rcuvfs::ObjectCache;

constexpr size_t kChunk = ObjectCache::kChunkBytes;

ObjectCache& make_cache(size_t size) { return *new ObjectCache(size, /*pooled=*/true); }

void stamp(void* p, size_t size, uint64_t v) {
  for (size_t i = 0; i + 8 <= size; i += 8) std::memcpy(static_cast<char*>(p) + i, &v, 8);
}
bool stamped(const void* p, size_t size, uint64_t v) {
  for (size_t i = 0; i + 8 <= size; i += 8)
    if (std::memcmp(static_cast<const char*>(p) + i, &v, 8) != 0) return false;
  return true;
}
uintptr_t chunk_of(const void* p) { return reinterpret_cast<uintptr_t>(p) & ~(kChunk - 1); }

TEST(ObjectCache, SizesAreWholeWords) {
  EXPECT_EQ(make_cache(1).object_size(), 8u);
  EXPECT_EQ(make_cache(13).object_size(), 16u);
  EXPECT_EQ(make_cache(120).object_size(), 120u);
}

TEST(ObjectCache, LiveObjectsAreDistinctAligned_AndKeepTheirBytes) {
  ObjectCache& c = make_cache(104);
  std::vector<void*> objs;
  for (uint64_t i = 0; i < 20000; ++i) {
    void* p = c.alloc();
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u);
    stamp(p, c.object_size(), i);
    objs.push_back(p);
  }
  for (uint64_t i = 0; i < objs.size(); ++i)
    ASSERT_TRUE(stamped(objs[i], c.object_size(), i)) << "object " << i << " overwritten";
  // 20 000 objects of 104 bytes fill about 32 chunks of 64 KiB: no per-object overhead.
  EXPECT_LE(c.bytes_reserved(), (20000 * 104 / kChunk + 2) * kChunk);
  for (void* p : objs) c.free(p);
}

TEST(ObjectCache, FreedMemoryIsReused) {
  ObjectCache& c = make_cache(96);
  std::vector<void*> objs;
  for (int i = 0; i < 10000; ++i) objs.push_back(c.alloc());
  const size_t most = c.bytes_reserved();
  for (int round = 0; round < 5; ++round) {
    for (void* p : objs) c.free(p);
    objs.clear();
    for (int i = 0; i < 10000; ++i) objs.push_back(c.alloc());
    EXPECT_LE(c.bytes_reserved(), most) << "round " << round;
  }
  for (void* p : objs) c.free(p);
}

// The cache is back to (near) nothing once every object is freed: what the calling
// thread's list holds (at most 128 objects, here from the last two chunks) and the
// reserve.
constexpr size_t kAfterFreeingAll = (ObjectCache::kReserveChunks + 2) * kChunk;

TEST(ObjectCache, MemoryGoesBackWhenEveryObjectIsFreed) {
  ObjectCache& c = make_cache(104);
  std::vector<void*> objs;
  for (int i = 0; i < 200000; ++i) objs.push_back(c.alloc());
  EXPECT_GE(c.bytes_reserved(), 200000 * 104u);
  for (void* p : objs) c.free(p);
  EXPECT_LE(c.bytes_reserved(), kAfterFreeingAll);
  // And it grows again as needed.
  objs.clear();
  for (int i = 0; i < 200000; ++i) objs.push_back(c.alloc());
  EXPECT_GE(c.bytes_reserved(), 200000 * 104u);
  for (void* p : objs) c.free(p);
  EXPECT_LE(c.bytes_reserved(), kAfterFreeingAll);
}

TEST(ObjectCache, MemoryGoesBackWhenAnotherThreadFrees) {
  ObjectCache& c = make_cache(104);
  std::vector<void*> objs;
  for (int i = 0; i < 200000; ++i) objs.push_back(c.alloc());
  std::mutex m;
  std::condition_variable cv;
  bool freed = false, checked = false;
  std::thread other([&] {
    for (void* p : objs) c.free(p);
    std::unique_lock l(m);
    freed = true;
    cv.notify_all();
    cv.wait(l, [&] { return checked; });
  });
  {
    std::unique_lock l(m);
    cv.wait(l, [&] { return freed; });
    // While it lives, the other thread's list holds the objects it freed last, and
    // this thread's list what its last refill left: all in the last chunk. A thread
    // that only frees (as liburcu's callback thread) keeps none of its first ones.
    EXPECT_LE(c.bytes_reserved(), (ObjectCache::kReserveChunks + 1) * kChunk);
    checked = true;
    cv.notify_all();
  }
  other.join();
  // Its list went back at its exit.
  EXPECT_LE(c.bytes_reserved(), kAfterFreeingAll);
}

TEST(ObjectCache, ObjectsOfAnExitedThreadGoBack) {
  ObjectCache& c = make_cache(64);
  std::thread([&] {
    std::vector<void*> objs;
    for (int i = 0; i < 5000; ++i) objs.push_back(c.alloc());
    for (void* p : objs) c.free(p);  // the last ones stay in this thread's list
  }).join();
  EXPECT_EQ(c.bytes_reserved(), ObjectCache::kReserveChunks * kChunk);
}

// Empty chunks in the reserve are handed out again before a new chunk is mapped.
TEST(ObjectCache, ReserveChunksAreReused) {
  ObjectCache& c = make_cache(104);
  std::set<uintptr_t> chunks;
  std::thread([&] {
    std::vector<void*> objs;
    for (int i = 0; i < 3000; ++i) objs.push_back(c.alloc());
    for (void* p : objs) chunks.insert(chunk_of(p));
    for (void* p : objs) c.free(p);
  }).join();
  ASSERT_GE(chunks.size(), 4u);
  ASSERT_EQ(c.bytes_reserved(), ObjectCache::kReserveChunks * kChunk);
  std::thread([&] {
    // Two chunks' worth (a chunk holds one object less than kChunk / 104, for its
    // header), less what a refill may leave in the list.
    const size_t n = ObjectCache::kReserveChunks * (kChunk / 104 - 1) - 64;
    std::vector<void*> objs;
    for (size_t i = 0; i < n; ++i) objs.push_back(c.alloc());
    EXPECT_EQ(c.bytes_reserved(), ObjectCache::kReserveChunks * kChunk);
    size_t outside = 0;
    for (void* p : objs) outside += !chunks.count(chunk_of(p));
    EXPECT_EQ(outside, 0u) << "objects not from the chunks freed before";
    for (void* p : objs) c.free(p);
  }).join();
}

// Threads allocate, stamp, pass objects to each other and free them, growing and
// shrinking their holdings so that chunks are emptied, unmapped and mapped again all
// the time. The checker: a registry of live objects (an object handed out while
// registered was handed out twice), and every object's stamp intact when it is freed
// (objects that overlap overwrite each other's).
TEST(ObjectCache, NoObjectIsHandedOutTwice) {
  ObjectCache& c = make_cache(48);
  constexpr int kThreads = 4, kShards = 64;
  struct Shard {
    std::mutex m;
    std::unordered_set<void*> live;
  };
  std::array<Shard, kShards> registry;
  auto shard = [&](void* p) -> Shard& {
    return registry[(reinterpret_cast<uintptr_t>(p) >> 4) % kShards];
  };
  std::mutex handoff_m;
  std::vector<std::pair<void*, uint64_t>> handoff;
  std::atomic<long> twice{0}, overwritten{0}, allocs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<std::pair<void*, uint64_t>> mine;
      auto release = [&](std::pair<void*, uint64_t> o) {
        if (!stamped(o.first, c.object_size(), o.second)) ++overwritten;
        {
          Shard& s = shard(o.first);
          std::lock_guard g(s.m);
          s.live.erase(o.first);
        }
        c.free(o.first);
      };
      uint64_t serial = 0;
      for (int phase = 0; phase < 40; ++phase) {
        const size_t target = rng() % 6000;
        while (mine.size() < target) {
          void* p = c.alloc();
          ++allocs;
          {
            Shard& s = shard(p);
            std::lock_guard g(s.m);
            if (!s.live.insert(p).second) ++twice;
          }
          const uint64_t v = uint64_t(t) << 48 | ++serial;
          stamp(p, c.object_size(), v);
          mine.emplace_back(p, v);
        }
        // Some go to another thread, the rest are freed here.
        {
          std::lock_guard g(handoff_m);
          for (size_t i = 0; i < mine.size() / 4; ++i) {
            handoff.push_back(mine.back());
            mine.pop_back();
          }
        }
        while (mine.size() > target / 8) {
          release(mine.back());
          mine.pop_back();
        }
        std::vector<std::pair<void*, uint64_t>> taken;
        {
          std::lock_guard g(handoff_m);
          taken.swap(handoff);
        }
        for (auto& o : taken) release(o);
      }
      for (auto& o : mine) release(o);
    });
  for (auto& th : threads) th.join();
  for (auto& o : handoff) {
    if (!stamped(o.first, c.object_size(), o.second)) ++overwritten;
    c.free(o.first);
  }
  EXPECT_EQ(twice.load(), 0);
  EXPECT_EQ(overwritten.load(), 0);
  EXPECT_GT(allocs.load(), 100000);
  EXPECT_LE(c.bytes_reserved(), kAfterFreeingAll);
}

// Producers allocate and stamp objects, consumers on other threads check the stamps
// and free them, all at once: every object arrives intact, and the cache holds no
// more than the most objects alive at a time plus each thread's lists.
TEST(ObjectCache, AllocateHereFreeThere) {
  ObjectCache& c = make_cache(120);
  constexpr int kProducers = 2, kPerProducer = 50000, kInFlight = 256;
  std::mutex m;
  std::vector<std::pair<void*, uint64_t>> queue;
  std::atomic<int> done{0};
  std::atomic<long> bad{0}, freed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kProducers; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerProducer; ++i) {
        const uint64_t v = uint64_t(t) << 32 | uint64_t(i);
        void* p = c.alloc();
        stamp(p, c.object_size(), v);
        for (;;) {
          std::lock_guard g(m);
          if (queue.size() < kInFlight) {
            queue.emplace_back(p, v);
            break;
          }
        }
      }
      ++done;
    });
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&] {
      for (;;) {
        std::pair<void*, uint64_t> item{nullptr, 0};
        {
          std::lock_guard g(m);
          if (!queue.empty()) {
            item = queue.back();
            queue.pop_back();
          } else if (done == kProducers) {
            return;
          }
        }
        if (!item.first) continue;
        if (!stamped(item.first, c.object_size(), item.second)) ++bad;
        c.free(item.first);
        ++freed;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(freed.load(), kProducers * kPerProducer);
  // In flight: the queue, plus up to ~3 batches of 64 in each of 4 threads' lists.
  EXPECT_LE(c.bytes_reserved(), 16 * kChunk);
}

size_t rss_bytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// End to end: the dentries and memfs inodes of 200 000 files go back to the system
// once the files are unlinked and the RCU callbacks that free them have run.
TEST(ObjectCache, MemfsGivesMemoryBackAfterMassUnlink) {
  if (!ObjectCache::kPooledByDefault) GTEST_SKIP() << "the caches hand out malloc's objects";
  auto v = rcuvfs::Vfs::create("memfs", "");
  ASSERT_TRUE(v.ok());
  auto task = (*v)->new_task();
  ASSERT_TRUE(task->mkdirat(AT_FDCWD, "/d", 0755).ok());
  constexpr int kFiles = 200000;
  const size_t before = rss_bytes();
  for (int i = 0; i < kFiles; ++i)
    ASSERT_TRUE(task->mknodat(AT_FDCWD, "/d/f" + std::to_string(i), S_IFREG | 0644, 0).ok());
  const size_t created = rss_bytes();
  for (int i = 0; i < kFiles; ++i)
    ASSERT_TRUE(task->unlinkat(AT_FDCWD, "/d/f" + std::to_string(i), 0).ok());
  // rcu_free waits two grace periods, and a callback may queue another.
  for (int i = 0; i < 3; ++i) rcuvfs::rcu_barrier();
  const size_t after = rss_bytes();
  const long added = static_cast<long>(created - before) / 1024;
  const long given_back = (static_cast<long>(created) - static_cast<long>(after)) / 1024;
  std::printf("RSS: %zu KiB before, %zu KiB with %d files (%+ld), %zu KiB after unlinking "
              "them (%+ld)\n",
              before / 1024, created / 1024, kFiles, added, after / 1024, -given_back);
  // 200 000 x (80-byte dentry + 112-byte inode) = 38.4 MB. What stays is mostly the
  // dcache's hash table: 200 000 names touch every page of its 8 MiB of chain heads.
  ASSERT_GE(added, 30 << 10);
  EXPECT_GE(given_back, added * 2 / 3);
}

}  // namespace
