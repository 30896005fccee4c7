// Mounts and the mount namespace.
//
// ---- Fields and what guards them --------------------------------------------------
// Mount:
//   parent, mountpoint   RCU-read under g_mount_seq; written under g_mount_lock
//   root, sb, dev_*      immutable
//   refcount             references from ref-walk paths, open files, cwd/root
//   hash_next            mount-hash chain, RCU-traversable, written under g_mount_lock
//   children, attached   g_mount_lock only
// The mount hash maps (parent mount, mountpoint dentry) to the mount on top. A
// dentry with something mounted on it has kDMounted; RCU walkers that see the flag
// look the mount up. Every RCU walk validates g_mount_seq at its end: a mount on a
// directory it passed earlier changes what the path names.
#pragma once

#include "core/dentry.h"

#include <rcuvfs/fs/mutex.h>
#include <rcuvfs/fs/superblock.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace rcuvfs::core {

extern SeqCount g_mount_seq;
extern Mutex g_mount_lock;  // writers of g_mount_seq, the hash and the tree

struct Mount {
  std::atomic<Mount*> parent{nullptr};
  std::atomic<Dentry*> mountpoint{nullptr};
  Dentry* root = nullptr;
  Superblock* sb = nullptr;
  uint32_t dev_major = 0, dev_minor = 0;  // sb->dev, split once for stat's st_dev
  std::atomic<int32_t> refcount{1};
  std::atomic<Mount*> hash_next{nullptr};
  std::vector<Mount*> children RCUVFS_GUARDED_BY(g_mount_lock);
  bool attached RCUVFS_GUARDED_BY(g_mount_lock) = false;
  // Where it was attached: the references mnt_attach took, dropped when it is freed
  // (parent/mountpoint point to itself once detached, as Linux's mnt_parent).
  Mount* ref_parent = nullptr;
  Dentry* ref_mountpoint = nullptr;
  RcuHead rcu;

  bool is_root() const { return parent.load(std::memory_order_relaxed) == this; }
};

// A (mount, dentry) pair: a position in the namespace.
struct Path {
  Mount* mnt = nullptr;
  Dentry* dentry = nullptr;
  bool operator==(const Path&) const = default;
};

inline Mount* mntget(Mount* m) {
  m->refcount.fetch_add(1, std::memory_order_relaxed);
  return m;
}
// Take a reference on a mount seen under RCU; false if it is being freed.
bool mntget_not_dead(Mount* m);
void mntput(Mount* m);

inline Path path_get(const Path& p) {
  mntget(p.mnt);
  dget(p.dentry);
  return p;
}
inline void path_put(const Path& p) {
  dput(p.dentry);
  mntput(p.mnt);
}

// The mount on top of (parent, mountpoint) or nullptr. RCU: caller inside a read
// section, validates g_mount_seq; ref mode: caller holds g_mount_lock.
Mount* lookup_mnt(const Mount* parent, const Dentry* mountpoint);

// A new mount of `sb` rooted at `root` (references consumed), not attached.
Mount* mnt_alloc(Superblock* sb, Dentry* root);
// Attach `m` on top of `where` (caller holds g_mount_lock). Takes references on
// where.mnt and where.dentry.
void mnt_attach(Mount* m, const Path& where) RCUVFS_REQUIRES(g_mount_lock);
// Detach `m` and everything below it (caller holds g_mount_lock); the mounts are
// freed once unreferenced.
void mnt_detach_tree(Mount* m, std::vector<Mount*>& detached) RCUVFS_REQUIRES(g_mount_lock);

// Superblock lifetime: one count per mount using the superblock. The registry owns
// the instance and a reference on its root dentry; when the last mount goes the
// whole dentry tree is torn down and the instance freed after a grace period.
void sb_register(std::unique_ptr<Superblock> sb, Dentry* root);
void sb_get(Superblock* sb);
void sb_put(Superblock* sb);

}  // namespace rcuvfs::core
