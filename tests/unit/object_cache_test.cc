// ObjectCache (pooled, as in normal builds, also when this test runs under a
// sanitizer): live objects never overlap, freed memory is reused (also memory freed by
// another thread, or held by a thread that exited) instead of taking more chunks.
#include <rcuvfs/fs/object_cache.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

using rcuvfs::ObjectCache;

ObjectCache& make_cache(size_t size) { return *new ObjectCache(size, /*pooled=*/true); }

void stamp(void* p, size_t size, uint64_t v) {
  for (size_t i = 0; i + 8 <= size; i += 8) std::memcpy(static_cast<char*>(p) + i, &v, 8);
}
bool stamped(const void* p, size_t size, uint64_t v) {
  for (size_t i = 0; i + 8 <= size; i += 8)
    if (std::memcmp(static_cast<const char*>(p) + i, &v, 8) != 0) return false;
  return true;
}

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
  EXPECT_LE(c.bytes_reserved(), (20000 * 104 / 65536 + 2) * 65536u);
  for (void* p : objs) c.free(p);
}

TEST(ObjectCache, FreedMemoryIsReused) {
  ObjectCache& c = make_cache(96);
  std::vector<void*> objs;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 10000; ++i) objs.push_back(c.alloc());
    const size_t reserved = c.bytes_reserved();
    for (void* p : objs) c.free(p);
    objs.clear();
    for (int i = 0; i < 10000; ++i) objs.push_back(c.alloc());
    EXPECT_EQ(c.bytes_reserved(), reserved) << "round " << round;
    for (void* p : objs) c.free(p);
    objs.clear();
  }
}

TEST(ObjectCache, ObjectsOfAnExitedThreadAreReused) {
  ObjectCache& c = make_cache(64);
  std::thread([&] {
    std::vector<void*> objs;
    for (int i = 0; i < 5000; ++i) objs.push_back(c.alloc());
    for (void* p : objs) c.free(p);  // most stay in this thread's list
  }).join();
  const size_t reserved = c.bytes_reserved();
  std::vector<void*> objs;
  for (int i = 0; i < 5000; ++i) objs.push_back(c.alloc());
  EXPECT_EQ(c.bytes_reserved(), reserved);
  for (void* p : objs) c.free(p);
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
  EXPECT_LE(c.bytes_reserved(), 16 * 65536u);
}

}  // namespace
