// etcd: a filesystem kept in an etcd cluster, which several rcuvfs instances (on
// several machines) may mount at once (docs/etcd.md).
//
// Every change is one etcd transaction: it reads the keys it relies on (the records of
// the inodes it changes, the entries it replaces or removes), decides as Linux would
// from what it read, and commits only if none of those keys changed since (compares of
// their mod revisions); otherwise it reads again and decides again. So a change made
// by another instance between the read and the commit is never overwritten, and every
// namespace rule (link counts, an empty directory, RENAME_NOREPLACE) holds across
// instances.
//
// The cache: the dcache is a cache (no kSbDcacheComplete); lookups read etcd. Each
// instance watches its prefix from the revision it first read at, and applies every
// change in revision order: an entry changed by another instance is dropped from the
// dcache (entry_changed: the walks holding it fail their sequence checks), an inode
// record that changed is stored into the inode's attributes (an AttrWrite section).
// While the watch is in step, cached entries and attributes are the store's as of the
// watch's revision, and stats answer from them speculatively. While it is not (not yet
// started, or broken and not yet in step again), getattr_rcu, permission and
// revalidate in RCU mode say -ECHILD, and the blocking forms read etcd (counted:
// EtcdStats::fetches).
//
// A change made through this instance stores the attributes and revision it committed
// before it returns (read-your-writes); the watch skips that revision's entry events
// (the core changed the dcache itself) and stores a record only when its revision is
// newer than the inode's.
//
// EtcdInode fields beyond the core's:
//   rdev_        a device's number: an attribute (written in AttrWrite sections, read
//                in snapshots)
//   rev_, xattr_gen_  the mod revision of the record the attributes came from, and
//                the generation of its extended attributes; read and written only
//                inside AttrWrite sections (whose counter is the writers' lock)
//   xattrs_      the extended attributes (SimpleXattrs: read under RCU, replaced
//                whole inside the AttrWrite section that stores a newer generation)
//   gone_        the record is gone from etcd: ESTALE from then on; atomic, not read
//                under RCU
//   held_        without names, this instance holds it (P/orphan/<ino>/<instance>);
//                atomic, not read under RCU
//   body_        a symlink's target; immutable
// An inode without names lives on while any instance has it (open, or cached): each
// such instance keeps a key P/orphan/<ino>/<instance>, put by the change that took the
// last name when that instance made it, or when its watch brings the record with no
// links. The instance that lets the inode go deletes its key, and reclaims the record
// and data after kOrphanGrace, in a transaction that requires no key left under
// P/orphan/<ino>/: every other instance that has the inode has held it by then (it
// needs only its watch's delay).
// EtcdSuper::table_ (ino -> live inode) is guarded by table_mu_; own_revs_ by own_mu_;
// the inode-number block by ino_mu_; the reaper's queue by reap_mu_.
// Lock order: Inode::lock (directories, then files, as the core takes them) ->
// table_mu_, own_mu_, ino_mu_, reap_mu_ (leaves but for table_mu_ -> the core's leaf
// alias_mu, which EtcdInode::store takes through mode_changed). The watch thread takes
// one directory's Inode::lock at a time, and no lock of the core.
#pragma once

#include "fs/etcd/client.h"
#include "fs/etcd/layout.h"

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/mutex.h>
#include <rcuvfs/fs/superblock.h>
#include <rcuvfs/fs/xattr.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace rcuvfs::etcdfs {

inline constexpr auto kRelaxed = std::memory_order_relaxed;

class EtcdSuper;

class EtcdInode : public Inode {
 public:
  EtcdInode(EtcdSuper* sb, uint64_t ino, const Record& r, int64_t rev);

  // Store a record read or committed at mod revision `rev`, unless the inode already
  // has a newer one. Returns whether it was stored. A record without links makes this
  // instance hold the inode (once). A directory whose search bits changed is reported
  // to the core (mode_changed, after the AttrWrite section: it takes a lock).
  bool store(const Record& r, int64_t rev);
  void mark_gone() { gone_.store(true, std::memory_order_release); }
  // Read this inode's record again from etcd and store it (counted as a fetch); the
  // store revision it was read at. ESTALE, and gone from then on, when it is no more.
  Result<int64_t> refetch();
  bool gone() const { return gone_.load(std::memory_order_acquire); }
  // The hold this instance's own change put (in the transaction that took the name).
  void mark_held() { held_.store(true, std::memory_order_release); }
  bool held() const { return held_.load(std::memory_order_acquire); }

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
  int statfs(Statfs& out, unsigned flags) const override;
  int getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const override;
  int listxattr(XattrNameFn fn, void* ctx, unsigned flags) const override;
  Status setxattr(std::string_view name, std::string_view value, int flags) override;
  Status removexattr(std::string_view name) override;

  Result<size_t> read(void* buf, size_t count, off_t offset) override;
  Result<size_t> write(const void* buf, size_t count, off_t offset) override;
  Status truncate(off_t length) override;
  Result<uint64_t> current_size() override;
  void evict() override;

  EtcdSuper& super() const;
  // What a stat adds to the attribute snapshot (Superblock::attr_extra).
  static void read_extra(const Inode& inode, Statx& out);

 private:
  // Make `name` here: an inode of `r`, owned as `cred` makes it in this directory
  // (init_owner), its times now.
  Result<Inode*> make(std::string_view name, Record r, const Cred& cred);
  // Write `data` at `offset` (at most kChunksPerTxn chunks), or cut the file at
  // `offset` when `data` is null: one transaction.
  Status write_span(const char* data, size_t count, uint64_t offset);
  void hold();
  // store's AttrWrite section; `was` gets the mode it replaced.
  bool store_attrs(const Record& r, int64_t rev, mode_t& was);
  // Answer from the cached attributes when the watch is in step; else -ECHILD in RCU
  // mode, or read the record again.
  int fresh_or_refetch(unsigned flags) const;
  // Read the record, apply `change` (which may refuse), commit it: one transaction
  // over the record, retried while others change it meanwhile.
  Status update_record(const std::function<Status(Record&)>& change);
  // Apply `change` to the record's extended attributes, in one transaction.
  Status change_xattrs(const std::function<Status(Record&)>& change);

  std::atomic<uint64_t> rdev_{0};
  int64_t rev_ = 0;
  uint64_t xattr_gen_ = 0;
  SimpleXattrs xattrs_;
  std::atomic<bool> gone_{false};
  std::atomic<bool> held_{false};
  const std::string body_;
};

struct EtcdOptions {
  ClientOptions client;
  std::string prefix = "rcuvfs/";
  bool watch = true;
  int lease_s = 30;
};
// "ENDPOINT[,ENDPOINT...][,prefix=P][,timeout=MS][,watch=0|1][,lease=S]": endpoints
// host:port (http:// optional); prefix the keys' prefix (a '/' is added at its end
// when missing); timeout the budget of a call, in milliseconds (default 4000);
// watch=0: no watch, so nothing cached is trusted and every stat and lookup reads etcd
// (what a client without a coherent cache pays); lease the lifetime, in seconds
// (2-3600, default 30), of this instance's holds once it stops renewing them: how long
// the files without names that a crashed instance had open wait to be reclaimed.
Result<EtcdOptions> parse_options(std::string_view options);

// What an instance did (EtcdSuper::stats).
struct EtcdStats {
  uint64_t fetches = 0;     // records read because the cache could not answer
  uint64_t conflicts = 0;   // transactions whose compares failed (read again, retried)
  uint64_t events = 0;      // watch events applied
  uint64_t resyncs = 0;     // the watch fell behind compaction: the cache was dropped
  uint64_t sweeps = 0;      // inodes another instance let go, looked at (Job::kSweep)
  bool in_step = false;     // the watch is in step now
  ClientStats client;
};

// Reads, decisions and commits of one change: a change that keeps losing to others is
// refused rather than retried for ever.
inline constexpr int kAttempts = 64;

// How long an inode without names that this instance let go waits before it is
// reclaimed: the time other instances that have it get to hold it (their watch's delay;
// one cut off from etcd for longer finds it gone, ESTALE).
inline constexpr auto kOrphanGrace = std::chrono::seconds(5);

class EtcdSuper : public Superblock {
 public:
  EtcdSuper(std::unique_ptr<Client> client, const EtcdOptions& o);
  ~EtcdSuper() override;
  // Read (or make, in an empty prefix) the root.
  Status start(const Cred& owner);
  // The root; starts the watch.
  Inode* root_inode() override;

  Client& client() { return *client_; }
  EtcdInode* root() const { return root_; }
  const Layout& layout() const { return layout_; }
  bool in_step() const { return in_step_.load(std::memory_order_acquire); }
  EtcdStats stats() const;
  void count_fetch() { fetches_.fetch_add(1, std::memory_order_relaxed); }
  void count_conflict() { conflicts_.fetch_add(1, std::memory_order_relaxed); }

  // A new inode number.
  Result<uint64_t> allocate_ino();
  // The live inode of `ino` with a new reference, or one made from `r` (its record at
  // mod revision `rev`, read or committed at store revision `read_at`).
  EtcdInode* get_inode(uint64_t ino, const Record& r, int64_t rev, int64_t read_at);
  // The live inode of `ino` with a new reference, or nullptr.
  EtcdInode* find_inode(uint64_t ino);
  void forget(EtcdInode* inode);
  // A change's transaction: its revision when it committed (noted with committed()),
  // 0 when its compares failed (another instance changed what it read; counted).
  Result<int64_t> commit(const std::vector<Compare>& cmp, const std::vector<Op>& ops);
  // A transaction this instance committed at `rev`: the watch leaves its entries alone.
  void committed(int64_t rev);
  // This instance's key in the holds on an inode without names, and the lease it is
  // put under.
  std::string hold_key(uint64_t ino) const { return layout_.hold(ino, instance_); }
  int64_t lease() const { return lease_.load(std::memory_order_acquire); }
  // The puts by which this instance holds inode `ino` without names: its hold, under
  // the lease, and the inode's orphan mark (layout.h).
  void add_hold(std::vector<Op>& ops, uint64_t ino) const {
    ops.push_back(Op::put(hold_key(ino), "", lease()));
    ops.push_back(Op::put(layout_.orphan(ino), ""));
  }
  // Whether the lease is renewed (tests): not renewing it is what a crash, or a stop
  // longer than the lease, does to it.
  void renew_lease(bool on) { renew_.store(on, std::memory_order_release); }
  // The reaper's jobs, on its own thread: put this instance's hold on `ino` (while the
  // record is there); or, for an inode without names let go, kOrphanGrace later,
  // delete that hold and reclaim the inode unless another instance holds it.
  void hold(uint64_t ino);
  void reap(uint64_t ino);
  // The root is going: the watch touches no inode from now on (it waits for a batch
  // being applied, unless called from the watch's own thread).
  void stop_watch();

 private:
  void on_events(int64_t rev, std::vector<WatchEvent>& events);
  void on_state(bool up);
  int64_t on_lost();
  void reaper();
  // kSweep: reclaim an inode without names if nothing holds it (a holder's lease ran
  // out); kSweepAll: every such inode under P/orphan/ (at start); kRenew: the lease.
  enum class Job : uint8_t { kHold, kReclaim, kSweep, kSweepAll, kRenew };
  void run(Job job, uint64_t ino);
  void reclaim(uint64_t ino);
  void sweep_all();
  void renew();
  // How often the lease is renewed: a third of its lifetime.
  std::chrono::seconds renew_period() const { return std::chrono::seconds(lease_s_) / 3; }
  // Lease `gone` ran out: a new one (unless another thread took it already), and every
  // held inode held again under it. False when etcd granted none.
  bool new_lease(int64_t gone);
  void queue(Job job, uint64_t ino, std::chrono::steady_clock::time_point due);

  std::unique_ptr<Client> client_;
  const Layout layout_;
  const bool watch_wanted_;
  EtcdInode* root_ = nullptr;
  int64_t start_rev_ = 0;
  std::atomic<bool> in_step_{false};
  std::atomic<int64_t> applied_rev_{0};  // the last revision the watch applied
  std::atomic<uint64_t> fetches_{0}, conflicts_{0}, events_{0}, resyncs_{0}, sweeps_run_{0};

  Mutex table_mu_;
  std::map<uint64_t, EtcdInode*> table_ RCUVFS_GUARDED_BY(table_mu_);
  Mutex own_mu_;
  std::set<int64_t> own_revs_ RCUVFS_GUARDED_BY(own_mu_);
  Mutex ino_mu_;
  uint64_t next_ino_ RCUVFS_GUARDED_BY(ino_mu_) = 0;
  uint64_t end_ino_ RCUVFS_GUARDED_BY(ino_mu_) = 0;

  const std::string instance_;  // this instance's name in holds: random hex
  const int lease_s_;
  // The holds' lease: set by start, renewed by kRenew, replaced under lease_mu_ (taken
  // with Inode locks held, around one etcd call; nothing is taken under it).
  std::mutex lease_mu_;
  std::atomic<int64_t> lease_{0};
  std::atomic<bool> renew_{true};
  std::mutex reap_mu_;
  std::condition_variable reap_cv_;
  // Jobs by the time they are due. guarded by reap_mu_
  std::multimap<std::chrono::steady_clock::time_point, std::pair<Job, uint64_t>> jobs_;
  // The kSweep jobs queued per inode; the watch forgets an inode's when it sees its
  // record deleted (the usual end: its last holder reclaimed it), and the jobs then
  // ask etcd nothing. guarded by reap_mu_
  std::map<uint64_t, int> sweeps_;
  bool reap_stop_ = false;  // guarded by reap_mu_
  std::thread reaper_;

  // Held by the watch's thread while it applies changes; stopping_ (set under it)
  // makes the callbacks return without touching an inode.
  std::mutex busy_mu_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::thread::id> watch_thread_{};
  std::unique_ptr<Client::Watch> watch_;
};

inline EtcdSuper& EtcdInode::super() const { return *static_cast<EtcdSuper*>(sb); }

class EtcdFsType : public FsType {
 public:
  std::string_view name() const override { return "etcd"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                 const Cred& owner) override;
};

}  // namespace rcuvfs::etcdfs
