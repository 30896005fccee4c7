// hostfs: a host directory tree served as an rcuvfs filesystem.
//
// Every host call is an *at() call relative to a descriptor of the object it concerns
// (or of the directory holding the name it concerns): a host path string is never
// walked again, so a rename on the host cannot redirect an operation. Inodes hold no
// descriptor of their own. Each knows its host object's identity (HostId: device,
// inode number, file handle or birth time), and a descriptor is opened when an
// operation needs one: by file handle (open_by_handle_at, relative to the root's
// descriptor, which stays open), or, when the process may not open handles (it lacks
// CAP_DAC_READ_SEARCH, or the host filesystem has none), by the name the object was
// last seen under, from its directory's descriptor (one component, then the identity
// is checked). Descriptors stay in a cache of bounded size (FdCache: `fds=N`), so
// hostfs serves any tree within a fixed budget.
//
// An object found gone on the host (ESTALE from open_by_handle_at, or another object
// or none under its name) is stale from then on: its host calls fail with ESTALE, its
// attributes are never fresh (the RCU-mode stat and permission refuse), and its
// entries fail revalidation. A path-based call that meets ESTALE is run once more by
// the core, revalidating every cached entry on its way (kRevalForce).
//
// The dcache is a cache here (no kSbDcacheComplete): names are looked up on the host
// when missing, and a cached entry (positive or negative) is trusted for `ttl`, after
// which the walker has it confirmed on the host (revalidate). Attributes are kept in
// the inode's atomic fields with the time they were fetched: getattr_rcu answers from
// them while they are younger than `ttl` and says -ECHILD otherwise; the blocking
// getattr then fetches them again. Every change made through rcuvfs refetches the
// attributes of the objects it touched before it returns. ttl = 0 sends every stat
// and lookup to the host.
//
// Ownership: the core checks the task's credentials against the cached attributes.
// New objects are made on the host as the task (see creator.h); every other change
// is made with the process's own privileges (normally root) once the core allowed it.
//
// HostInode fields beyond the core's (in this order: what a cached stat reads comes
// first, beside the core's attributes):
//   fetched_     when the attributes were fetched (coarse_clock_ns()); written
//                inside the AttrWrite section that stores them, read under RCU;
//                kNeverFresh while the object is stale or the watch saw it change
//   blocks_, rdev_  the host's st_blocks and st_rdev: attributes (written in AttrWrite
//                sections, read in snapshots)
//   stored_ticket_  the Fetch::ticket of the attributes stored; read and written only
//                inside AttrWrite sections (whose counter is the writers' lock)
//   stale_       the object is gone on the host: set when that is found, cleared when
//                a lookup finds the same object again (it had moved on the host);
//                atomic, never read under RCU (fetched_ carries it there)
//   fixed_fd_    the root's descriptor (owned by HostSuper), -1 for every other inode;
//                immutable
//   id_          the host identity; immutable
//   body_        symlink target; immutable after construction (a changed host
//                symlink is a different host inode)
//   slots_       one per FdKind: the object's descriptors that the cache holds;
//                guarded by the FdCache's lock
//   where_dir_, where_name_  where the object was last seen (a reference on that
//                directory's inode, and the name): kept only when descriptors are
//                reopened by name; guarded by HostSuper::where_mu_
// HostSuper::table_ maps (device, inode number) to the live HostInode of that object
// (hard links share one); guarded by table_mu_. An entry whose object turned out to
// be another (the number was reused) is marked stale and replaced.
// Lock order (docs/locking.md): Inode::lock -> table_mu_ -> where_mu_ or the FdCache's
// lock, both leaves. A pinned descriptor is no lock: operations hold pins across host
// calls.
#pragma once

#include "fs/hostfs/fd_cache.h"
#include "fs/hostfs/identity.h"
#include "fs/hostfs/watcher.h"

#include <rcuvfs/fs/clock.h>
#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/superblock.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

struct statx;

namespace rcuvfs::hostfs {

class HostSuper;
class Creator;

// When a fetch of attributes from the host began: the watch's change counter then
// (HostSuper::host_gen), and a ticket that orders fetches, so that of two racing ones
// the snapshot taken later is the one kept (a stat's refresh without the inode lock
// racing a change through rcuvfs and its own refresh would otherwise put the older
// snapshot back).
struct Fetch {
  uint64_t gen = 0;
  uint64_t ticket = 0;
};

class HostInode : public Inode {
 public:
  HostInode(HostSuper* sb, HostId id, int fixed_fd, const struct ::statx& st, Fetch f,
            std::string body);
  ~HostInode() override;

  // Store attributes fetched from the host; `f`: HostSuper::fetch_start() before they
  // were fetched. When the watch reported a change since, they are stored but not
  // fresh; when a fetch that started later stored its own already, they are dropped.
  void store_attrs(const struct ::statx& st, Fetch f);
  // The same for a fetch made without the inode's lock held (shared or exclusive):
  // stored only if no change through rcuvfs holds the lock now.
  void store_attrs_unlocked(const struct ::statx& st, Fetch f);
  // Fetch them again (after a change through rcuvfs, or when stale), the caller
  // holding the inode's lock; `fd`: a descriptor of the object it holds already.
  Status refresh();
  Status refresh(int fd);
  // The same without the lock (store_attrs_unlocked).
  Status refresh_unlocked();
  bool fresh() const;
  // The host changed the object behind rcuvfs's back (the watch says so): the cached
  // attributes are not fresh any more.
  void host_changed();

  Result<Inode*> lookup(std::string_view name) override;
  Result<Inode*> create(std::string_view name, mode_t mode, dev_t rdev,
                        const Cred& cred) override;
  Result<Inode*> mkdir(std::string_view name, mode_t mode, const Cred& cred) override;
  Result<Inode*> symlink(std::string_view name, std::string_view target,
                         const Cred& cred) override;
  Status link(Inode* target, std::string_view name) override;
  Status unlink(std::string_view name, Inode* victim) override;
  Status rmdir(std::string_view name, Inode* victim) override;
  Status rename(std::string_view old_name, Inode* source, Inode* new_dir,
                std::string_view new_name, Inode* target, unsigned flags) override;
  int revalidate(std::string_view name, const Inode* child, uint32_t age_ms,
                 unsigned flags) const override;
  Result<size_t> readdir(int64_t& pos, std::vector<DirEntry>& out,
                         size_t max_entries) override;

  int getattr_rcu(Statx& out, unsigned mask, unsigned flags) const override;
  Status getattr(Statx& out, unsigned mask, unsigned flags) override;
  Status setattr(const AttrChange& change) override;
  int permission(int mask, const Cred& cred, unsigned flags) const override;
  int get_link(std::string_view& out, unsigned flags) const override;
  // The host's fstatfs of the object (so each host filesystem under the tree answers
  // for its own objects): a system call, so -ECHILD in RCU mode.
  int statfs(Statfs& out, unsigned flags) const override;
  // The host's extended attributes (xattr.cc): system calls, -ECHILD in RCU mode.
  int getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const override;
  int listxattr(XattrNameFn fn, void* ctx, unsigned flags) const override;
  Status setxattr(std::string_view name, std::string_view value, int flags) override;
  Status removexattr(std::string_view name) override;

  Result<size_t> read(void* buf, size_t count, off_t offset) override;
  Result<size_t> write(const void* buf, size_t count, off_t offset) override;
  Status truncate(off_t length) override;
  Result<uint64_t> current_size() override;  // the host's, however fresh the cache
  void evict() override;

  HostSuper& super() const;
  const HostId& id() const { return id_; }
  bool stale() const { return stale_.load(std::memory_order_acquire); }
  // The object is gone on the host.
  void mark_stale();
  // A descriptor of the object of `kind`, pinned for the caller's operation: from the
  // cache, or opened (by handle, or by name from where it was last seen).
  Result<HostFd> pin(FdKind kind) const;
  // The object was seen as `name` in `dir` (a lookup found it, or rcuvfs renamed it);
  // it is the same object as any stale one, so it is not stale any more.
  void seen_at(HostInode* dir, std::string_view name);
  // The object's descriptor of `kind`, opened by the caller (after FdCache::reserve),
  // goes to the cache.
  void adopt(FdKind kind, int fd);

 private:
  static constexpr int64_t kNeverFresh = std::numeric_limits<int64_t>::min() / 2;

  // The host object `name` in this directory as a HostInode (a new reference).
  Result<Inode*> lookup_host(std::string_view name);
  // Make `name` with `make` (given this directory's descriptor) as (uid, gid) with
  // cred's groups, then look it up.
  Result<Inode*> finish_create(const Cred& cred, uid_t uid, gid_t gid, std::string_view name,
                               const std::function<int(int dirfd)>& make);
  // Open a descriptor of `kind` (counted by the cache already).
  int open_kind(FdKind kind) const;
  // Reopen the object O_PATH by the name it was last seen under, checking that it is
  // still this object (ESTALE otherwise).
  int reopen_by_name() const;
  // unlinkat(name, flags) of `victim`.
  Status remove(std::string_view name, Inode* victim, int flags);
  // After `victim` lost a name through rcuvfs (its descriptor `held`, pinned before):
  // refresh its attributes, and keep the descriptor when that was its last name.
  static void removed(HostInode* victim, Result<HostFd>& held);
  // The attribute snapshot's AttrExtra: st_blocks and st_rdev.
  static void read_extra(const Inode& inode, Statx& out);
  // refresh(fd) (`locked`: the caller holds the inode's lock) or its unlocked form.
  Status fetch(int fd, bool locked);

  // First, next to the core's fields: what a cached stat reads.
  std::atomic<int64_t> fetched_{0};
  std::atomic<uint64_t> blocks_{0};
  std::atomic<uint64_t> rdev_{0};
  uint64_t stored_ticket_ = 0;
  std::atomic<bool> stale_{false};
  const int fixed_fd_;
  const HostId id_;
  const std::string body_;
  mutable FdSlot slots_[kFdKinds];
  HostInode* where_dir_ = nullptr;
  std::string where_name_;
};

struct HostOptions {
  std::string dir;
  int64_t ttl_ns = 2'000'000'000;  // 2 s
  size_t fds = 0;                  // the descriptor budget; 0: the default
  WatchKind watch = WatchKind::kInotify;  // follow the host's changes (watcher.h)
};
// "DIR" or "[ttl=SECONDS,][fds=N,][watch=0|1|inotify|fanotify,]dir=DIR" (dir= last, so
// DIR may contain commas).
Result<HostOptions> parse_options(std::string_view options);
// The budget when none is given: min(256, soft RLIMIT_NOFILE / 4), at least 1.
size_t default_fd_budget();

// How hostfs reaches objects it holds no descriptor of.
enum class Reopen : uint8_t {
  kHandle,       // open_by_handle_at; handles tell objects apart
  kNameHandle,   // by name; handles (encoded without privilege) tell objects apart
  kNameBtime,    // by name; birth times tell objects apart (no handles on this host)
};

class HostSuper : public Superblock {
 public:
  // `root_fd`: the directory, opened O_RDONLY (open_by_handle_at refuses O_PATH).
  HostSuper(int root_fd, const struct ::statx& root_st, const HostOptions& o);
  ~HostSuper() override;
  Inode* root_inode() override;

  // The one lifetime of cached entries and attributes.
  int64_t ttl_ns() const { return entry_ttl_ns; }
  Creator& creator() { return *creator_; }
  FdCache& fds() { return fds_; }
  FdStats fd_stats() const { return fds_.stats(); }
  Reopen reopen() const { return reopen_; }
  bool encodes_handles() const { return reopen_ != Reopen::kNameBtime; }
  int root_fd() const { return root_fd_; }
  int mount_id() const { return mount_id_; }
  HostInode* root() const { return root_ptr_; }
  Watcher& watcher() { return *watcher_; }
  WatchStats watch_stats() const { return watcher_->stats(); }
  // Bumped (seq_cst) by the watch before it expires an inode's attributes: a fetch
  // that began before and stores after must not leave them fresh.
  uint64_t host_gen() const { return host_gen_.load(std::memory_order_seq_cst); }
  void bump_host_gen() { host_gen_.fetch_add(1, std::memory_order_seq_cst); }
  // Taken before a statx of the host whose result will be stored (store_attrs).
  Fetch fetch_start() {
    const uint64_t gen = host_gen();
    return {gen, fetch_ticket_.fetch_add(1, std::memory_order_relaxed) + 1};
  }
  // The watch lost events: no inode's attributes are fresh.
  void expire_all();

  // The live inode of the host object behind `fd` (opened after FdCache::reserve,
  // statx `st`, identity `id`), found as `name` in `dir`, or a new one; `fd` becomes
  // its cached O_PATH descriptor or is closed. A new reference either way.
  HostInode* get_inode(int fd, const struct ::statx& st, HostId id, HostInode* dir,
                       std::string_view name, Fetch f);
  // An inode's last reference is gone: forget it (unless a newer one replaced it).
  void forget(HostInode* inode);
  // The live inode of what the host has at `name` in `dir` now, with a reference
  // (iput it), or nullptr. Found by its host identity, not through the dcache: a
  // descriptor may hold a directory's entry that a change dropped from the dcache,
  // and lookups through it find their objects without caching them there.
  HostInode* live_inode_at(HostInode* dir, std::string_view name);
  // `inode`, with a reference, if it is still the live inode of host object (dev,
  // ino); nullptr otherwise. `inode` is only compared: it may be freed.
  HostInode* live_inode(const HostInode* inode, uint64_t dev, uint64_t ino);

  std::mutex where_mu_;  // guards HostInode::where_dir_ and where_name_ of every inode

 private:
  const int root_fd_;
  Reopen reopen_ = Reopen::kNameBtime;
  int mount_id_ = -1;
  FdCache fds_;
  std::unique_ptr<Creator> creator_;
  HostInode* root_ = nullptr;
  HostInode* root_ptr_ = nullptr;  // the root inode, for the watch (its evict stops it)
  std::atomic<uint64_t> host_gen_{0};
  std::atomic<uint64_t> fetch_ticket_{0};
  std::unique_ptr<Watcher> watcher_;
  Mutex table_mu_;
  std::map<std::pair<uint64_t, uint64_t>, HostInode*> table_ RCUVFS_GUARDED_BY(table_mu_);
};

inline HostSuper& HostInode::super() const { return *static_cast<HostSuper*>(sb); }

class HostFsType : public FsType {
 public:
  std::string_view name() const override { return "hostfs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                 const Cred& owner) override;
};

}  // namespace rcuvfs::hostfs
