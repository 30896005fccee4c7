#include "core/counters.h"

#include <mutex>
#include <vector>

namespace rcuvfs {

Counters& Counters::operator+=(const Counters& o) {
  for (size_t i = 0; i < counter.size(); ++i) counter[i] += o.counter[i];
  for (size_t i = 0; i < echild.size(); ++i) echild[i] += o.echild[i];
  return *this;
}

Counters Counters::operator-(const Counters& o) const {
  Counters r = *this;
  for (size_t i = 0; i < counter.size(); ++i) r.counter[i] -= o.counter[i];
  for (size_t i = 0; i < echild.size(); ++i) r.echild[i] -= o.echild[i];
  return r;
}

std::string_view Counters::name(Counter c) {
  switch (c) {
    case Counter::kStatSpeculative: return "stat_speculative";
    case Counter::kStatFallback: return "stat_fallback";
    case Counter::kAccessSpeculative: return "access_speculative";
    case Counter::kAccessFallback: return "access_fallback";
    case Counter::kStatfsSpeculative: return "statfs_speculative";
    case Counter::kStatfsFallback: return "statfs_fallback";
    case Counter::kGetxattrSpeculative: return "getxattr_speculative";
    case Counter::kGetxattrFallback: return "getxattr_fallback";
    case Counter::kListxattrSpeculative: return "listxattr_speculative";
    case Counter::kListxattrFallback: return "listxattr_fallback";
    case Counter::kReadlinkSpeculative: return "readlink_speculative";
    case Counter::kReadlinkFallback: return "readlink_fallback";
    case Counter::kUnlazy: return "unlazy";
    case Counter::kRestart: return "restart";
    case Counter::kWalkRcu: return "walk_rcu";
    case Counter::kWalkRef: return "walk_ref";
    case Counter::kDcacheHit: return "dcache_hit";
    case Counter::kDcacheMiss: return "dcache_miss";
    case Counter::kCount: break;
  }
  return "?";
}

std::string_view Counters::name(Echild e) {
  switch (e) {
    case Echild::kDentrySeq: return "echild_dentry_seq";
    case Echild::kMountSeq: return "echild_mount_seq";
    case Echild::kRenameSeq: return "echild_rename_seq";
    case Echild::kDcacheMiss: return "echild_dcache_miss";
    case Echild::kFsRefused: return "echild_fs_refused";
    case Echild::kSecurityRefused: return "echild_security_refused";
    case Echild::kRevalidate: return "echild_revalidate_refused";
    case Echild::kSymlink: return "echild_symlink_refused";
    case Echild::kAttrRetry: return "echild_attr_retry";
    case Echild::kAtime: return "echild_atime";
    case Echild::kCount: break;
  }
  return "?";
}

namespace core {

RCUVFS_TLS_FAST constinit thread_local ThreadCounters* t_counters = nullptr;

namespace {
std::mutex g_lock;
std::vector<ThreadCounters*>& live() {
  static auto* v = new std::vector<ThreadCounters*>;
  return *v;
}
Counters& retired() {
  static auto* c = new Counters;
  return *c;
}

void add(Counters& out, const ThreadCounters& t) {
  for (size_t i = 0; i < out.counter.size(); ++i)
    out.counter[i] += t.counter[i].load(std::memory_order_relaxed);
  for (size_t i = 0; i < out.echild.size(); ++i)
    out.echild[i] += t.echild[i].load(std::memory_order_relaxed);
}

// Owns this thread's block; folds it into the retired totals at thread exit.
struct Owner {
  ThreadCounters block;
  Owner() {
    std::lock_guard g(g_lock);
    live().push_back(&block);
  }
  ~Owner() {
    std::lock_guard g(g_lock);
    add(retired(), block);
    std::erase(live(), &block);
    t_counters = nullptr;
  }
};
}  // namespace

ThreadCounters& thread_counters_slow() {
  thread_local Owner owner;
  t_counters = &owner.block;
  return owner.block;
}

Counters sum_counters() {
  std::lock_guard g(g_lock);
  Counters c = retired();
  for (ThreadCounters* t : live()) add(c, *t);
  return c;
}

}  // namespace core
}  // namespace rcuvfs
