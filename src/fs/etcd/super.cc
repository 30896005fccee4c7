// The etcd instance: options, the root, inode numbers, the table of live inodes, and
// the watch that keeps the cache in step with the store.
#include "fs/etcd/etcdfs.h"

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/fs/changes.h>
#include <rcuvfs/fs/options.h>

#include <sys/inotify.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <limits>
#include <random>

namespace rcuvfs::etcdfs {

namespace {
// `v` is a whole decimal number in [lo, hi]: stored in `out`.
bool bounded_int(std::string_view v, int lo, int hi, int& out) {
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi)
    return false;
  out = n;
  return true;
}
}  // namespace

Result<EtcdOptions> parse_options(std::string_view opts) {
  EtcdOptions o;
  while (!opts.empty()) {
    const std::string_view kv = next_option(opts);
    if (kv.starts_with("prefix=")) {
      o.prefix = std::string(kv.substr(7));
      if (o.prefix.empty() || o.prefix.find('\0') != std::string::npos) return Err{EINVAL};
      if (o.prefix.back() != '/') o.prefix += '/';
    } else if (kv.starts_with("timeout=")) {
      int ms = 0;
      if (!bounded_int(kv.substr(8), 1, 3600000, ms)) return Err{EINVAL};
      o.client.budget_ms = ms;
      o.client.call_ms = std::min(o.client.call_ms, ms);
    } else if (kv == "watch=0" || kv == "watch=1") {
      o.watch = kv == "watch=1";
    } else if (kv.starts_with("lease=")) {
      if (!bounded_int(kv.substr(6), 2, 3600, o.lease_s)) return Err{EINVAL};
    } else if (kv.find('=') != std::string_view::npos || kv.empty()) {
      return Err{EINVAL};
    } else {
      o.client.endpoints.emplace_back(kv);
    }
  }
  if (o.client.endpoints.empty()) return Err{EINVAL};
  return o;
}

namespace {
std::string random_name() {
  std::random_device rd;
  const uint64_t v = (uint64_t{rd()} << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

EtcdSuper::EtcdSuper(std::unique_ptr<Client> client, const EtcdOptions& o)
    : client_(std::move(client)),
      layout_(o.prefix),
      watch_wanted_(o.watch),
      instance_(random_name()),
      lease_s_(o.lease_s) {
  // Entries are trusted for ever while the watch is in step, and not at all otherwise
  // (on_state): the walker checks that itself, as it checks hostfs's TTL.
  // The attributes are as fresh as the entries (one watch keeps both): while the
  // entries are trusted, the walker checks search and takes stats itself.
  flags = kSbWatched | kSbEntryTtl | kSbAttrsWithEntries | (o.watch ? kSbChangesReported : 0);
  attr_extra = EtcdInode::read_extra;
  cached_inode_bytes = sizeof(EtcdInode);
  reaper_ = std::thread([this] { reaper(); });
}

EtcdSuper::~EtcdSuper() {
  watch_.reset();
  {
    std::lock_guard g(reap_mu_);
    reap_stop_ = true;
  }
  reap_cv_.notify_all();
  reaper_.join();
  // The reclaims above deleted this instance's holds; its lease would otherwise live on
  // for its lifetime, with whatever a reclaim that failed left under it.
  if (const int64_t id = lease()) (void)client_->lease_revoke(id);
}

Status EtcdSuper::start(const Cred& owner) {
  const std::string key = layout_.inode(kRootIno);
  Record rec;
  int64_t rev = 0;
  for (int tries = 0; !rev; ++tries) {
    if (tries == 8) return Err{EIO};
    auto got = client_->range(key, "");
    if (!got.ok()) return Err{got.error()};
    if (!got->kvs.empty()) {
      auto r = decode_record(got->kvs[0].value);
      if (!r.ok()) return Err{r.error()};
      if (!S_ISDIR(r->mode)) return Err{EIO};
      rec = *r;
      rev = got->kvs[0].mod_rev;
      start_rev_ = got->revision;
      break;
    }
    // An empty prefix: this instance makes the root, unless another one just did.
    const int64_t now = now_ns();
    rec = Record{};
    rec.mode = S_IFDIR | 0755;
    rec.uid = owner.uid;
    rec.gid = owner.gid;
    rec.nlink = 2;
    rec.size = kEmptyDirSize;
    rec.atime = rec.mtime = rec.ctime = rec.btime = now;
    auto t = client_->txn({Compare::absent(key)},
                          {Op::put(key, encode(rec)),
                           Op::put(layout_.next_ino(), std::to_string(kRootIno + 1))});
    if (!t.ok()) return Err{t.error()};
    if (t->succeeded) rev = start_rev_ = t->revision;
  }
  root_ = new EtcdInode(this, kRootIno, rec, rev);
  {
    MutexLock g(table_mu_);
    table_[kRootIno] = root_;
  }
  auto lease = client_->lease_grant(lease_s_);
  if (!lease.ok()) return Err{lease.error()};
  lease_.store(*lease, std::memory_order_release);
  const auto now = std::chrono::steady_clock::now();
  queue(Job::kRenew, 0, now + renew_period());
  queue(Job::kSweepAll, 0, now);
  return {};
}

// The watch starts here, once the core has set the instance up (its dcache and feed):
// it may report changes at once.
Inode* EtcdSuper::root_inode() {
  if (watch_wanted_) {
    Client::WatchCallbacks cb;
    cb.events = [this](int64_t r, std::vector<WatchEvent>& evs) { on_events(r, evs); };
    cb.state = [this](bool up) { on_state(up); };
    cb.lost = [this] { return on_lost(); };
    watch_ = client_->watch(layout_.prefix(), start_rev_ + 1, std::move(cb));
  }
  return root_;
}

EtcdStats EtcdSuper::stats() const {
  EtcdStats s;
  s.fetches = fetches_.load(std::memory_order_relaxed);
  s.conflicts = conflicts_.load(std::memory_order_relaxed);
  s.events = events_.load(std::memory_order_relaxed);
  s.resyncs = resyncs_.load(std::memory_order_relaxed);
  s.sweeps = sweeps_run_.load(std::memory_order_relaxed);
  s.in_step = in_step();
  s.client = client_->stats();
  return s;
}

Result<uint64_t> EtcdSuper::allocate_ino() {
  MutexLock g(ino_mu_);
  if (next_ino_ == end_ino_) {
    // A block of numbers at a time: one transaction per kInoBlock creates, on the only
    // key all instances share.
    const std::string key = layout_.next_ino();
    for (int tries = 0;; ++tries) {
      if (tries == 64) return Err{EIO};
      auto got = client_->range(key, "");
      if (!got.ok()) return Err{got.error()};
      if (got->kvs.empty()) return Err{EIO};
      uint64_t first = 0;
      const std::string& v = got->kvs[0].value;
      if (std::from_chars(v.data(), v.data() + v.size(), first).ec != std::errc())
        return Err{EIO};
      auto t = client_->txn({Compare::mod(key, got->kvs[0].mod_rev)},
                            {Op::put(key, std::to_string(first + kInoBlock))});
      if (!t.ok()) return Err{t.error()};
      if (t->succeeded) {
        next_ino_ = first;
        end_ino_ = first + kInoBlock;
        break;
      }
      count_conflict();
    }
  }
  return next_ino_++;
}

EtcdInode* EtcdSuper::find_inode(uint64_t ino) {
  MutexLock g(table_mu_);
  auto it = table_.find(ino);
  return it != table_.end() && iget_live(it->second) ? it->second : nullptr;
}

EtcdInode* EtcdSuper::get_inode(uint64_t ino, const Record& r, int64_t rev, int64_t read_at) {
  EtcdInode* inode;
  {
    MutexLock g(table_mu_);
    auto [it, made] = table_.try_emplace(ino, nullptr);
    if (!made && iget_live(it->second)) {
      it->second->store(r, rev);
      inode = it->second;
    } else {
      // New, or one being evicted (its evict leaves the newer one in the table).
      inode = it->second = new EtcdInode(this, ino, r, rev);
    }
  }
  // The watch passes over the records of inodes not in the table: one it applied
  // after `read_at` and before the inode went in is read here instead.
  // A failure leaves the attributes as read; the watch has the next change.
  while (applied_rev_.load(std::memory_order_acquire) > read_at) {
    auto again = inode->refetch();
    if (!again.ok()) break;
    read_at = *again;
  }
  return inode;
}

void EtcdSuper::forget(EtcdInode* inode) {
  MutexLock g(table_mu_);
  auto it = table_.find(inode->ino.load(std::memory_order_relaxed));
  if (it != table_.end() && it->second == inode) table_.erase(it);
}

Result<int64_t> EtcdSuper::commit(const std::vector<Compare>& cmp, const std::vector<Op>& ops) {
  auto t = client_->txn(cmp, ops);
  if (!t.ok() && t.error() == ENOLINK) {
    // The lease of its hold ran out (this instance stopped for longer): again under a
    // new one.
    const int64_t old = lease();
    if (!new_lease(old)) return Err{EIO};
    std::vector<Op> again = ops;
    for (Op& op : again)
      if (op.lease == old) op.lease = lease();
    t = client_->txn(cmp, again);
  }
  if (!t.ok()) return Err{t.error()};
  if (!t->succeeded) {
    count_conflict();
    return int64_t{0};
  }
  committed(t->revision);
  return t->revision;
}

void EtcdSuper::committed(int64_t rev) {
  MutexLock g(own_mu_);
  own_revs_.insert(rev);
}

void EtcdSuper::queue(Job job, uint64_t ino, std::chrono::steady_clock::time_point due) {
  {
    std::lock_guard g(reap_mu_);
    jobs_.emplace(due, std::make_pair(job, ino));
    if (job == Job::kSweep) ++sweeps_[ino];
  }
  reap_cv_.notify_one();
}

void EtcdSuper::hold(uint64_t ino) { queue(Job::kHold, ino, std::chrono::steady_clock::now()); }

void EtcdSuper::reap(uint64_t ino) {
  queue(Job::kReclaim, ino, std::chrono::steady_clock::now() + kOrphanGrace);
}

// Jobs run in the order they are due; when the instance goes, its reclaims not yet due
// run at once (an instance leaving lets its inodes go), and the other jobs are dropped.
void EtcdSuper::reaper() {
  std::unique_lock lk(reap_mu_);
  for (;;) {
    if (jobs_.empty()) {
      if (reap_stop_) return;
      reap_cv_.wait(lk);
      continue;
    }
    auto first = jobs_.begin();
    if (!reap_stop_ && first->first > std::chrono::steady_clock::now()) {
      reap_cv_.wait_until(lk, first->first);
      continue;
    }
    const auto [job, ino] = first->second;
    jobs_.erase(first);
    if (reap_stop_ && job != Job::kReclaim) continue;
    if (job == Job::kSweep) {
      auto it = sweeps_.find(ino);
      if (it == sweeps_.end()) continue;  // the record went meanwhile
      if (--it->second == 0) sweeps_.erase(it);
    }
    lk.unlock();
    run(job, ino);
    lk.lock();
  }
}

void EtcdSuper::run(Job job, uint64_t ino) {
  switch (job) {
    case Job::kReclaim:
      (void)client_->txn({}, {Op::del(hold_key(ino))});
      reclaim(ino);
      break;
    case Job::kSweep:
      sweeps_run_.fetch_add(1, std::memory_order_relaxed);
      reclaim(ino);
      break;
    case Job::kSweepAll:
      sweep_all();
      break;
    case Job::kRenew:
      renew();
      break;
    case Job::kHold:
      for (int i = 0; i < kAttempts; ++i) {
        // Only while the record is there without links: a reclaimed inode is never held.
        const std::string key = layout_.inode(ino);
        auto got = client_->range(key, "");
        if (!got.ok() || got->kvs.empty()) return;
        auto r = decode_record(got->kvs[0].value);
        if (!r.ok() || r->nlink != 0) return;
        std::vector<Op> ops;
        add_hold(ops, ino);
        auto t = client_->txn({Compare::mod(key, got->kvs[0].mod_rev)}, ops);
        if (!t.ok() && t.error() == ENOLINK) {
          (void)new_lease(ops[0].lease);  // holds this inode again, with the others
          return;
        }
        if (!t.ok() || t->succeeded) return;
      }
      break;
  }
}

// Reads the record and commits only if it is unchanged, still without links and held
// by no instance; a lost race reads again. Failures (etcd unreachable for the whole
// budget) leave keys behind, for the next sweep (docs/etcd.md).
void EtcdSuper::reclaim(uint64_t ino) {
  const std::string key = layout_.inode(ino), holds = layout_.holds(ino);
  const std::string orphan = layout_.orphan(ino);
  for (int i = 0; i < kAttempts; ++i) {
    auto got = client_->range(key, "");
    if (!got.ok() || got->kvs.empty()) return;  // reclaimed already
    auto r = decode_record(got->kvs[0].value);
    if (!r.ok()) return;
    const Compare same = Compare::mod(key, got->kvs[0].mod_rev);
    if (r->nlink != 0) {  // linked again (O_TMPFILE): no longer an orphan
      (void)client_->txn({same}, {Op::del(orphan)});
      return;
    }
    const std::string chunks = layout_.chunks(ino);
    // Otherwise: whether an instance holds it, in the same round trip.
    auto t = client_->txn({same, Compare::none(holds, prefix_end(holds))},
                          {Op::del(key), Op::del(chunks, prefix_end(chunks)), Op::del(orphan)},
                          {Op::range(holds, prefix_end(holds), 1)});
    if (!t.ok() || t->succeeded) return;
    if (!t->ranges.empty() && !t->ranges[0].empty()) return;  // its last holder reclaims it
  }
}

// The inodes without names that no instance holds any longer: their holders went
// (their leases ran out) while no instance watched.
void EtcdSuper::sweep_all() {
  const std::string from = layout_.orphans();
  auto got = client_->range(from, prefix_end(from));
  if (!got.ok()) return;
  std::map<uint64_t, bool> held;  // every orphan: whether a hold is left on it
  for (const auto& kv : got->kvs) {
    const auto p = layout_.parse(kv.key);
    if (p.kind == Layout::Kind::kOrphan) held.try_emplace(p.ino, false);
    if (p.kind == Layout::Kind::kHold) held[p.ino] = true;
  }
  for (const auto& [ino, h] : held)
    if (!h) reclaim(ino);
}

// Renew the holds' lease. One that ran out took this instance's holds with it (a stop
// longer than the lease): a new lease, and every hold put again, at once.
void EtcdSuper::renew() {
  queue(Job::kRenew, 0, std::chrono::steady_clock::now() + renew_period());
  if (!renew_.load(std::memory_order_acquire)) return;
  const int64_t id = lease();
  auto left = client_->lease_keep_alive(id);
  if (left.ok() && *left == 0) (void)new_lease(id);
}

bool EtcdSuper::new_lease(int64_t gone) {
  {
    std::lock_guard g(lease_mu_);
    if (lease() != gone) return true;  // another thread took the new one
    auto fresh = client_->lease_grant(lease_s_);
    if (!fresh.ok()) return false;
    lease_.store(*fresh, std::memory_order_release);
  }
  std::vector<uint64_t> held;
  {
    MutexLock g(table_mu_);
    for (const auto& [ino, inode] : table_)
      if (inode->held()) held.push_back(ino);
  }
  for (uint64_t ino : held) hold(ino);
  return true;
}

void EtcdSuper::stop_watch() {
  if (std::this_thread::get_id() == watch_thread_.load()) {
    stopping_.store(true);
    return;
  }
  std::lock_guard busy(busy_mu_);
  stopping_.store(true);
}

namespace {
bool is_own(Mutex& mu, const std::set<int64_t>& revs, int64_t rev) RCUVFS_REQUIRES(mu);
bool is_own(Mutex&, const std::set<int64_t>& revs, int64_t rev) { return revs.count(rev) != 0; }
}  // namespace

void EtcdSuper::on_events(int64_t rev, std::vector<WatchEvent>& events) {
  std::lock_guard busy(busy_mu_);
  watch_thread_.store(std::this_thread::get_id());
  if (stopping_.load()) return;
  events_.fetch_add(events.size(), std::memory_order_relaxed);
  // Entries first, then records: the dcache drops what changed before the attributes
  // of the same revision show (a rename's entries before the directories' times).
  for (const auto& ev : events) {
    const auto p = layout_.parse(ev.kv.key);
    if (p.kind != Layout::Kind::kEntry) continue;
    EtcdInode* dir = find_inode(p.ino);
    if (!dir) continue;  // nothing of it is cached
    uint32_t mask = 0;
    uint64_t moved = 0;  // the inode a move took away or brought
    if (ev.removed) {
      auto e = decode_entry(ev.prev.value);
      mask = IN_DELETE;
      if (e.ok()) {
        if (e->type == DT_DIR) mask |= IN_ISDIR;
        moved = e->ino;
      }
    } else {
      auto e = decode_entry(ev.kv.value);
      mask = IN_CREATE;
      if (e.ok()) {
        if (e->type == DT_DIR) mask |= IN_ISDIR;
        moved = e->ino;
      }
    }
    // A name removed and a name made for the same inode in one revision: a rename.
    uint32_t cookie = 0;
    for (const auto& other : events) {
      if (&other == &ev || other.removed == ev.removed || !moved) continue;
      if (layout_.parse(other.kv.key).kind != Layout::Kind::kEntry) continue;
      auto e = decode_entry(other.removed ? other.prev.value : other.kv.value);
      if (e.ok() && e->ino == moved) {
        cookie = static_cast<uint32_t>(rev);
        mask = (mask & IN_ISDIR) | (ev.removed ? IN_MOVED_FROM : IN_MOVED_TO);
        break;
      }
    }
    dir->lock.lock();
    // A change of this instance holds the directory's lock until it has said so.
    bool mine;
    {
      MutexLock g(own_mu_);
      mine = is_own(own_mu_, own_revs_, rev);
    }
    const bool dropped = diag::injected() & diag::kDropWatchEvents;
    Inode* gone = mine || dropped ? nullptr : entry_changed(*dir, p.name, mask, cookie);
    dir->lock.unlock();
    if (gone) iput(gone);
    iput(dir);
  }
  // Then records, and the holds: the reaper's sweeps.
  for (const auto& ev : events) {
    const auto p = layout_.parse(ev.kv.key);
    if (ev.removed && p.kind == Layout::Kind::kHold && p.name != instance_) {
      // Another instance's hold went: that instance let the inode go, or its lease ran
      // out (it crashed, or was cut off for longer). Nothing may hold the inode now.
      queue(Job::kSweep, p.ino, std::chrono::steady_clock::now() + kOrphanGrace);
      continue;
    }
    if (p.kind != Layout::Kind::kInode) continue;
    if (ev.removed) {
      // Reclaimed, by whichever instance: the sweeps of the inode have nothing to do.
      std::lock_guard g(reap_mu_);
      sweeps_.erase(p.ino);
    }
    EtcdInode* inode = find_inode(p.ino);
    if (!inode) continue;
    if (ev.removed) {
      inode->mark_gone();
    } else if (auto r = decode_record(ev.kv.value); r.ok()) {
      // Every change of this instance to an object holds its lock until it has said
      // so (a directory's, through the entries above).
      inode->lock.lock_shared();
      bool mine;
      {
        MutexLock g(own_mu_);
        mine = is_own(own_mu_, own_revs_, rev);
      }
      const bool data = r->size != inode->size.load(std::memory_order_relaxed) ||
                        r->mtime != inode->mtime_ns.load(std::memory_order_relaxed);
      if (inode->store(*r, ev.kv.mod_rev) && !mine && !S_ISDIR(r->mode))
        object_changed(*inode, data ? IN_MODIFY : IN_ATTRIB, nullptr, {});
      inode->lock.unlock_shared();
    }
    iput(inode);
  }
  applied_rev_.store(rev, std::memory_order_release);
  MutexLock g(own_mu_);
  own_revs_.erase(own_revs_.begin(), own_revs_.upper_bound(rev));
}

void EtcdSuper::on_state(bool up) {
  in_step_.store(up, std::memory_order_release);
  entry_ttl_ns.store(up ? kTrustedForEver : 0, std::memory_order_release);
}

// The watch cannot resume where it stopped: drop every cached entry and read every
// live inode's record again, at one revision the watch then goes on from.
int64_t EtcdSuper::on_lost() {
  std::lock_guard busy(busy_mu_);
  watch_thread_.store(std::this_thread::get_id());
  resyncs_.fetch_add(1, std::memory_order_relaxed);
  auto at = client_->range(layout_.next_ino(), "");
  const int64_t rev = at.ok() ? at->revision : start_rev_;
  if (stopping_.load()) return rev;
  everything_changed(*root_);
  std::vector<EtcdInode*> live;
  {
    MutexLock g(table_mu_);
    for (auto& [ino, inode] : table_)
      if (iget_live(inode)) live.push_back(inode);
  }
  for (EtcdInode* inode : live) {
    (void)inode->refetch();
    iput(inode);
  }
  return rev;
}

Result<std::unique_ptr<Superblock>> EtcdFsType::make_super(std::string_view options,
                                                          const Cred& owner) {
  auto o = parse_options(options);
  if (!o.ok()) return Err{o.error()};
  auto client = Client::make(o->client);
  if (!client.ok()) return Err{client.error()};
  auto sb = std::make_unique<EtcdSuper>(std::move(*client), *o);
  RCUVFS_TRY(sb->start(owner));
  return std::unique_ptr<Superblock>(std::move(sb));
}

}  // namespace rcuvfs::etcdfs
