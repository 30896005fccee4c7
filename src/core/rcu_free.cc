// rcu_free: deferred freeing for objects that carry no RcuHead.
//
// The objects wait in a shared batch. A batch is open from when it is made until its
// first grace period has passed: every rcu_free meanwhile appends to it. Its own head
// first carries `close`, queued when the batch opens; once that has run nothing more
// is appended, and the head is queued again with `drain`, which runs after a second
// grace period. That one began after the last append, which is what the objects need
// (each was unpublished before it was appended). A batch that fills up is closed
// early; its `close` still comes and still waits for the second grace period.
#include "core/rcu.h"

#include <rcuvfs/fs/mutex.h>

#include <cstdint>
#include <mutex>

namespace rcuvfs {

namespace {
struct Batch {
  RcuHead head;  // first: the callbacks get the batch from the head's address
  uint32_t n = 0;
  struct Item {
    void* obj;
    void (*fn)(void*);
  } items[255];
};

Mutex g_mutex;
Batch* g_open RCUVFS_GUARDED_BY(g_mutex) = nullptr;  // the batch rcu_free appends to

void drain(RcuHead* h) {
  core::rcu_in_callback();
  auto* b = reinterpret_cast<Batch*>(h);
  for (uint32_t i = 0; i < b->n; ++i) b->items[i].fn(b->items[i].obj);
  delete b;
}

void close(RcuHead* h) {
  core::rcu_in_callback();
  auto* b = reinterpret_cast<Batch*>(h);
  {
    MutexLock g(g_mutex);
    if (g_open == b) g_open = nullptr;
  }
  rcu_defer(&b->head, drain);
}
}  // namespace

void rcu_free(void* obj, void (*fn)(void*)) {
  MutexLock g(g_mutex);
  Batch* b = g_open;
  if (!b) {
    b = g_open = new Batch;
    rcu_defer(&b->head, close);
  }
  b->items[b->n++] = {obj, fn};
  if (b->n == std::size(b->items)) g_open = nullptr;
}

}  // namespace rcuvfs
