// Dentry: a name in a directory, bound to an inode (positive) or to nothing
// (negative). The dentry cache (dcache.h) is the walker's map from (parent, name) to
// dentry; filesystems never see dentries.
//
// ---- Fields and what guards them --------------------------------------------------
//   seq        d_seq. Bumped (odd while changing) around every change of the
//              (parent, name, inode) binding: instantiate, delete, move, exchange.
//              Writers hold this dentry's d_lock.
//   inode      RCU-read under seq. null = negative.
//   parent     RCU-read under seq. A root points to itself. Holds a reference on the
//              parent for as long as it points to it.
//   name       RCU-read under seq. Immutable Name objects: a rename publishes a new
//              one and frees the old after a grace period.
//   flags      atomic bit set; kDLocked is d_lock (a spinlock bit); kDMounted is
//              read by RCU walkers and validated by mount_seq.
//   hash_next  dcache chain link, RCU-traversable; written under the bucket lock.
//   d_time     revalidating filesystems only: when the entry was cached or last
//              confirmed (coarse_ms clock); relaxed atomic, a hint for the fs's TTL.
//   refcount   lockref-style: one CAS to take a reference; kDead (<0) once the
//              dentry is being freed, after which no new reference can be taken.
//   children / sibling links
//              the list of child dentries (for readdir and teardown), guarded by
//              the d_lock of the parent. Never read under RCU.
//
// ---- Lock order (all of rcuvfs) -----------------------------------------------------
//   Superblock::rename_mutex
//     -> directory Inode::lock (ancestor first; otherwise lower address first; a
//        directory being removed or replaced after its parent)
//       -> non-directory Inode::lock (victims, source/target of rename; by address)
//         -> g_rename_lock (writer side of rename_seq)
//           -> Dentry d_lock (parent before child; for two unrelated: lower address)
//             -> dcache bucket lock
//   g_mount_lock (mount_seq writer) is taken alone or after the Inode locks, never
//   together with a d_lock held.
#pragma once

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/rcu.h>
#include <rcuvfs/fs/seqcount.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace rcuvfs::core {

// An immutable name with its hash. Allocated in one piece (inline in a dentry or
// separately after a rename).
struct Name {
  uint32_t hash;
  uint32_t len;
  char str[1];  // len bytes + NUL; allocated with the right size

  std::string_view view() const { return {str, len}; }
};

// FNV-1a over the bytes, folded to 32 bits. The walker hashes a component in the
// same pass that finds its end (hash_component).
inline constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ull;
inline uint32_t fold_hash(uint64_t h) { return static_cast<uint32_t>(h ^ (h >> 32)); }
inline uint32_t name_hash(std::string_view s) {
  uint64_t h = kFnvBasis;
  for (unsigned char c : s) h = (h ^ c) * kFnvPrime;
  return fold_hash(h);
}
// The length of the component at the start of `s` (up to '/' or the end) and its
// hash, in one pass.
inline size_t hash_component(std::string_view s, uint32_t* hash) {
  uint64_t h = kFnvBasis;
  size_t i = 0;
  for (; i < s.size() && s[i] != '/'; ++i) h = (h ^ static_cast<unsigned char>(s[i])) * kFnvPrime;
  *hash = fold_hash(h);
  return i;
}

// Intrusive list links for a directory's children. Cursors (readdir positions) are
// bare ListNodes in the same list.
struct ListNode {
  ListNode* prev = this;
  ListNode* next = this;
  bool is_cursor = false;
};

// Put `n` right after `after`. Caller holds the list owner's d_lock.
inline void list_insert_after(ListNode* after, ListNode* n) {
  n->prev = after;
  n->next = after->next;
  after->next->prev = n;
  after->next = n;
}
// Take `n` out of its list, leaving it linked to itself.
inline void list_del(ListNode* n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
  n->prev = n->next = n;
}

inline constexpr uint32_t kDLocked = 1u << 0;     // d_lock
inline constexpr uint32_t kDMounted = 1u << 1;    // something is mounted here
inline constexpr uint32_t kDUnhashed = 1u << 2;   // not in the dcache hash
inline constexpr uint32_t kDDeleted = 1u << 3;    // was unlinked (fdpath " (deleted)")
inline constexpr uint32_t kDPinned = 1u << 4;     // holds the fs's "entry exists" pin
inline constexpr uint32_t kDInList = 1u << 5;     // on its parent's children list

inline constexpr int32_t kDead = -(1 << 30);

struct Dentry {
  SeqCount seq;
  std::atomic<uint32_t> flags{kDUnhashed};
  std::atomic<Inode*> inode{nullptr};
  std::atomic<Dentry*> parent{nullptr};
  std::atomic<const Name*> name{nullptr};
  std::atomic<Dentry*> hash_next{nullptr};
  std::atomic<int32_t> refcount{1};
  std::atomic<uint32_t> d_time{0};  // fills the hole before sb: costs no memory
  Superblock* sb = nullptr;
  ListNode sibling;   // in parent's children list (under parent's d_lock)
  ListNode children;  // this directory's children (under this d_lock)
  RcuHead rcu;
  Name inline_name;   // must be last: the name bytes follow

  bool is_root() const { return parent.load(std::memory_order_relaxed) == this; }
  bool has_flag(uint32_t f) const { return flags.load(std::memory_order_acquire) & f; }

  void lock() {
    while (flags.fetch_or(kDLocked, std::memory_order_acquire) & kDLocked)
      while (flags.load(std::memory_order_relaxed) & kDLocked) __builtin_ia32_pause();
  }
  void unlock() { flags.fetch_and(~kDLocked, std::memory_order_release); }
  void set_flag(uint32_t f) { flags.fetch_or(f, std::memory_order_release); }
  void clear_flag(uint32_t f) { flags.fetch_and(~f, std::memory_order_release); }

  static Dentry* from_sibling(ListNode* n) {
    return reinterpret_cast<Dentry*>(reinterpret_cast<char*>(n) - offsetof(Dentry, sibling));
  }
};

// What readdir lists: a positive entry still in the dcache. Caller holds the parent's
// d_lock.
inline bool listed_entry(const Dentry* d) {
  return d->inode.load(std::memory_order_relaxed) &&
         !(d->flags.load(std::memory_order_relaxed) & kDUnhashed);
}

class DLockGuard {
 public:
  explicit DLockGuard(Dentry* d) : d_(d) { d_->lock(); }
  ~DLockGuard() { d_->unlock(); }
  DLockGuard(const DLockGuard&) = delete;
  DLockGuard& operator=(const DLockGuard&) = delete;

 private:
  Dentry* d_;
};

// ---- references ----
// Take a reference when the caller already holds one.
inline Dentry* dget(Dentry* d) {
  d->refcount.fetch_add(1, std::memory_order_relaxed);
  return d;
}
// Take a reference on a dentry found under RCU; false once it is dead.
inline bool dget_not_dead(Dentry* d) {
  int32_t c = d->refcount.load(std::memory_order_relaxed);
  while (c >= 0) {
    if (d->refcount.compare_exchange_weak(c, c + 1, std::memory_order_acquire,
                                          std::memory_order_relaxed))
      return true;
  }
  return false;
}
// Drop a reference; an unhashed dentry with no references left is freed.
void dput(Dentry* d);

}  // namespace rcuvfs::core
