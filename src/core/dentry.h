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
//   flags      atomic bit set; kDLocked is d_lock (a spinlock bit); kDMounted is
//              read by RCU walkers and validated by g_mount_seq. kDSearchAll is read
//              by RCU walkers in place of the inode's mode (see searchable_by_all);
//              set with the binding (under d_lock) and after a mode change (under
//              the inode's lock). kDSearchAllWatched, its counterpart on a
//              kSbAttrsWithEntries filesystem (see searchable_by_all_watched), is
//              set and cleared under the superblock cache's alias_mu only, by the
//              binding (alias_bound) and by rcuvfs::mode_changed, each reading the
//              mode under it: the last to run saw the last mode stored before it.
//              kDLru, kDLruDead: under the superblock's LRU
//              mutex; kDCold: set at birth and by the shrinker, cleared by any
//              walk that finds the entry (dcache_lru.h).
//   hash_next  dcache chain link, RCU-traversable; written under the bucket lock.
//   d_time     revalidating filesystems only: when the entry was cached or last
//              confirmed (coarse_ms clock); relaxed atomic, a hint for the fs's TTL.
//   refcount   lockref-style: one CAS to take or drop a reference that is not the
//              last; kDead (<0) once the dentry is being freed, after which no new
//              reference can be taken.
//   children / sibling links
//              the list of child dentries (for readdir and teardown; readdir cursors
//              are kDCursor dentries in it), guarded by the d_lock of the parent.
//              Never read under RCU. `sibling` shares its storage with `rcu`.
//   name_word, name_bytes
//              the name, read through d_name(). At first inline: name_word holds
//              its hash_len and name_bytes its bytes. A rename stores the address of
//              a separate immutable Name, tagged with kExternalName, in name_word
//              with release, under seq and d_lock, and frees the one it replaced
//              after a grace period. The name never goes back inline, so name_bytes
//              never change once the dentry is published.
//
// ---- Lock order --------------------------------------------------------------------
//   The whole tree, core and filesystems, is docs/locking.md. For a dentry: Inode::lock
//   -> g_rename_mutex -> d_lock (parent before child; two unrelated ones by address) ->
//   dcache bucket lock. g_mount_lock and the change feed's lock are never taken with a
//   d_lock held; the shrinker only tries a child's d_lock.
#pragma once

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/rcu.h>
#include <rcuvfs/fs/seqcount.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace rcuvfs::core {

// A name as one reader loaded it: hash_len and the bytes (zero-padded to words).
struct NameRef {
  uint64_t hash_len;
  const char* str;

  uint32_t hash() const { return static_cast<uint32_t>(hash_len); }
  uint32_t len() const { return static_cast<uint32_t>(hash_len >> 32); }
  std::string_view view() const { return {str, len()}; }
};

// An immutable name with its hash, allocated in one piece: what a rename gives a
// dentry (the name a dentry is made with is inline, laid out the same way: see
// Dentry::name_word). The bytes are zero-padded to a whole number of 8-byte words (at
// least one) so that the walker compares a name a word at a time.
struct Name {
  uint64_t hash_len;  // hash in the low 32 bits, length in the high 32: one compare
  alignas(8) char str[8];  // len bytes, zero-padded; allocated with the right size

  uint32_t hash() const { return static_cast<uint32_t>(hash_len); }
  uint32_t len() const { return static_cast<uint32_t>(hash_len >> 32); }
  std::string_view view() const { return {str, len()}; }
  NameRef ref() const { return {hash_len, str}; }
  // Bytes a Name of `len` bytes occupies.
  static constexpr size_t alloc_size(size_t len) {
    return offsetof(Name, str) + (len == 0 ? 8 : (len + 7) & ~size_t{7});
  }
  // Fill a Name already allocated with alloc_size(s.size()) bytes.
  static void init(Name* n, std::string_view s);
};

// ---- component hashing, a word at a time -------------------------------------------
// The walker finds a component's end and hashes it in one pass over 8-byte words (the
// way Linux's hash_name does): a word holding a '/' ends the component. Loads never go
// past the end of the string: the last partial word is read as the 8 bytes ending at
// the string's end, shifted down, and strings shorter than 8 bytes are read bytewise.
inline constexpr uint64_t kHashSeed = 0x243F6A8885A308D3ull;
inline constexpr uint64_t kHashMul = 0x9E3779B97F4A7C15ull;
inline constexpr uint64_t kOnes = 0x0101010101010101ull;
inline constexpr uint64_t kHighs = 0x8080808080808080ull;

inline uint64_t load_word(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
// The lowest set bit marks the first '/' byte of w (higher bits may be false hits).
inline uint64_t slash_bits(uint64_t w) {
  const uint64_t x = w ^ (kOnes * '/');
  return (x - kOnes) & ~x & kHighs;
}
inline uint64_t hash_mix(uint64_t h, uint64_t w) {
  h = (h ^ w) * kHashMul;
  return (h << 32) | (h >> 32);
}
// Folded, not mixed: the dcache mixes the hash with the parent's address when it picks
// a chain (dtable::bucket_index), which is where the spread matters. Bit 0 is always
// clear: Dentry::name_word uses it to tell a separate name's address from a hash_len.
inline uint32_t hash_fold(uint64_t h) { return static_cast<uint32_t>(h ^ (h >> 32)) << 1; }

// The component at the start of [p, p + n): its length, hash and first word (its
// first up-to-8 bytes, zero-padded: what Name::word0 of the same name holds). Bytes
// from `lo` (<= p: the start of the caller's string) may be read too, which lets a
// short last component be loaded as one word.
struct Component {
  uint64_t hash_len;  // as Name::hash_len
  uint64_t word0;
  uint32_t len() const { return static_cast<uint32_t>(hash_len >> 32); }
  uint32_t hash() const { return static_cast<uint32_t>(hash_len); }
};

// Any component: a word-at-a-time loop (out of line: its constants would otherwise
// take the registers of the walker's loop around it).
Component hash_component_loop(const char* p, size_t n, const char* lo);

// Components of up to 7 bytes with a word readable at them (most of them) are hashed
// inline, from one load; the rest go to the loop, which gives the same answer.
[[gnu::always_inline]] inline Component hash_component(const char* p, size_t n,
                                                     const char* lo) {
  if (n >= 8 || p + n - lo >= 8) {
    // With fewer than 8 bytes left, the word ending at the string's end, shifted
    // down: the bytes above the string are zero, never a '/'.
    const uint64_t w = n >= 8 ? load_word(p) : load_word(p + n - 8) >> (8 * (8 - n));
    unsigned k;
    if (const uint64_t m = slash_bits(w)) {
      k = static_cast<unsigned>(__builtin_ctzll(m)) >> 3;  // bytes before '/'
    } else if (n < 8) {
      k = static_cast<unsigned>(n);
    } else {
      return hash_component_loop(p, n, lo);
    }
    if (k == 0) return {hash_fold(kHashSeed), 0};
    const uint64_t part = w & (~uint64_t{0} >> (64 - 8 * k));
    return {(uint64_t{k} << 32) | hash_fold(hash_mix(kHashSeed, part)), part};
  }
  return hash_component_loop(p, n, lo);
}
inline Component hash_component(std::string_view s) {
  return hash_component(s.data(), s.size(), s.data());
}
// The hash of a whole name (which never holds '/').
inline uint32_t name_hash(std::string_view s) { return hash_component(s).hash(); }

// Do the bytes of a name whose hash_len is c's hold exactly the component c, whose
// bytes start at p?
// Word by word, the last word ending at the name's end (it may overlap the one
// before): inline with no call, so the walker's loop keeps its registers.
inline bool name_bytes_match(const char* str, const Component& c, const char* p) {
  if (load_word(str) != c.word0) return false;
  const size_t len = c.len();
  if (len <= 8) return true;
  for (size_t i = 8; i + 8 < len; i += 8)
    if (load_word(str + i) != load_word(p + i)) return false;
  return load_word(str + len - 8) == load_word(p + len - 8);
}
// Does `n` hold exactly the component c, whose bytes start at p?
inline bool name_matches(NameRef n, const Component& c, const char* p) {
  return n.hash_len == c.hash_len && name_bytes_match(n.str, c, p);
}

// A directory's children: a ring of the children's `sibling` links and a head of one
// word, the first child, so that every dentry pays 8 bytes for the list it may head
// rather than 16. Readdir cursors are dentries flagged kDCursor in the same ring.
// All of it is guarded by the directory's d_lock.
struct ListNode {
  ListNode* prev = this;
  ListNode* next = this;
};

struct ChildList {
  ListNode* first = nullptr;

  // The node after `n` (in the list), nullptr at the end.
  ListNode* next(const ListNode* n) const { return n->next == first ? nullptr : n->next; }
  void push_back(ListNode* n) {
    if (first)
      link_after(first->prev, n);
    else
      first = n->prev = n->next = n;
  }
  void push_front(ListNode* n) {
    push_back(n);
    first = n;
  }
  // Put `n` right after `pos`, which is in the list.
  void insert_after(ListNode* pos, ListNode* n) { link_after(pos, n); }
  // Take `n` (in the list) out, leaving it linked to itself.
  void remove(ListNode* n) {
    if (n->next == n) {
      first = nullptr;
    } else {
      if (first == n) first = n->next;
      n->prev->next = n->next;
      n->next->prev = n->prev;
    }
    n->prev = n->next = n;
  }

 private:
  static void link_after(ListNode* pos, ListNode* n) {
    n->prev = pos;
    n->next = pos->next;
    pos->next->prev = n;
    pos->next = n;
  }
};

inline constexpr uint32_t kDLocked = 1u << 0;     // d_lock
inline constexpr uint32_t kDMounted = 1u << 1;    // something is mounted here
inline constexpr uint32_t kDUnhashed = 1u << 2;   // not in the dcache hash
inline constexpr uint32_t kDDeleted = 1u << 3;    // was unlinked (fdpath " (deleted)")
inline constexpr uint32_t kDPinned = 1u << 4;     // holds the fs's "entry exists" pin
inline constexpr uint32_t kDInList = 1u << 5;     // on its parent's children list
inline constexpr uint32_t kDCursor = 1u << 6;     // a readdir position, not an entry
// A directory everyone may search, on a filesystem whose permission is
// generic_permission and whose dcache is complete: what the walker's plain steps test
// on each directory, so that they need not load its inode.
inline constexpr uint32_t kDSearchAll = 1u << 7;
// The dcache's budget (dcache_lru.h): charged to its superblock's cache; on its LRU;
// not found by a walk since its birth or since the shrinker last passed it (walkers'
// fast loop treats it as a miss, the general walk clears it); dead while on the LRU,
// which frees it.
inline constexpr uint32_t kDCharged = 1u << 8;
inline constexpr uint32_t kDLru = 1u << 9;
inline constexpr uint32_t kDCold = 1u << 10;
inline constexpr uint32_t kDLruDead = 1u << 11;
// A directory everyone may search, on a kSbAttrsWithEntries filesystem (etcd): what
// kDSearchAll says, but worth something only while the filesystem's attributes are
// trusted (Superblock::attrs_trusted), which the walker checks beside it.
inline constexpr uint32_t kDSearchAllWatched = 1u << 12;
// Bits 16..19: the allocator of the dentry's memory (see dcache.cc), immutable.
inline constexpr unsigned kDAllocShift = 16;

inline constexpr int32_t kDead = -(1 << 30);

// Field order: what an RCU lookup reads first (seq, flags, hash_next, parent, inode)
// comes first; the name follows the cold fields (a chain walk compares name_word
// only for entries of the right parent).
struct Dentry {
  SeqCount seq;
  std::atomic<uint32_t> flags{kDUnhashed};
  std::atomic<Dentry*> hash_next{nullptr};
  std::atomic<Dentry*> parent{nullptr};
  std::atomic<Inode*> inode{nullptr};
  std::atomic<int32_t> refcount{1};
  std::atomic<uint32_t> d_time{0};
  // A dentry is freed only once it is off its parent's list, so its links and the
  // deferred-free head never live at the same time.
  union {
    ListNode sibling;  // in parent's children list (under parent's d_lock)
    RcuHead rcu;
  };
  ChildList children;  // this directory's children (under this d_lock)
  std::atomic<uint64_t> name_word{0};  // see d_name()
  alignas(8) char name_bytes[8];  // must be last: allocated with room for the name

  Dentry() : sibling() {}

  bool is_root() const { return parent.load(std::memory_order_relaxed) == this; }
  bool has_flag(uint32_t f) const { return flags.load(std::memory_order_acquire) & f; }

  void lock() {
    while (flags.fetch_or(kDLocked, std::memory_order_acquire) & kDLocked)
      while (flags.load(std::memory_order_relaxed) & kDLocked) cpu_relax();
  }
  bool try_lock() {
    return !(flags.fetch_or(kDLocked, std::memory_order_acquire) & kDLocked);
  }
  void unlock() { flags.fetch_and(~kDLocked, std::memory_order_release); }
  void set_flag(uint32_t f) { flags.fetch_or(f, std::memory_order_release); }
  void clear_flag(uint32_t f) { flags.fetch_and(~f, std::memory_order_release); }

  static Dentry* from_sibling(ListNode* n) {
    return reinterpret_cast<Dentry*>(reinterpret_cast<char*>(n) - offsetof(Dentry, sibling));
  }
  // A child-list node that is a readdir cursor. Caller holds the list owner's d_lock.
  static bool is_cursor(ListNode* n) {
    return from_sibling(n)->flags.load(std::memory_order_relaxed) & kDCursor;
  }
};

// Bytes to allocate for a dentry whose inline name has `len` bytes.
constexpr size_t dentry_size(size_t len) {
  return offsetof(Dentry, name_bytes) + (Name::alloc_size(len) - offsetof(Name, str));
}

// Tags name_word when it holds a Name's address: a hash_len never has this bit (see
// hash_fold). The low bit keeps the word a pointer into the Name for LeakSanitizer.
inline constexpr uint64_t kExternalName = 1;

inline const Name* external_name(uint64_t name_word) {
  return (name_word & kExternalName)
             ? reinterpret_cast<const Name*>(name_word & ~kExternalName)
             : nullptr;
}

// The dentry's name: safe under RCU (then validated by seq like the rest of the
// binding), under d_lock, or under the rename lock.
inline NameRef d_name(const Dentry* d, std::memory_order o = std::memory_order_acquire) {
  const uint64_t w = d->name_word.load(o);
  if (const Name* n = external_name(w)) return {n->hash_len, n->str};
  return {w, d->name_bytes};
}

// name_matches(d_name(d), c, p), the walker's way: an inline name is compared with no
// dependent load (name_word is then its hash_len).
inline bool d_name_matches(const Dentry* d, const Component& c, const char* p) {
  const uint64_t w = d->name_word.load(std::memory_order_acquire);
  const char* str = d->name_bytes;
  if (__builtin_expect(w != c.hash_len, 0)) {
    const Name* n = external_name(w);
    if (!n || n->hash_len != c.hash_len) return false;
    str = n->str;
  }
  return name_bytes_match(str, c, p);
}

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
