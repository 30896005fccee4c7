// The hostfs instance: its root, the table of live inodes, options and the type.
#include "fs/hostfs/hostfs.h"

#include "fs/hostfs/creator.h"

#include <rcuvfs/fs/options.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>

namespace rcuvfs::hostfs {

Result<HostOptions> parse_options(std::string_view opts) {
  HostOptions o;
  while (!opts.empty() && !opts.starts_with("dir=")) {
    if (opts.find('=') == std::string_view::npos) break;  // a bare DIR
    const std::string_view kv = next_option(opts);
    if (kv.starts_with("ttl=")) {
      // Seconds as decimal digits and a point: strtod alone would take spaces, signs,
      // exponents, hex and "inf".
      std::string v(kv.substr(4));
      char* end = nullptr;
      if (v.empty() || v.find_first_not_of("0123456789.") != std::string::npos)
        return Err{EINVAL};
      double secs = std::strtod(v.c_str(), &end);
      if (*end || secs > 1e6) return Err{EINVAL};
      o.ttl_ns = static_cast<int64_t>(secs * 1e9);
    } else if (kv == "watch=0") {
      o.watch = WatchKind::kOff;
    } else if (kv == "watch=1" || kv == "watch=inotify") {
      o.watch = WatchKind::kInotify;
    } else if (kv == "watch=fanotify") {
      o.watch = WatchKind::kFanotify;
    } else if (kv.starts_with("fds=")) {
      std::string_view v = kv.substr(4);
      size_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 1 ||
          n > (1u << 24))
        return Err{EINVAL};
      o.fds = n;
    } else {
      return Err{EINVAL};
    }
  }
  if (opts.starts_with("dir=")) opts.remove_prefix(4);
  if (opts.empty()) return Err{EINVAL};
  o.dir = std::string(opts);
  return o;
}

size_t default_fd_budget() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 256;
  return std::max<size_t>(1, std::min<rlim_t>(256, rl.rlim_cur / 4));
}

namespace {
// How objects can be reopened on the filesystem of `root_fd`, which this process may
// or may not open handles on (open_by_handle_at needs CAP_DAC_READ_SEARCH; encoding
// one needs nothing).
Reopen probe_handles(int root_fd, int& mount_id) {
  std::string h;
  if (encode_handle(root_fd, "", AT_EMPTY_PATH, h, mount_id) != 0) return Reopen::kNameBtime;
  int fd = open_handle(root_fd, h, O_PATH);
  if (fd < 0) return Reopen::kNameHandle;
  ::close(fd);
  return Reopen::kHandle;
}
}  // namespace

HostSuper::HostSuper(int root_fd, const struct ::statx& root_st, const HostOptions& o)
    : root_fd_(root_fd),
      fds_(o.fds ? o.fds : default_fd_budget()),
      creator_(std::make_unique<Creator>()) {
  entry_ttl_ns = o.ttl_ns;
  // What the dcache's budget is charged for an inode only it holds (a symlink's body
  // comes on top).
  cached_inode_bytes = sizeof(HostInode);
  // revalidate in RCU mode is entry_fresh alone (dir.cc): the walker may test it.
  if (o.ttl_ns > 0) flags |= kSbEntryTtl;
  reopen_ = probe_handles(root_fd, mount_id_);
  HostId id = identify(root_fd, root_st, encodes_handles());
  const std::pair<uint64_t, uint64_t> key{id.dev, id.ino};
  root_ = new HostInode(this, std::move(id), root_fd, root_st, fetch_start(), {});
  root_ptr_ = root_;
  table_[key] = root_;
  watcher_ = std::make_unique<Watcher>(*this, o.watch);
  watcher_->watch(root_, root_fd);
  if (watcher_->on()) flags |= kSbWatched | kSbChangesReported;
}

HostSuper::~HostSuper() {
  // Stopped before it is destroyed: an event being handled may hold the last reference
  // of the root (taken before the namespace let it go), whose eviction then runs on
  // the watch's thread and reaches the watch.
  watcher_->stop();
  watcher_.reset();
  ::close(root_fd_);
}

void HostSuper::expire_all() {
  MutexLock g(table_mu_);
  for (auto& [key, inode] : table_) inode->host_changed();
}

Inode* HostSuper::root_inode() {
  // Called once the core has set up this superblock.
  watcher_->start();
  Inode* r = root_;
  root_ = nullptr;
  return r;
}

HostInode* HostSuper::get_inode(int fd, const struct ::statx& st, HostId id, HostInode* dir,
                                std::string_view name, Fetch f) {
  const std::pair<uint64_t, uint64_t> key{id.dev, id.ino};
  HostInode* found = nullptr;
  {
    MutexLock g(table_mu_);
    auto it = table_.find(key);
    if (it != table_.end()) {
      HostInode* in = it->second;
      if (same_object(in->id(), id)) {
        // An inode on its way out (refcount 0) can't be revived: replace it.
        if (iget_live(in)) found = in;
      } else {
        // The number was reused: the object the table knew is gone.
        in->mark_stale();
      }
    }
    if (!found) {
      std::string body;
      if (S_ISLNK(st.stx_mode)) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(fd, "", buf, sizeof buf);
        if (n > 0) body.assign(buf, static_cast<size_t>(n));
      }
      auto* in = new HostInode(this, std::move(id), -1, st, f, std::move(body));
      if (f.gen != host_gen()) in->host_changed();
      if (reopen_ != Reopen::kHandle) in->seen_at(dir, name);
      if (S_ISDIR(st.stx_mode)) watcher_->watch(in, fd);
      in->adopt(FdKind::kPath, fd);
      table_[key] = in;
      return in;
    }
  }
  // Outside the table's lock: seen_at may drop the last reference of a directory.
  found->seen_at(dir, name);
  found->adopt(FdKind::kPath, fd);
  found->store_attrs_unlocked(st, f);
  return found;
}

HostInode* HostSuper::live_inode_at(HostInode* dir, std::string_view name) {
  auto dfd = dir->pin(FdKind::kPath);
  if (!dfd.ok()) return nullptr;
  struct ::statx st;
  if (host_statx(dfd->get(), std::string(name).c_str(), st) != 0) return nullptr;
  HostId id = identify(dfd->get(), st, false);  // no handle: dev, ino, type, btime
  MutexLock g(table_mu_);
  auto it = table_.find({id.dev, id.ino});
  if (it == table_.end() || !same_object(it->second->id(), id)) return nullptr;
  return iget_live(it->second) ? it->second : nullptr;
}

HostInode* HostSuper::live_inode(const HostInode* inode, uint64_t dev, uint64_t ino) {
  MutexLock g(table_mu_);
  auto it = table_.find({dev, ino});
  if (it == table_.end() || it->second != inode) return nullptr;
  return iget_live(it->second) ? it->second : nullptr;
}

void HostSuper::forget(HostInode* inode) {
  MutexLock g(table_mu_);
  auto it = table_.find({inode->id().dev, inode->id().ino});
  if (it != table_.end() && it->second == inode) table_.erase(it);
}

Result<std::unique_ptr<Superblock>> HostFsType::make_super(std::string_view options,
                                                          const Cred&) {
  auto o = parse_options(options);
  if (!o.ok()) return Err{o.error()};
  // Not O_PATH: the root's descriptor is also the mount descriptor open_by_handle_at
  // needs. A directory that may be searched but not read is still served by name.
  int fd = ::open(o->dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) fd = ::open(o->dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Err{errno};
  struct ::statx st;
  if (host_statx(fd, "", st) != 0) {
    int e = errno;
    ::close(fd);
    return Err{e};
  }
  auto sb = std::make_unique<HostSuper>(fd, st, *o);
  // A source asked for by name that the host refuses (fanotify without CAP_SYS_ADMIN:
  // EPERM) is an error, not a quiet fallback.
  if (o->watch == WatchKind::kFanotify && !sb->watcher().fanotify())
    return Err{sb->watcher().error() ? sb->watcher().error() : EPERM};
  return std::unique_ptr<Superblock>(std::move(sb));
}

}  // namespace rcuvfs::hostfs
