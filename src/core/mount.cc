#include "core/mount.h"
#include "core/notify.h"

#include "core/dcache.h"
#include "core/dcache_lru.h"
#include "core/rcu.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include <sys/sysmacros.h>

namespace rcuvfs::core {

SeqCount g_mount_seq;
Mutex g_mount_lock;

namespace {
constexpr size_t kMountHashSize = 1024;
std::atomic<Mount*> g_mount_hash[kMountHashSize];

size_t mount_hash(const Mount* parent, const Dentry* mp) {
  uint64_t k = reinterpret_cast<uintptr_t>(parent) * 31 + reinterpret_cast<uintptr_t>(mp);
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  return k & (kMountHashSize - 1);
}

// How many mounts sit on each dentry, across every parent mount (a dentry seen
// through several bind mounts can be a mountpoint in each). kDMounted is set while
// the count is non-zero. Guarded by g_mount_lock.
std::unordered_map<const Dentry*, int>& mountpoints() RCUVFS_REQUIRES(g_mount_lock) {
  static auto* m = new std::unordered_map<const Dentry*, int>;
  return *m;
}

struct SbInfo {
  std::unique_ptr<Superblock> owner;
  Dentry* root = nullptr;  // the instance's own reference on its root dentry
  int mounts = 0;
};
// Superblocks by address; guarded by g_sb_lock.
std::mutex g_sb_lock;
std::unordered_map<Superblock*, SbInfo>& sb_table() {
  static auto* t = new std::unordered_map<Superblock*, SbInfo>;
  return *t;
}

void hash_remove(Mount* m) {
  auto& head = g_mount_hash[mount_hash(m->parent.load(std::memory_order_relaxed),
                                       m->mountpoint.load(std::memory_order_relaxed))];
  Mount* next = m->hash_next.load(std::memory_order_relaxed);
  if (head.load(std::memory_order_relaxed) == m) {
    head.store(next, std::memory_order_release);
    return;
  }
  for (Mount* p = head.load(std::memory_order_relaxed); p;
       p = p->hash_next.load(std::memory_order_relaxed)) {
    if (p->hash_next.load(std::memory_order_relaxed) == m) {
      p->hash_next.store(next, std::memory_order_release);
      return;
    }
  }
}

void free_mount(Mount* m) {
  Dentry* root = m->root;
  Superblock* sb = m->sb;
  Mount* parent = m->ref_parent;
  Dentry* mp = m->ref_mountpoint;
  rcu_defer_call([m] { delete m; });
  if (parent) {
    // The references mnt_attach took on the place we were mounted on.
    dput(mp);
    mntput(parent);
  }
  dput(root);
  sb_put(sb);
}
}  // namespace

bool mntget_not_dead(Mount* m) {
  int32_t c = m->refcount.load(std::memory_order_relaxed);
  while (c > 0) {
    if (m->refcount.compare_exchange_weak(c, c + 1, std::memory_order_acquire,
                                          std::memory_order_relaxed))
      return true;
  }
  return false;
}

void mntput(Mount* m) {
  if (m->refcount.fetch_sub(1, std::memory_order_acq_rel) == 1) free_mount(m);
}

Mount* lookup_mnt(const Mount* parent, const Dentry* mountpoint) {
  for (Mount* m = g_mount_hash[mount_hash(parent, mountpoint)].load(std::memory_order_acquire);
       m; m = m->hash_next.load(std::memory_order_acquire)) {
    if (m->parent.load(std::memory_order_relaxed) == parent &&
        m->mountpoint.load(std::memory_order_relaxed) == mountpoint)
      return m;
  }
  return nullptr;
}

Mount* mnt_alloc(Superblock* sb, Dentry* root) {
  auto* m = new Mount;
  m->root = root;
  m->sb = sb;
  m->dev_major = major(sb->dev);
  m->dev_minor = minor(sb->dev);
  m->parent.store(m, std::memory_order_relaxed);
  m->mountpoint.store(root, std::memory_order_relaxed);
  sb_get(sb);
  return m;
}

void mnt_attach(Mount* m, const Path& where) {
  SeqWrite w(g_mount_seq);
  m->ref_parent = mntget(where.mnt);
  m->ref_mountpoint = dget(where.dentry);
  m->parent.store(where.mnt, std::memory_order_relaxed);
  m->mountpoint.store(where.dentry, std::memory_order_relaxed);
  auto& head = g_mount_hash[mount_hash(where.mnt, where.dentry)];
  // Newest on top: a later mount on the same place hides the earlier one.
  m->hash_next.store(head.load(std::memory_order_relaxed), std::memory_order_relaxed);
  head.store(m, std::memory_order_release);
  if (mountpoints()[where.dentry]++ == 0) where.dentry->set_flag(kDMounted);
  where.mnt->children.push_back(m);
  m->attached = true;
}

void mnt_detach_tree(Mount* m, std::vector<Mount*>& detached) {
  // Children first, so each detach leaves a consistent tree.
  while (!m->children.empty()) mnt_detach_tree(m->children.back(), detached);
  if (!m->attached) return;
  SeqWrite w(g_mount_seq);
  Mount* parent = m->parent.load(std::memory_order_relaxed);
  Dentry* mp = m->mountpoint.load(std::memory_order_relaxed);
  if (parent != m) {
    hash_remove(m);
    auto& siblings = parent->children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), m), siblings.end());
    auto it = mountpoints().find(mp);
    if (--it->second == 0) {
      mountpoints().erase(it);
      mp->clear_flag(kDMounted);
    }
    // A detached tree is its own world: `..` and fdpath stop at its root.
    m->parent.store(m, std::memory_order_release);
    m->mountpoint.store(m->root, std::memory_order_release);
  }
  m->attached = false;
  detached.push_back(m);
}

void sb_get(Superblock* sb) {
  std::lock_guard g(g_sb_lock);
  sb_table()[sb].mounts++;
}

void sb_register(std::unique_ptr<Superblock> sb, Dentry* root) {
  std::lock_guard g(g_sb_lock);
  auto& info = sb_table()[sb.get()];
  info.owner = std::move(sb);
  info.root = root;
}

void sb_put(Superblock* sb) {
  std::unique_ptr<Superblock> dying;
  Dentry* root = nullptr;
  {
    std::lock_guard g(g_sb_lock);
    auto it = sb_table().find(sb);
    if (it == sb_table().end() || --it->second.mounts > 0) return;
    dying = std::move(it->second.owner);
    root = it->second.root;
    sb_table().erase(it);
  }
  if (root) {
    d_shrink_tree(root);
    dput(root);
  }
  // Watches pin inodes of the instance: they end now (IN_UNMOUNT, IN_IGNORED).
  if (dying->feed) dying->feed->super_gone(dying.get());
  // Every dentry and inode of the instance is unreachable now except through RCU
  // readers that may still be inside it: free the superblock after them, and the
  // dentries that died on its LRU.
  Superblock* raw = dying.release();
  rcu_defer_call([raw] {
    if (raw->dcache) {
      lru_drain_dead(raw->dcache);
      delete raw->dcache;
    }
    delete raw;
  });
}

}  // namespace rcuvfs::core
