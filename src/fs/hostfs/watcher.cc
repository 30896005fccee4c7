// The host watch (watcher.h).
#include "fs/hostfs/watcher.h"

#include "fs/hostfs/hostfs.h"

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/fs/changes.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <shared_mutex>

namespace rcuvfs::hostfs {

Watcher::Watcher(HostSuper& sb, WatchKind kind) : sb_(sb) {
  if (kind == WatchKind::kOff) return;
  if (kind == WatchKind::kFanotify && !init_fanotify()) return;  // error_ says why
  if (!fanotify_) ifd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (ifd_ < 0) return;
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) {
    ::close(ifd_);
    ifd_ = -1;
    return;
  }
}

void Watcher::start() {
  if (ifd_ >= 0 && !thread_.joinable()) thread_ = std::thread([this] { run(); });
}

Watcher::~Watcher() {
  stop();
  if (thread_.joinable()) thread_.join();
  if (ifd_ >= 0) ::close(ifd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void Watcher::stop() {
  if (stop_fd_ < 0) return;
  const uint64_t one = 1;
  (void)!::write(stop_fd_, &one, sizeof one);
  // Wait for an event being handled, unless this is that event's thread.
  if (std::this_thread::get_id() == thread_.get_id()) {
    stopping_.store(true);
    return;
  }
  std::lock_guard busy(busy_mu_);
  stopping_.store(true);
}

void Watcher::watch(HostInode* dir, int fd) {
  if (ifd_ < 0) return;
  // Past the host's watch limit the directory is only as fresh as the TTL keeps it:
  // said once, as nothing else would show it (a FUSE mount would keep such a
  // directory's entries for its whole kernel timeout).
  const int wd = fanotify_ ? watch_fanotify(fd)
                           : ::inotify_add_watch(ifd_, proc_path(fd).c_str(), kWatchMask);
  if (wd < 0) {
    if (!fanotify_ && errno == ENOSPC && !limit_reported_.exchange(true))
      std::fprintf(stderr,
                   "rcuvfs hostfs: the host's inotify watch limit is reached "
                   "(/proc/sys/fs/inotify/max_user_watches): directories past it follow "
                   "the host within ttl only\n");
    return;
  }
  std::lock_guard g(mu_);
  dir_of_[wd] = dir;
  wd_of_[dir] = wd;
  watched_[id_of(dir)] = wd;
}

Watcher::DirId Watcher::id_of(const HostInode* dir) { return {dir->id().dev, dir->id().ino}; }

void Watcher::unwatch(HostInode* dir) {
  if (ifd_ < 0) return;
  std::lock_guard g(mu_);
  auto it = wd_of_.find(dir);
  if (it == wd_of_.end()) return;
  // Another inode of the same host directory may have the watch descriptor now (the
  // kernel returns the same one for the same object).
  if (auto d = dir_of_.find(it->second); d != dir_of_.end() && d->second == dir) {
    if (!fanotify_) {
      (void)::inotify_rm_watch(ifd_, it->second);
    } else if (auto f = fid_of_wd_.find(it->second); f != fid_of_wd_.end()) {
      wd_of_fid_.erase(f->second);
      fid_of_wd_.erase(f);
    }
    dir_of_.erase(d);
    forget_dir_locked(id_of(dir));
  }
  wd_of_.erase(it);
}

void Watcher::expect(const HostInode* dir, std::string_view name, uint32_t kind) {
  if (ifd_ < 0) return;
  std::lock_guard g(mu_);
  if (!watched_.count(id_of(dir))) return;  // no watch: no echo
  ++expected_[Key{id_of(dir), std::string(name), kind}];
}

void Watcher::forget(const HostInode* dir, std::string_view name, uint32_t kind) {
  if (ifd_ < 0) return;
  std::lock_guard g(mu_);
  consume_locked(Key{id_of(dir), std::string(name), kind});
}

void Watcher::forget_dir_locked(const DirId& id) {
  watched_.erase(id);
  // Echoes still expected there will not come.
  expected_.erase(expected_.lower_bound(Key{id, std::string(), 0}),
                  expected_.lower_bound(Key{DirId{id.first, id.second + 1}, std::string(), 0}));
}

bool Watcher::consume_locked(const Key& key) {
  auto it = expected_.find(key);
  if (it == expected_.end()) return false;
  if (--it->second == 0) expected_.erase(it);
  return true;
}

void Watcher::run() {
  alignas(8) char buf[1 << 16];  // inotify_event or fanotify_event_metadata
  pollfd p[2] = {{ifd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    // Attribute events waiting for a change through rcuvfs to end are retried soon.
    if (::poll(p, 2, pending_.empty() ? -1 : 1) < 0 && errno != EINTR) break;
    if (p[1].revents) break;
    std::lock_guard busy(busy_mu_);
    if (stopping_.load()) break;
    retry_pending(false);
    if (!(p[0].revents & POLLIN)) continue;
    const ssize_t n = ::read(ifd_, buf, sizeof buf);
    if (n <= 0) continue;
    batch_.clear();
    if (fanotify_)
      parse_fanotify(buf, static_cast<size_t>(n));
    else
      parse_inotify(buf, static_cast<size_t>(n));
    const size_t folded = fold_object_events(batch_);
    constexpr auto r = std::memory_order_relaxed;
    reads_.store(reads_.load(r) + 1, r);
    events_.store(events_.load(r) + batch_.size(), r);
    folded_.store(folded_.load(r) + folded, r);
    for (const Event& ev : batch_) handle(ev);
  }
  pending_.clear();
}

void Watcher::parse_inotify(const char* buf, size_t n) {
  for (size_t off = 0; off < n;) {
    struct inotify_event e;
    std::memcpy(&e, buf + off, sizeof e);
    const char* raw = buf + off + sizeof e;
    Event ev{e.wd, e.mask, e.cookie, std::string_view(raw, e.len ? ::strnlen(raw, e.len) : 0),
             0, 0};
    if (e.mask & kObjectEvents) ev.kinds = ev.first = (e.mask & IN_ATTRIB) ? IN_ATTRIB : IN_MODIFY;
    batch_.push_back(ev);
    off += sizeof e + e.len;
  }
}

WatchStats Watcher::stats() const {
  constexpr auto r = std::memory_order_relaxed;
  return {reads_.load(r), events_.load(r), folded_.load(r), fetches_.load(r), overflows_.load(r)};
}

size_t Watcher::fold_object_events(std::vector<Event>& batch) {
  size_t folded = 0;
  // From the end: `later` holds, per (watch, name), the next object event not yet
  // separated from the one at hand by a name event of that name.
  std::map<std::pair<int, std::string_view>, Event*> later;
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    const uint32_t mask = it->mask;
    if (mask & (IN_Q_OVERFLOW | IN_IGNORED)) {
      later.clear();
      continue;
    }
    const std::pair<int, std::string_view> key{it->wd, it->name};
    if (mask & kNameEvents) {
      later.erase(key);
    } else if (mask & kObjectEvents) {
      auto [at, fresh] = later.try_emplace(key, &*it);
      if (fresh) continue;
      at->second->kinds |= it->kinds;
      at->second->first = it->first;
      it->kinds = 0;
      ++folded;
    }
  }
  return folded;
}

void Watcher::retry_pending(bool wait) {
  std::vector<Pending> again;
  for (Pending& q : std::exchange(pending_, {})) {
    HostInode* inode = sb_.live_inode(q.inode, q.id.first, q.id.second);
    if (!inode) continue;
    HostInode* dir = q.dir ? sb_.live_inode(q.dir, q.dir_id.first, q.dir_id.second) : nullptr;
    if (!attributes_changed(inode, q.kinds, q.first, dir, q.name, wait))
      again.push_back(std::move(q));
    if (dir) iput(dir);
    iput(inode);
  }
  pending_ = std::move(again);
}

void Watcher::handle(const Event& e) {
  const std::string_view name = e.name;
  if ((e.mask & kObjectEvents) && !e.kinds) return;  // folded into a later one
  if (e.mask & IN_Q_OVERFLOW) {
    overflow();
    return;
  }
  HostInode* dir = nullptr;
  bool echo = false;
  {
    std::lock_guard g(mu_);
    auto it = dir_of_.find(e.wd);
    if (it == dir_of_.end()) return;
    if (e.mask & IN_IGNORED) {
      forget_dir_locked(id_of(it->second));
      wd_of_.erase(it->second);
      dir_of_.erase(it);
      return;
    }
    if (!iget_live(it->second)) return;
    dir = it->second;
    if (e.mask & kNameEvents)
      echo = consume_locked(Key{id_of(dir), std::string(name), e.mask & kNameEvents});
  }
  if (e.mask & kNameEvents) {
    if (!echo && !(diag::injected() & diag::kDropWatchEvents)) {
      // The directory's own times and link count changed with its entries.
      dir->host_changed();
      Inode* was;
      {
        std::unique_lock lk(dir->lock);
        was = entry_changed(*dir, name, e.mask & (kNameEvents | IN_ISDIR), e.cookie);
      }
      // A name removed or moved away: its object's link count or ctime changed, which
      // an event of another of its names will not say (a hard link's).
      if (was) {
        if (was->sb == &sb_) static_cast<HostInode*>(was)->host_changed();
        iput(was);
      }
      // An object that arrived here may be one hostfs has: a rename changed its ctime,
      // a link its link count, and an attribute event about it under its old name
      // finds nothing there any more. Its attributes expire; the name event said
      // what changed (as Linux reports a rename or link: no IN_ATTRIB).
      if (e.mask & (IN_CREATE | IN_MOVED_TO))
        if (HostInode* child = sb_.live_inode_at(dir, name)) {
          child->host_changed();  // the next stat fetches them, under the lock
          iput(child);
        }
    }
  } else if (e.mask & kObjectEvents) {
    // IN_ATTRIB is an attribute change; IN_MODIFY and IN_CLOSE_WRITE (a write we may
    // not have seen, through a mapping) are data changes (run() set e.kinds so).
    if (name.empty()) {
      // The directory's own watch: inotify's watch of its parent reports the same with
      // the name, except for the root, which has no parent here; fanotify reports a
      // directory's own changes only so.
      if (dir == sb_.root() || fanotify_) changed_or_pending(dir, e.kinds, e.first, nullptr, {});
    } else if (HostInode* child = sb_.live_inode_at(dir, name)) {
      changed_or_pending(child, e.kinds, e.first, dir, name);
      iput(child);
    }
  }
  iput(dir);
}

namespace {
// What a change on the host moves (atime aside: reading moves it, and reading through
// rcuvfs is no change).
struct AttrKey {
  int64_t ctime_ns, mtime_ns;
  uint64_t size;
  mode_t mode;
  uid_t uid;
  gid_t gid;
  uint32_t nlink;
  bool operator==(const AttrKey&) const = default;
  bool same_owner(const AttrKey& o) const { return mode == o.mode && uid == o.uid && gid == o.gid; }
};

AttrKey attr_key(const HostInode& i) {
  constexpr auto r = std::memory_order_relaxed;
  return {i.ctime_ns.load(r), i.mtime_ns.load(r), i.size.load(r), i.mode.load(r),
          i.uid.load(r),      i.gid.load(r),      i.nlink.load(r)};
}
}  // namespace

void Watcher::changed_or_pending(HostInode* inode, uint32_t kinds, uint32_t first,
                                 HostInode* dir, std::string_view name) {
  // One already waiting for this inode's lock fetches after this event too.
  for (Pending& q : pending_)
    if (q.inode == inode) {
      q.kinds |= kinds;
      return;
    }
  if (attributes_changed(inode, kinds, first, dir, name, false)) return;
  // A change through rcuvfs holds the lock: retried once it is done, without holding
  // up the events behind it. Past a bound, waited for.
  if (pending_.size() >= kMaxPending) retry_pending(true);
  pending_.push_back({inode, id_of(inode), kinds, first, dir, dir ? id_of(dir) : DirId{},
                      std::string(name)});
}

bool Watcher::attributes_changed(HostInode* inode, uint32_t kinds, uint32_t first,
                                 HostInode* dir, std::string_view name, bool wait) {
  // The attributes are fetched again, with the inode's lock shared: a change through
  // rcuvfs holds it exclusively from its host call until it has stored the attributes
  // that call left, so an echo of it finds them equal to the host's and is not
  // reported twice (the core reported it). One that differs is the host's.
  std::shared_lock lk(inode->lock, std::defer_lock);
  if (wait)
    lk.lock();
  else if (!lk.try_lock())
    return false;
  const AttrKey before = attr_key(*inode);
  fetches_.store(fetches_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  inode->host_changed();
  if (!inode->refresh().ok()) return true;  // gone: the name's own event says so
  const AttrKey after = attr_key(*inode);
  if (after == before) return true;
  // One fetch may show more than its events said (their own events then find nothing
  // new): a write's new size behind a chmod's event, a chmod behind a write's.
  if (after.size != before.size) kinds |= IN_MODIFY;
  if (!after.same_owner(before)) kinds |= IN_ATTRIB;
  object_changed(*inode, first, dir, name);
  if (kinds & ~first) object_changed(*inode, kinds & ~first, dir, name);
  return true;
}

void Watcher::overflow() {
  overflows_.store(overflows_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  sb_.expire_all();
  HostInode* root = sb_.root();
  {
    std::lock_guard g(mu_);
    if (!wd_of_.count(root) || !iget_live(root)) return;
  }
  everything_changed(*root);
  iput(root);
}

}  // namespace rcuvfs::hostfs
