// rcu_free: an object goes only after every reader that could have seen it has left
// its read-side section, every object goes exactly once, and rcu_barrier waits for all
// of them (also past a full batch).
#include <rcuvfs/fs/rcu.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

std::atomic<int> g_freed{0};

struct Obj {
  std::atomic<bool> alive{true};
  int value = 0;
};

void free_obj(void* p) {
  auto* o = static_cast<Obj*>(p);
  o->alive.store(false, std::memory_order_relaxed);
  delete o;
  g_freed.fetch_add(1, std::memory_order_relaxed);
}

TEST(RcuFree, WaitsForAReaderThatCouldSeeTheObject) {
  g_freed = 0;
  std::atomic<bool> inside{false}, leave{false};
  std::thread reader([&] {
    rcuvfs::RcuReadGuard g;
    inside = true;
    while (!leave) std::this_thread::sleep_for(1ms);
  });
  while (!inside) std::this_thread::sleep_for(1ms);
  rcuvfs::rcu_free(new Obj, free_obj);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(g_freed.load(), 0) << "freed while a reader was still inside";
  leave = true;
  reader.join();
  rcuvfs::rcu_barrier();
  EXPECT_EQ(g_freed.load(), 1);
}

TEST(RcuFree, BarrierWaitsForEveryObjectPastAFullBatch) {
  g_freed = 0;
  constexpr int kObjects = 1000;  // several batches of 255
  for (int i = 0; i < kObjects; ++i) rcuvfs::rcu_free(new Obj, free_obj);
  rcuvfs::rcu_barrier();
  EXPECT_EQ(g_freed.load(), kObjects);
}

// Writers replace a published object and rcu_free the old one; readers check, inside
// their sections, that what they loaded has not been freed (ASan also sees any
// use after free).
TEST(RcuFree, ReadersNeverSeeAFreedObject) {
  g_freed = 0;
  std::atomic<Obj*> slot{new Obj};
  std::atomic<bool> stop{false};
  std::atomic<long> dead_seen{0}, reads{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&] {
      long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        rcuvfs::RcuReadGuard g;
        Obj* o = slot.load(std::memory_order_acquire);
        for (int i = 0; i < 50; ++i)
          if (!o->alive.load(std::memory_order_relaxed) || o->value < 0) ++dead_seen;
        ++n;
      }
      reads += n;
    });
  constexpr int kWriters = 2, kPerWriter = 20000;
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        auto* o = new Obj;
        o->value = w * kPerWriter + i;
        rcuvfs::rcu_free(slot.exchange(o, std::memory_order_acq_rel), free_obj);
      }
    });
  for (int w = 0; w < kWriters; ++w) threads[2 + w].join();
  stop = true;
  threads[0].join();
  threads[1].join();
  rcuvfs::rcu_free(slot.load(), free_obj);
  rcuvfs::rcu_barrier();
  EXPECT_EQ(dead_seen.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(g_freed.load(), kWriters * kPerWriter + 1);
}

}  // namespace
