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
#include <cstring>

namespace rcuvfs::hostfs {

namespace {
constexpr uint32_t kNameEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
constexpr uint32_t kObjectEvents = IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE;
// IN_EXCL_UNLINK: a file hostfs keeps open after its last name went reports nothing.
constexpr uint32_t kWatchMask = kNameEvents | kObjectEvents | IN_ONLYDIR | IN_EXCL_UNLINK;

// A reference on `inode` unless its last one is already gone (it is being evicted).
bool get_live(HostInode* inode) {
  int32_t c = inode->refcount.load(std::memory_order_relaxed);
  while (c > 0)
    if (inode->refcount.compare_exchange_weak(c, c + 1, std::memory_order_acquire,
                                              std::memory_order_relaxed))
      return true;
  return false;
}
}  // namespace

Watcher::Watcher(HostSuper& sb, bool enable) : sb_(sb) {
  if (!enable) return;
  ifd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (ifd_ < 0) return;
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) {
    ::close(ifd_);
    ifd_ = -1;
    return;
  }
  thread_ = std::thread([this] { run(); });
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
  // Past the host's watch limit the directory is only as fresh as the TTL keeps it.
  const int wd = ::inotify_add_watch(ifd_, proc_path(fd).c_str(), kWatchMask);
  if (wd < 0) return;
  std::lock_guard g(mu_);
  dir_of_[wd] = dir;
  wd_of_[dir] = wd;
}

void Watcher::unwatch(HostInode* dir) {
  if (ifd_ < 0) return;
  std::lock_guard g(mu_);
  auto it = wd_of_.find(dir);
  if (it == wd_of_.end()) return;
  // Another inode of the same host directory may have the watch descriptor now (the
  // kernel returns the same one for the same object).
  if (auto d = dir_of_.find(it->second); d != dir_of_.end() && d->second == dir) {
    (void)::inotify_rm_watch(ifd_, it->second);
    dir_of_.erase(d);
  }
  wd_of_.erase(it);
}

void Watcher::expect(const HostInode* dir, std::string_view name, uint32_t kind) {
  if (ifd_ < 0) return;
  std::lock_guard g(mu_);
  if (!wd_of_.count(dir)) return;  // no watch: no echo
  ++expected_[Key{dir, std::string(name), kind}];
}

void Watcher::forget(const HostInode* dir, std::string_view name, uint32_t kind) {
  if (ifd_ < 0) return;
  std::lock_guard g(mu_);
  consume_locked(Key{dir, std::string(name), kind});
}

bool Watcher::consume_locked(const Key& key) {
  auto it = expected_.find(key);
  if (it == expected_.end()) return false;
  if (--it->second == 0) expected_.erase(it);
  return true;
}

void Watcher::run() {
  alignas(struct inotify_event) char buf[1 << 16];
  pollfd p[2] = {{ifd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    if (::poll(p, 2, -1) < 0 && errno != EINTR) return;
    if (p[1].revents) return;
    const ssize_t n = ::read(ifd_, buf, sizeof buf);
    if (n <= 0) continue;
    std::lock_guard busy(busy_mu_);
    if (stopping_.load()) return;
    for (ssize_t off = 0; off < n;) {
      struct inotify_event e;
      std::memcpy(&e, buf + off, sizeof e);
      const char* raw = buf + off + sizeof e;
      const std::string_view name(raw, e.len ? ::strnlen(raw, e.len) : 0);
      handle(e, name);
      off += static_cast<ssize_t>(sizeof e + e.len);
    }
  }
}

void Watcher::handle(const struct inotify_event& e, std::string_view name) {
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
      wd_of_.erase(it->second);
      dir_of_.erase(it);
      return;
    }
    if (!get_live(it->second)) return;
    dir = it->second;
    if (e.mask & kNameEvents) echo = consume_locked(Key{dir, std::string(name), e.mask & kNameEvents});
  }
  if (e.mask & kNameEvents) {
    if (!echo && !(diag::injected() & diag::kDropHostEvents)) {
      // The directory's own times and link count changed with its entries.
      dir->host_changed();
      std::unique_lock lk(dir->lock);
      entry_changed(*dir, name, e.mask & (kNameEvents | IN_ISDIR), e.cookie);
    }
  } else if (e.mask & kObjectEvents) {
    if (name.empty()) {
      // The directory's own watch: its parent's reports the same with the name,
      // except for the root, which has no parent here.
      if (dir == sb_.root()) attributes_changed(dir);
    } else if (Inode* child = cached_child(*dir, name)) {
      attributes_changed(static_cast<HostInode*>(child));
      iput(child);
    }
  }
  iput(dir);
}

void Watcher::attributes_changed(HostInode* inode) {
  // The next stat fetches them again. Not reported to the feed: an echo of hostfs's own
  // change cannot be told from the host's without asking the host here, and the core
  // reported those already.
  inode->host_changed();
}

void Watcher::overflow() {
  sb_.expire_all();
  HostInode* root = sb_.root();
  {
    std::lock_guard g(mu_);
    if (!wd_of_.count(root) || !get_live(root)) return;
  }
  everything_changed(*root);
  iput(root);
}

}  // namespace rcuvfs::hostfs
