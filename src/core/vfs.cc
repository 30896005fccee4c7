// Vfs: namespace creation, the filesystem registry, mount and umount.
#include <rcuvfs/vfs.h>

#include "core/anon_inode.h"
#include "core/counters.h"
#include "core/ops_common.h"
#include "core/rcu.h"

#include <rcuvfs/fs/options.h>

#include <cerrno>
#include <sys/mount.h>

namespace rcuvfs {

using namespace core;

namespace core {
namespace {
std::atomic<uint32_t> g_next_minor{1};
}

VfsState::~VfsState() {
  if (root_mount) {
    std::vector<Mount*> detached;
    {
      MutexLock g(g_mount_lock);
      mnt_detach_tree(root_mount, detached);
    }
    for (Mount* m : detached) mntput(m);
    if (anon) mntput(anon);
    // Let every deferred free (dentries, inodes, superblocks) run before we go.
    rcu_barrier();
    rcu_barrier();
  }
  delete lsm.load();
}

Result<Mount*> VfsState::new_mount(std::string_view type, std::string_view options,
                                   const Cred& owner) {
  std::shared_ptr<FsType> fst;
  {
    MutexLock g(types_lock);
    auto it = types.find(type);
    if (it == types.end()) return Err{ENODEV};
    fst = it->second;
  }
  return new_mount(*fst, options, owner);
}

Path VfsState::anon_path() {
  MutexLock g(anon_lock);
  if (!anon) anon = *new_mount(*anon_inode_fs(), "", Cred{});
  return {anon, anon->root};
}

Result<Mount*> VfsState::new_mount(FsType& fst, std::string_view options, const Cred& owner) {
  uint64_t budget = 0;
  while (options.starts_with("cache=")) {
    auto size = parse_size(next_option(options).substr(6));
    if (!size.ok()) return Err{size.error()};
    budget = clamp_budget(*size);
  }
  auto sb = fst.make_super(options, owner);
  if (!sb.ok()) return Err{sb.error()};
  Superblock* raw = sb->get();
  raw->dcache = new SbCache(cache, budget);
  raw->feed = feed;
  raw->type = &fst;
  raw->dev = makedev(0, g_next_minor.fetch_add(1));
  Inode* root_inode = raw->root_inode();
  Dentry* root = d_alloc(nullptr, "/");
  d_add(root, root_inode, false);
  sb_register(std::move(*sb), dget(root));
  return mnt_alloc(raw, root);
}
}  // namespace core

Vfs::Vfs(std::unique_ptr<VfsState> s) : s_(std::move(s)) {}

Vfs::~Vfs() = default;

Result<std::unique_ptr<Vfs>> Vfs::create(std::string_view root_fstype, std::string_view options) {
  auto st = std::make_unique<VfsState>();
  {
    MutexLock g(st->types_lock);
    for (auto& t : builtin_filesystems()) st->types.emplace(std::string(t->name()), t);
  }
  auto m = st->new_mount(root_fstype, options, Cred{});
  if (!m.ok()) return Err{m.error()};
  st->root_mount = *m;
  {
    MutexLock g(g_mount_lock);
    st->root_mount->attached = true;
  }
  return std::unique_ptr<Vfs>(new Vfs(std::move(st)));
}

std::unique_ptr<Task> Vfs::new_task(Cred cred) {
  auto ts = std::make_unique<TaskState>();
  ts->vfs = s_.get();
  ts->owner = this;
  ts->cred.store(new Cred(std::move(cred)));
  auto* fs = new FsContext;
  Path root{s_->root_mount, s_->root_mount->root};
  fs->root = path_get(root);
  fs->cwd = path_get(root);
  ts->fs.store(fs);
  return std::unique_ptr<Task>(new Task(std::move(ts)));
}

Status Vfs::register_fs(std::shared_ptr<FsType> type) {
  if (!type) return Err{EINVAL};
  MutexLock g(s_->types_lock);
  if (!s_->types.emplace(std::string(type->name()), type).second) return Err{EBUSY};
  return {};
}

std::vector<std::string> Vfs::fs_types() const {
  MutexLock g(s_->types_lock);
  std::vector<std::string> out;
  for (auto& [name, t] : s_->types) out.push_back(name);
  return out;
}

Status Vfs::add_security_module(std::shared_ptr<SecurityModule> module) {
  if (!module) return Err{EINVAL};
  const ModuleList* old;
  {
    std::lock_guard g(s_->lsm_lock);
    old = s_->lsm.load();
    auto* next = old ? new ModuleList(*old) : new ModuleList;
    next->push_back(std::move(module));
    s_->lsm.store(next, std::memory_order_release);
  }
  if (old) rcu_defer_call([old] { delete old; });
  return {};
}

Counters Vfs::counters() { return sum_counters(); }

Status Vfs::set_cache_budget(uint64_t bytes) {
  if (bytes == 0) return Err{EINVAL};
  s_->cache->budget.store(clamp_budget(bytes), std::memory_order_relaxed);
  shrink_namespace(*s_->cache);
  return {};
}

CacheStats Vfs::cache_stats() const { return core::cache_stats(*s_->cache); }

Vfs& Task::vfs() const {
  // Tasks are made by Vfs::new_task; recover the owner through its state.
  return *s_->owner;
}

namespace {
// A mount may go on an entry still in the dcache (Linux's d_unlinked check): one
// removed, or dropped as stale by its filesystem since the walk found it, is reached
// by no later walk, and neither would the mount be. Caller holds g_mount_lock.
bool mountable(const Dentry* d) RCUVFS_REQUIRES(g_mount_lock) {
  return !d->has_flag(kDDeleted) && (d->is_root() || !d->has_flag(kDUnhashed));
}

// Run `attach(where)` (a Status) under g_mount_lock once `where`, the walked `target`,
// is mountable. An entry its filesystem dropped as stale since the walk found it (a
// host change seen by hostfs's watch) names a directory that may still be there: the
// target is walked again. An overflow of the host's queue drops the target at most
// twice (its entry, then its parent's with what is below), so 16 walks outlast a run
// of overflows; only a removed directory is ENOENT at once.
template <class Attach>
Status attach_at(TaskState& t, std::string_view target, PathRef where, bool want_dir,
                 Attach&& attach) {
  for (int walks = 1;; ++walks) {
    {
      MutexLock g(g_mount_lock);
      if (mountable(where.dentry())) return attach(where.get());
    }
    if (where.dentry()->has_flag(kDDeleted) || walks == 16) return Err{ENOENT};
    auto again = lookup_path(t, AT_FDCWD, target, kLookupFollow);
    if (!again.ok()) return Err{again.error()};
    where = PathRef(*again);
    if (where.inode()->is_dir() != want_dir) return Err{ENOTDIR};
  }
}
}  // namespace

Status Task::mount(std::string_view fstype, std::string_view target, std::string_view options) {
  RCUVFS_TRY(check_path(target, false));
  const Cred cred = current_cred(*s_);
  if (!cred.is_root()) return Err{EPERM};
  auto p = lookup_path(*s_, AT_FDCWD, target, kLookupFollow);
  if (!p.ok()) return Err{p.error()};
  PathRef where(*p);
  if (!where.inode()->is_dir()) return Err{ENOTDIR};
  const SecPath at = sec_path(*s_, where.get(), where.inode());
  if (int err = security_call(*s_->vfs, [&](SecurityModule& mod) {
        return mod.sb_mount(nullptr, at, fstype, cred);
      }))
    return Err{-err};
  auto m = s_->vfs->new_mount(fstype, options, Cred{});
  if (!m.ok()) return Err{m.error()};
  Status st = attach_at(*s_, target, std::move(where), true,
                        [&](const Path& at) RCUVFS_REQUIRES(g_mount_lock) {
    mnt_attach(*m, at);
    return Status{};
  });
  if (!st.ok()) mntput(*m);  // outside g_mount_lock: freeing tears down the new filesystem
  return st;
}

namespace {
// Copy the mounts below `src` (those whose mountpoint lies under `src_root`) onto
// `clone`, recursively. Caller holds g_mount_lock.
void clone_submounts(Mount* src, const Dentry* src_root, Mount* clone)
    RCUVFS_REQUIRES(g_mount_lock) {
  for (Mount* child : src->children) {
    Dentry* mp = child->mountpoint.load(std::memory_order_relaxed);
    if (!is_ancestor(src_root, mp)) continue;
    Mount* c = mnt_alloc(child->sb, dget(child->root));
    mnt_attach(c, Path{clone, mp});
    clone_submounts(child, child->root, c);
  }
}
}  // namespace

Status Task::bind(std::string_view source, std::string_view target, bool recursive) {
  RCUVFS_TRY(check_path(source, false));
  RCUVFS_TRY(check_path(target, false));
  if (!current_cred(*s_).is_root()) return Err{EPERM};
  auto src = lookup_path(*s_, AT_FDCWD, source, kLookupFollow);
  if (!src.ok()) return Err{src.error()};
  PathRef from(*src);
  auto dst = lookup_path(*s_, AT_FDCWD, target, kLookupFollow);
  if (!dst.ok()) return Err{dst.error()};
  PathRef where(*dst);
  if (from.inode()->is_dir() != where.inode()->is_dir()) return Err{ENOTDIR};
  const Cred cred = current_cred(*s_);
  const SecPath src_at = sec_path(*s_, from.get(), from.inode());
  const SecPath dst_at = sec_path(*s_, where.get(), where.inode());
  if (int err = security_call(*s_->vfs, [&](SecurityModule& mod) {
        return mod.sb_mount(&src_at, dst_at, {}, cred);
      }))
    return Err{-err};
  const bool want_dir = where.inode()->is_dir();
  return attach_at(*s_, target, std::move(where), want_dir,
                   [&](const Path& at) RCUVFS_REQUIRES(g_mount_lock) -> Status {
    if (from.dentry()->has_flag(kDDeleted)) return Err{ENOENT};
    Mount* clone = mnt_alloc(from.mnt()->sb, dget(from.dentry()));
    if (recursive) clone_submounts(from.mnt(), from.dentry(), clone);
    mnt_attach(clone, at);
    return {};
  });
}

Status Task::umount(std::string_view target, int flags) {
  if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) return Err{EINVAL};
  RCUVFS_TRY(check_path(target, false));
  const Cred cred = current_cred(*s_);
  if (!cred.is_root()) return Err{EPERM};
  auto p = lookup_path(*s_, AT_FDCWD, target,
                       (flags & UMOUNT_NOFOLLOW) ? 0u : kLookupFollow);
  if (!p.ok()) return Err{p.error()};
  PathRef where(*p);
  Mount* m = where.mnt();
  if (where.dentry() != m->root) return Err{EINVAL};
  const SecPath at = sec_path(*s_, where.get(), where.inode());
  if (int err = security_call(*s_->vfs,
                              [&](SecurityModule& mod) { return mod.sb_umount(at, cred); }))
    return Err{-err};
  std::vector<Mount*> detached;
  {
    MutexLock g(g_mount_lock);
    if (!m->attached || m->is_root()) return Err{EINVAL};
    if (!(flags & MNT_DETACH)) {
      // Busy: anything holding it beyond the tree's reference and ours.
      if (!m->children.empty() ||
          m->refcount.load() > 2)
        return Err{EBUSY};
    }
    mnt_detach_tree(m, detached);
  }
  where.reset();
  for (Mount* d : detached) mntput(d);
  return {};
}

}  // namespace rcuvfs
