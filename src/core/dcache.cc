#include "core/dcache.h"
#include "core/notify.h"

#include "core/dcache_lru.h"
#include "core/inject.h"
#include "core/mount.h"
#include "core/rcu.h"

#include <rcuvfs/fs/object_cache.h>
#include <rcuvfs/fs/superblock.h>

#include <cassert>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace rcuvfs::core {

SeqCount g_rename_seq;

namespace {
// Write `s` zero-padded to whole words (at least one) at `bytes`; its hash_len.
uint64_t write_name(char* bytes, std::string_view s) {
  std::memset(bytes, 0, Name::alloc_size(s.size()) - offsetof(Name, str));
  if (!s.empty()) std::memcpy(bytes, s.data(), s.size());  // a cursor's is empty
  return (uint64_t{s.size()} << 32) | name_hash(s);
}
}  // namespace

void Name::init(Name* n, std::string_view s) {
  n->hash_len = write_name(reinterpret_cast<char*>(n) + offsetof(Name, str), s);
}

namespace {
// The walker's plain steps rely on this: no entry is named "", ".", "..", more than
// kNameMax bytes or with a NUL (or '/') in it, so such components miss in the dcache
// and go to the general code, which gives their errors.
[[maybe_unused]] bool entry_name(std::string_view s) {
  return !s.empty() && s.size() <= kNameMax && s != "." && s != ".." &&
         s.find_first_of(std::string_view("\0/", 2)) == std::string_view::npos;
}

std::mutex g_rename_mutex;  // serialises writers of g_rename_seq
std::atomic<int64_t> g_live_dentries{0};

using dtable::Bucket;
using dtable::chain_first;
using dtable::kLockBit;

// Insert at the head of its chain. Caller holds d's d_lock.
void hash_insert(Dentry* d) {
  {
    RcuLock rcu;  // the table lock_bucket found stays until we unlock
    Bucket& b = dtable::lock_bucket(d->parent.load(std::memory_order_relaxed),
                                    d_name(d, std::memory_order_relaxed).hash());
    d->hash_next.store(chain_first(b), std::memory_order_relaxed);
    // Publishing d: release so that readers see its initialised fields. Keeps the
    // lock bit set; unlock_bucket clears it.
    b.head.store(reinterpret_cast<uintptr_t>(d) | kLockBit, std::memory_order_release);
    dtable::unlock_bucket(b);
  }
  d->clear_flag(kDUnhashed);
}

// Take d out of chain b (locked). d->hash_next is left intact so that a reader
// standing on d can continue down the chain.
void unlink_from_chain(Bucket& b, Dentry* d) {
  Dentry* next = d->hash_next.load(std::memory_order_relaxed);
  Dentry* first = chain_first(b);
  if (first == d) {
    b.head.store(reinterpret_cast<uintptr_t>(next) | kLockBit, std::memory_order_release);
    return;
  }
  for (Dentry* p = first; p; p = p->hash_next.load(std::memory_order_relaxed)) {
    if (p->hash_next.load(std::memory_order_relaxed) == d) {
      p->hash_next.store(next, std::memory_order_release);
      return;
    }
  }
}

Bucket& lock_chain_of(const Dentry* d) {
  return dtable::lock_bucket(d->parent.load(std::memory_order_relaxed),
                             d_name(d, std::memory_order_relaxed).hash());
}

// Unlink from its chain. Caller holds d's d_lock.
void hash_remove(Dentry* d) {
  if (d->flags.load(std::memory_order_relaxed) & kDUnhashed) return;
  {
    RcuLock rcu;  // the table lock_bucket found stays until we unlock
    Bucket& b = lock_chain_of(d);
    unlink_from_chain(b, d);
    dtable::unlock_bucket(b);
  }
  d->set_flag(kDUnhashed);
}

// hash_remove for the shrinker: only if nobody holds a reference, and then the dentry
// is dead (no reference can be taken any more). The reference count is claimed under
// the chain's lock, so that d_lookup's locked pass sees either a live hashed entry or
// none. Caller holds d's d_lock.
bool hash_remove_unused(Dentry* d) {
  RcuLock rcu;
  Bucket& b = lock_chain_of(d);
  int32_t zero = 0;
  const bool dead = d->refcount.compare_exchange_strong(zero, kDead, std::memory_order_acq_rel);
  if (dead) unlink_from_chain(b, d);
  dtable::unlock_bucket(b);
  if (dead) d->set_flag(kDUnhashed);
  return dead;
}

Name* alloc_name(std::string_view s) {
  assert(entry_name(s));
  auto* n = static_cast<Name*>(::operator new(Name::alloc_size(s.size())));
  Name::init(n, s);
  return n;
}

// Frees a replaced separate name after a grace period (the inline one lives and dies
// with its dentry).
void retire_name(uint64_t old_word) {
  if (const Name* old = external_name(old_word))
    rcu_free(const_cast<Name*>(old), [](void* p) { ::operator delete(p); });
}

// 80 bytes for a name of up to 8 (the RCU head is a word longer under TSan).
#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(RCUVFS_TSAN)
static_assert(dentry_size(8) == 80);
#endif

// Memory for dentries: one ObjectCache per 8 bytes of inline name up to
// kCachedNameMax (there are millions of these), malloc beyond. A dentry's allocator
// class (noted in its flags) is 1 + the cache's index, or 0 for malloc.
constexpr size_t kCachedNameMax = 64;

uint32_t alloc_class(size_t name_len) {
  if (name_len > kCachedNameMax) return 0;
  return 1 + (name_len == 0 ? 0 : static_cast<uint32_t>(name_len - 1) / 8);
}

ObjectCache* dentry_cache(uint32_t alloc_class) {
  static ObjectCache* const caches[kCachedNameMax / 8] = {
      new ObjectCache(dentry_size(8)),  new ObjectCache(dentry_size(16)),
      new ObjectCache(dentry_size(24)), new ObjectCache(dentry_size(32)),
      new ObjectCache(dentry_size(40)), new ObjectCache(dentry_size(48)),
      new ObjectCache(dentry_size(56)), new ObjectCache(dentry_size(64))};
  return alloc_class ? caches[alloc_class - 1] : nullptr;
}

// A dentry named `name`, inline.
Dentry* new_dentry(std::string_view name) {
  const uint32_t alloc = alloc_class(name.size());
  ObjectCache* c = dentry_cache(alloc);
  auto* d = new (c ? c->alloc() : ::operator new(dentry_size(name.size()))) Dentry;
  d->flags.store(kDUnhashed | alloc << kDAllocShift, std::memory_order_relaxed);
  d->name_word.store(write_name(d->name_bytes, name), std::memory_order_relaxed);
  return d;
}

void delete_dentry(Dentry* d) {
  ObjectCache* c =
      dentry_cache((d->flags.load(std::memory_order_relaxed) >> kDAllocShift) & 0xf);
  d->~Dentry();
  if (c)
    c->free(d);
  else
    ::operator delete(d);
}

void free_dentry(RcuHead* h) {
  auto* d = reinterpret_cast<Dentry*>(reinterpret_cast<char*>(h) - offsetof(Dentry, rcu));
  const Name* n = external_name(d->name_word.load(std::memory_order_relaxed));
  ::operator delete(const_cast<Name*>(n));
  delete_dentry(d);
  dtable::note_population(g_live_dentries.fetch_sub(1, std::memory_order_relaxed) - 1);
}

// Take `d` off its parent's list. Caller holds both d_locks.
void unlist(Dentry* parent, Dentry* d) {
  if (d->flags.load(std::memory_order_relaxed) & kDInList) {
    parent->children.remove(&d->sibling);
    d->clear_flag(kDInList);
  }
}

// May a child of `parent` go into the hash? Not once `parent` itself is out of it
// (deleted, invalidated as stale, dropped), unless it is a root, which never is in it.
// Whoever unhashed it shrinks what is listed below it afterwards (d_delete and
// d_shrink_tree, d_invalidate): a child hashed after that shrink passed would be
// cached below an entry that no walk from the root reaches and nothing ever drops,
// holding the dead directory (and its inode) for good. Such a child stays
// unhashed (a lookup that made it still uses it; it dies with its last reference),
// and the question is asked under the parent's d_lock, the lock under which it was
// unhashed, so each child is either listed before the shrink looks or not hashed.
// Caller holds parent's d_lock.
bool may_hash_under(const Dentry* parent) {
  return parent->is_root() || !(parent->flags.load(std::memory_order_relaxed) & kDUnhashed);
}

// A dead dentry, off its parent's list: uncharge it, free it after a grace period
// (or leave that to the LRU it is on), and drop what it held.
void release(Dentry* d) {
  Dentry* parent = d->parent.load(std::memory_order_relaxed);
  Inode* inode = d->inode.load(std::memory_order_relaxed);
  if (d->flags.load(std::memory_order_relaxed) & kDCharged) {
    SbCache* c = d_cache(d);
    c->entries.fetch_sub(1, std::memory_order_relaxed);
    if (!inode) c->negative.fetch_sub(1, std::memory_order_relaxed);
    cache_charge(c, -d_charge(d));
  }
  // Out of the map before its memory may go: what finds it there uses it under alias_mu.
  if (inode && (inode->sb->flags & kSbWatched) && inode->is_dir() && inode->sb->dcache) {
    SbCache* c = inode->sb->dcache;
    MutexLock g(c->alias_mu);
    if (auto it = c->dir_alias.find(inode); it != c->dir_alias.end() && it->second == d)
      c->dir_alias.erase(it);
  }
  if (lru_release(d)) rcu_defer(&d->rcu, free_dentry);
  // The object's last name went with its last entry (Linux's dentry_unlink_inode).
  if (inode && inode->nlink.load(std::memory_order_relaxed) == 0) notify_gone(inode);
  if (inode) iput(inode);
  if (parent != d) dput(parent);
}

// The last reference to an unhashed dentry is gone: detach and free it.
void kill(Dentry* d) {
  Dentry* parent = d->parent.load(std::memory_order_relaxed);
  if (parent != d) {
    DLockGuard pg(parent);
    DLockGuard g(d);
    unlist(parent, d);
  }
  release(d);
}
}  // namespace

// Its cache's object size (the largest name's for one from malloc: names over
// kCachedNameMax bytes, rare), its share of the hash table (a table that grew to fit
// has one or two 8-byte chain heads per dentry) and its slot on an LRU.
int64_t dentry_bytes(const Dentry* d) {
  const uint32_t flags = d->flags.load(std::memory_order_relaxed);
  const ObjectCache* c = dentry_cache((flags >> kDAllocShift) & 0xf);
  return static_cast<int64_t>((c ? c->object_size() : dentry_size(kNameMax)) +
                              2 * sizeof(dtable::Bucket) + sizeof(Dentry*));
}

void d_free_dead(Dentry* d) { rcu_defer(&d->rcu, free_dentry); }

bool d_evict(Dentry* d) {
  // The parent first (the lock order), d only if it is free: a rename locks its two
  // directories by address, so one that is d's parent's child may hold d (a rename
  // into or out of d, which took a reference on it after the shrinker chose it) and
  // wait for d's parent. Such a d is in use: it stays. A rename may also have moved d
  // before we locked: then again.
  Dentry* parent;
  for (;;) {
    parent = d->parent.load(std::memory_order_acquire);
    parent->lock();
    if (!d->try_lock()) {
      parent->unlock();
      return false;
    }
    if (d->parent.load(std::memory_order_relaxed) == parent) break;
    d->unlock();
    parent->unlock();
  }
  bool dead = false, leaked = false;
  const uint32_t f = d->flags.load(std::memory_order_relaxed);
  // Still idle and not found by a walk since the shrinker passed it.
  if (!(f & kDUnhashed) && (f & kDCold) && d->refcount.load(std::memory_order_relaxed) == 0) {
    SeqWrite w(d->seq);  // walkers that found it fail their check
    if (__builtin_expect(inject() & kInjectEvictHashed, 0)) {
      // The injected bug: the entry is let go but left in its chain, where walks still
      // find it. (Its memory and what it holds are kept, so that the checker, not a
      // crash, is what notices.)
      int32_t zero = 0;
      leaked = d->refcount.compare_exchange_strong(zero, kDead, std::memory_order_acq_rel);
    } else {
      dead = hash_remove_unused(d);
    }
  }
  if (leaked) {
    d->unlock();
    parent->unlock();
    return true;
  }
  if (dead) unlist(parent, d);
  d->unlock();
  parent->unlock();
  if (dead) release(d);
  return dead;
}

Dentry* d_alloc(Dentry* parent, std::string_view name) {
  assert(!parent || entry_name(name));
  Dentry* d = new_dentry(name);
  d->parent.store(parent ? dget(parent) : d, std::memory_order_relaxed);
  dtable::note_population(g_live_dentries.fetch_add(1, std::memory_order_relaxed) + 1);
  // Charged from birth: negative, unpinned (a root is not: its superblock holds it).
  SbCache* c = parent ? d_cache(d) : nullptr;
  if (c) {
    d->set_flag(kDCharged | kDCold);  // no walk has found it yet
    c->entries.fetch_add(1, std::memory_order_relaxed);
    cache_charge(c, dentry_bytes(d));
    shrink_if_over(c);
  }
  return d;
}

namespace {
// A directory of a kSbWatched filesystem was bound to `d`. Its kDSearchAllWatched is
// decided here, under alias_mu, as mode_changed decides it (dentry.h). Only the entry
// in the map carries the bit, since mode_changed reaches no other: an older entry of
// the directory (still hashed until the watch drops its name) loses it.
void alias_bound(Dentry* d, Inode* inode) {
  if (!inode || !(inode->sb->flags & kSbWatched) || !inode->is_dir() || !inode->sb->dcache) return;
  SbCache* c = inode->sb->dcache;
  MutexLock g(c->alias_mu);
  Dentry*& entry = c->dir_alias[inode];
  if (entry && entry != d) entry->clear_flag(kDSearchAllWatched);
  entry = d;
  set_search_watched(d, inode);
}

// `d` (charged, negative) is bound to `inode`, pinned or not.
void charge_binding(Dentry* d, Inode* inode, bool pin) {
  if (!(d->flags.load(std::memory_order_relaxed) & kDCharged)) return;
  SbCache* c = d_cache(d);
  if (!inode) {
    c->negative.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  cache_charge(c, pin ? -dentry_bytes(d) : static_cast<int64_t>(inode->sb->cached_inode_bytes));
}
}  // namespace

void d_add(Dentry* d, Inode* inode, bool pin) {
  Dentry* parent = d->parent.load(std::memory_order_relaxed);
  // The directory's filesystem (a root's own): the caller holds the parent.
  const Inode* dir = parent == d ? inode : parent->inode.load(std::memory_order_relaxed);
  if (!(dir->sb->flags & kSbDcacheComplete)) d_touch(d);
  if (pin && inode) {
    dget(d);
    d->set_flag(kDPinned);
    d->clear_flag(kDCold);  // never on an LRU: the walks' fast loop takes it at once
  }
  if (parent == d) {  // a root: no list, no hash
    d->inode.store(inode, std::memory_order_release);
    if (searchable_by_all(inode)) d->set_flag(kDSearchAll);
    alias_bound(d, inode);
    return;
  }
  charge_binding(d, inode, pin && inode);
  DLockGuard pg(parent);
  DLockGuard g(d);
  d->inode.store(inode, std::memory_order_release);
  if (searchable_by_all(inode)) d->set_flag(kDSearchAll);
  parent->children.push_back(&d->sibling);
  d->set_flag(kDInList);
  // The caller's directory lock does not keep `parent` hashed: an rmdir unhashes its
  // victim after dropping the victim's lock (and the filesystem's own nlink, which
  // lookup_one_locked checks under it, may lag the host's), a changed entry is
  // invalidated under its parent's lock, not its own. See may_hash_under.
  if (may_hash_under(parent)) hash_insert(d);
  alias_bound(d, inode);
}

void d_instantiate(Dentry* d, Inode* inode, bool pin) {
  if (d->flags.load(std::memory_order_relaxed) & kDCharged)
    d_cache(d)->negative.fetch_sub(1, std::memory_order_relaxed);
  charge_binding(d, inode, pin);
  DLockGuard g(d);
  SeqWrite w(d->seq);
  d->inode.store(inode, std::memory_order_release);
  if (searchable_by_all(inode)) d->set_flag(kDSearchAll);
  if (pin) {
    dget(d);
    d->set_flag(kDPinned);
    d->clear_flag(kDCold);
  }
  alias_bound(d, inode);
}

void d_mode_changed(Dentry* d) {
  if (searchable_by_all(d->inode.load(std::memory_order_relaxed)))
    d->set_flag(kDSearchAll);
  else
    d->clear_flag(kDSearchAll);
}

void d_drop(Dentry* d) {
  DLockGuard g(d);
  SeqWrite w(d->seq);
  hash_remove(d);
}

std::vector<Dentry*> d_children(Dentry* dir) {
  std::vector<Dentry*> out;
  DLockGuard pg(dir);
  for (ListNode* n = dir->children.first; n; n = dir->children.next(n)) {
    if (Dentry::is_cursor(n)) continue;
    Dentry* c = Dentry::from_sibling(n);
    if (dget_not_dead(c)) out.push_back(c);
  }
  return out;
}

namespace {
// What is cached below an unhashed directory is unreachable: shrink it.
void shrink_dropped(Dentry* d) {
  Inode* inode = d->inode.load(std::memory_order_acquire);
  if (!inode || !inode->is_dir()) return;
  // The shrink walks down and back up by parent pointers: no rename may move an
  // entry of the subtree meanwhile.
  RenameLockGuard rl;
  d_shrink_tree(d);
}
}  // namespace

void d_invalidate(Dentry* d) {
  d_drop(d);
  shrink_dropped(d);
}

Invalidated d_invalidate_unless_mounted(Dentry* d, std::optional<uint32_t> mseq) {
  {
    // g_mount_lock -> d_lock (docs/locking.md): mount sets kDMounted under it.
    MutexLock g(g_mount_lock);
    if (d->has_flag(kDMounted)) return Invalidated::kMounted;
    if (mseq && !g_mount_seq.validate(*mseq)) return Invalidated::kMountsMoved;
    d_drop(d);
  }
  shrink_dropped(d);
  return Invalidated::kDropped;
}

namespace {
// d's pin (kDPinned) was just cleared: a cache entry again, charged until it dies.
void unpinned(Dentry* d) {
  if (d->flags.load(std::memory_order_relaxed) & kDCharged) cache_charge(d_cache(d), d_charge(d));
  dput(d);
}

// Take `d` out of the dcache and off its parent's list (marking it `extra`), then
// drop the dcache's pin on it. Caller holds a reference on d.
void detach(Dentry* parent, Dentry* d, uint32_t extra) {
  bool unpin = false;
  {
    DLockGuard pg(parent);
    DLockGuard g(d);
    {
      SeqWrite w(d->seq);
      hash_remove(d);
      d->set_flag(extra);
    }
    unlist(parent, d);
    if (d->flags.load(std::memory_order_relaxed) & kDPinned) {
      d->clear_flag(kDPinned);
      unpin = true;
    }
  }
  if (unpin) unpinned(d);
}
}  // namespace

void d_delete(Dentry* d) { detach(d->parent.load(std::memory_order_relaxed), d, kDDeleted); }

RenameLockGuard::RenameLockGuard() {
  g_rename_mutex.lock();
  g_rename_seq.write_begin();
}
RenameLockGuard::~RenameLockGuard() {
  g_rename_seq.write_end();
  g_rename_mutex.unlock();
}

// Locks two dentries in address order (they are not parent and child of each other
// when this is used for the moved entries themselves).
namespace {
void lock_two(Dentry* a, Dentry* b) {
  if (a == b) {
    a->lock();
  } else if (a < b) {
    a->lock();
    b->lock();
  } else {
    b->lock();
    a->lock();
  }
}
void unlock_two(Dentry* a, Dentry* b) {
  a->unlock();
  if (a != b) b->unlock();
}

// Re-home d under new_parent with name n. Caller holds the rename lock and d's d_lock
// inside a seq write section; the parents' d_locks (new_parent's among them) protect
// the children lists. Moved under a parent that is no longer hashed (a directory
// invalidated since the rename looked it up), d leaves the hash (see may_hash_under):
// true, and the caller then shrinks what is cached below d. Only an unpinned entry can
// meet that: a pinned one's filesystem unhashes a directory only with its last link
// gone, and lookup_one_locked takes no entry there.
bool rebind(Dentry* d, Dentry* new_parent, const Name* n) {
  bool hashed = !(d->flags.load(std::memory_order_relaxed) & kDUnhashed);
  assert(!hashed || may_hash_under(new_parent) ||
         !(d->flags.load(std::memory_order_relaxed) & kDPinned));
  if (hashed) hash_remove(d);
  retire_name(d->name_word.exchange(reinterpret_cast<uintptr_t>(n) | kExternalName,
                                    std::memory_order_release));
  d->parent.store(new_parent, std::memory_order_release);
  if (!hashed) return false;
  if (!may_hash_under(new_parent)) return true;
  hash_insert(d);
  return false;
}
}  // namespace

void d_move(Dentry* d, Dentry* new_parent, std::string_view new_name) {
  Dentry* old_parent = d->parent.load(std::memory_order_relaxed);
  const Name* n = alloc_name(new_name);
  dget(new_parent);
  lock_two(old_parent, new_parent);
  d->lock();
  bool dropped;
  {
    SeqWrite w(d->seq);
    dropped = rebind(d, new_parent, n);
  }
  if (d->flags.load(std::memory_order_relaxed) & kDInList) {
    old_parent->children.remove(&d->sibling);
    new_parent->children.push_back(&d->sibling);
  }
  d->unlock();
  unlock_two(old_parent, new_parent);
  dput(old_parent);
  // The caller's rename lock keeps the subtree still, as d_invalidate's does.
  if (dropped) d_shrink_tree(d);
}

void d_exchange(Dentry* a, Dentry* b) {
  Dentry* pa = a->parent.load(std::memory_order_relaxed);
  Dentry* pb = b->parent.load(std::memory_order_relaxed);
  // Names are immutable and owned by their dentry (inline) or freed by retire_name;
  // give each side a private copy of the other's name.
  const Name* na_copy = alloc_name(d_name(a, std::memory_order_relaxed).view());
  const Name* nb_copy = alloc_name(d_name(b, std::memory_order_relaxed).view());
  lock_two(pa, pb);
  lock_two(a, b);
  bool dropped_a, dropped_b;
  {
    SeqWrite wa(a->seq);
    SeqWrite wb(b->seq);
    dropped_a = rebind(a, pb, nb_copy);
    dropped_b = rebind(b, pa, na_copy);
  }
  if (pa != pb) {
    if (a->flags.load(std::memory_order_relaxed) & kDInList) {
      pa->children.remove(&a->sibling);
      pb->children.push_back(&a->sibling);
    }
    if (b->flags.load(std::memory_order_relaxed) & kDInList) {
      pb->children.remove(&b->sibling);
      pa->children.push_back(&b->sibling);
    }
  }
  unlock_two(a, b);
  unlock_two(pa, pb);
  // Each child's reference on its parent moves with it; when the parents differ the
  // counts are unchanged overall (one child each way).
  if (dropped_a) d_shrink_tree(a);
  if (dropped_b) d_shrink_tree(b);
}

MovedHit d_lookup_moved(const dtable::Table* t, const Dentry* parent, Component c,
                        const char* name, uint32_t stop) {
  const uint64_t key = dtable::parent_name_hash(parent, c.hash());
  MovedHit h{nullptr, 0, 0};
  while (!h.d && (t = dtable::moved_to(t, dtable::bucket(t, key))))
    h.d = d_lookup_chain(dtable::bucket(t, key), parent, c, name, &h.seq, stop, &h.flags);
  return h;
}

Dentry* d_lookup(const Dentry* parent, std::string_view name) {
  const Component c = hash_component(name);
  RcuLock rcu;
  // Most lookups find their entry on the first, lock-free, pass.
  uint32_t seq;
  if (Dentry* d = d_lookup_rcu(parent, c, name.data(), &seq)) {
    DLockGuard g(d);
    if (d->parent.load(std::memory_order_relaxed) == parent && d_name_matches(d, c, name.data()) &&
        !(d->flags.load(std::memory_order_relaxed) & kDUnhashed) && dget_not_dead(d)) {
      if (d->has_flag(kDCold)) d->clear_flag(kDCold);  // used: see dcache_lru.h
      return d;
    }
  }
  // A rename or a resize may have diverted that pass into another chain: the answer
  // comes from the chain under its lock, where no entry can come or go. (Its entries
  // keep their (parent, name) while they are in it: a rename unhashes first.)
  Bucket& b = dtable::lock_bucket(parent, c.hash());
  Dentry* found = nullptr;
  for (Dentry* d = chain_first(b); d; d = d->hash_next.load(std::memory_order_relaxed)) {
    if (d->parent.load(std::memory_order_relaxed) == parent && d_name_matches(d, c, name.data()) &&
        dget_not_dead(d)) {
      found = d;
      break;
    }
  }
  dtable::unlock_bucket(b);
  if (found && found->has_flag(kDCold)) found->clear_flag(kDCold);
  return found;
}

void dput(Dentry* d) {
  // Not the last reference: one CAS, and we never look at d again (lockref's fast
  // path). The common case in every reference walk.
  int32_t c = d->refcount.load(std::memory_order_relaxed);
  while (c > 1)
    if (d->refcount.compare_exchange_weak(c, c - 1, std::memory_order_release,
                                          std::memory_order_relaxed))
      return;
  // Once our reference is gone another thread may kill the dentry; the read-side
  // section keeps its memory valid while we look at it after the decrement.
  RcuLock rcu;
  // seq_cst: pairs with the shrinker taking a referenced entry off the LRU (lru_add).
  if (d->refcount.fetch_sub(1, std::memory_order_seq_cst) != 1) return;
  // Hashed dentries stay cached with no references, on their superblock's LRU;
  // unhashed ones are freed.
  if (!(d->flags.load(std::memory_order_acquire) & kDUnhashed) && !d->is_root()) {
    lru_add(d);
    return;
  }
  int32_t zero = 0;
  if (!d->refcount.compare_exchange_strong(zero, kDead, std::memory_order_acq_rel))
    return;  // someone took a new reference: they will drop it
  kill(d);
}

Dentry* d_alloc_cursor() {
  Dentry* c = new_dentry({});
  c->set_flag(kDCursor);
  c->parent.store(c, std::memory_order_relaxed);
  return c;
}

void d_free_cursor(Dentry* cursor) {
  // Lists are never read under RCU: a detached cursor can go at once.
  delete_dentry(cursor);
}

void d_cursor_attach(Dentry* dir, Dentry* cursor) {
  DLockGuard g(dir);
  dir->children.push_front(&cursor->sibling);
}

void d_cursor_detach(Dentry* dir, Dentry* cursor) {
  DLockGuard g(dir);
  dir->children.remove(&cursor->sibling);
}

void d_cursor_seek(Dentry* dir, Dentry* cursor, uint64_t n) {
  DLockGuard g(dir);
  dir->children.remove(&cursor->sibling);
  ListNode* after = nullptr;
  for (ListNode* p = dir->children.first; n > 0 && p; p = dir->children.next(p)) {
    if (Dentry::is_cursor(p) || !listed_entry(Dentry::from_sibling(p))) continue;
    after = p;
    --n;
  }
  if (after)
    dir->children.insert_after(after, &cursor->sibling);
  else
    dir->children.push_front(&cursor->sibling);
}

void d_shrink_tree(Dentry* root) {
  // Depth-first: unhash every child and drop its pin; a dentry with no other
  // references is freed by dput, which drops its reference on the parent.
  dget(root);
  Dentry* d = root;
  for (;;) {
    Dentry* child = nullptr;
    {
      DLockGuard g(d);
      for (ListNode* n = d->children.first; n; n = d->children.next(n)) {
        if (Dentry::is_cursor(n)) continue;
        Dentry* c = Dentry::from_sibling(n);
        if (dget_not_dead(c)) {
          child = c;
          break;
        }
      }
    }
    if (child) {
      // Descend: detach the child from the list now so we never revisit it.
      detach(d, child, 0);
      d = child;  // we hold a reference on it
      continue;
    }
    // No children left: go back up.
    if (d == root) break;
    // Our descent reference on the parent keeps it alive while d goes.
    Dentry* parent = d->parent.load(std::memory_order_relaxed);
    dput(d);
    d = parent;
  }
  // Finally the root's own pin, if any.
  if (root->flags.load(std::memory_order_relaxed) & kDPinned) {
    root->clear_flag(kDPinned);
    unpinned(root);
  }
  dput(root);
}

bool is_ancestor(const Dentry* ancestor, const Dentry* d) {
  for (;;) {
    if (d == ancestor) return true;
    const Dentry* up = d->parent.load(std::memory_order_acquire);
    if (up == d) return false;
    d = up;
  }
}

int64_t d_live_count() { return g_live_dentries.load(std::memory_order_relaxed); }

}  // namespace rcuvfs::core
