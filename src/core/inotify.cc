// inotify instances (inotify.h).
#include "core/inotify.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rcuvfs::core {

namespace {
// The name's room in a record: NUL-terminated and padded to the record header's size,
// as Linux's round_event_name_len.
size_t name_room(size_t len) {
  constexpr size_t kAlign = sizeof(struct inotify_event);
  return len ? (len + 1 + kAlign - 1) / kAlign * kAlign : 0;
}

constexpr uint32_t kChildEvents =
    IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN;
constexpr uint32_t kNameEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
}  // namespace

size_t Inotify::Queued::size() const { return sizeof(struct inotify_event) + name_room(name.size()); }

Inotify::Inotify(std::shared_ptr<Feed> feed, uid_t uid) : feed_(std::move(feed)), uid_(uid) {}

Result<Inotify*> Inotify::create(std::shared_ptr<Feed> feed, uid_t uid) {
  Feed* f = feed.get();
  std::lock_guard g(f->lock);
  Feed::Usage& u = f->usage[uid];
  if (u.instances >= f->limits.max_user_instances) return Err{EMFILE};
  ++u.instances;
  auto* in = new Inotify(std::move(feed), uid);
  f->subscribe_locked(in);
  return in;
}

Inotify::~Inotify() {
  Feed* f = feed_.get();
  std::lock_guard g(f->lock);
  f->unsubscribe_locked(this);
  Feed::Usage& u = f->usage[uid_];
  --u.instances;
  u.watches -= watches_.size();
  for (auto& [inode, w] : watches_) iput(inode);
}

void inotify_release(Inotify* in) { delete in; }

Result<int> Inotify::add_watch(Inode* inode, uint32_t mask) {
  const uint32_t kept = mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
  Feed* f = feed_.get();
  std::lock_guard fg(f->lock);
  std::lock_guard g(lock_);
  if (auto it = watches_.find(inode); it != watches_.end()) {
    if (mask & IN_MASK_CREATE) return Err{EEXIST};
    it->second.mask = (mask & IN_MASK_ADD) ? it->second.mask | kept : kept;
    return it->second.wd;
  }
  Feed::Usage& u = f->usage[uid_];
  if (u.watches >= f->limits.max_user_watches) return Err{ENOSPC};
  // Descriptors are handed out cyclically (idr_alloc_cyclic), so a removed one is not
  // reused before the numbers wrap.
  while (by_wd_.count(next_wd_) || next_wd_ <= 0) next_wd_ = next_wd_ <= 0 ? 1 : next_wd_ + 1;
  const int wd = next_wd_++;
  iget(inode);
  watches_.emplace(inode, Watch{wd, kept});
  by_wd_.emplace(wd, inode);
  ++u.watches;
  return wd;
}

Status Inotify::rm_watch(int wd) {
  std::lock_guard fg(feed_->lock);
  std::lock_guard g(lock_);
  auto it = by_wd_.find(wd);
  if (it == by_wd_.end()) return Err{EINVAL};
  end_watch_locked(it->second);
  return {};
}

void Inotify::end_watch_locked(Inode* inode) {
  auto it = watches_.find(inode);
  if (it == watches_.end()) return;
  const int wd = it->second.wd;
  watches_.erase(it);
  by_wd_.erase(wd);
  --feed_->usage[uid_].watches;
  queue_locked(wd, IN_IGNORED, 0, {});
  iput(inode);
}

void Inotify::queue_locked(int wd, uint32_t mask, uint32_t cookie, std::string_view name) {
  if (!queue_.empty()) {
    // An event identical to the last one queued adds nothing (inotify_merge).
    const Queued& last = queue_.back();
    if (!overflowed_ && last.wd == wd && last.mask == mask && last.cookie == cookie &&
        last.name == name && !(mask & IN_IGNORED))
      return;
  }
  if (queue_.size() >= feed_->limits.max_queued_events) {
    if (!overflowed_) {
      queue_.push_back({-1, IN_Q_OVERFLOW, 0, {}});
      overflowed_ = true;
      readable_.notify_all();
    }
    return;
  }
  queue_.push_back({wd, mask, cookie, std::string(name)});
  readable_.notify_all();
}

void Inotify::to_watch_locked(Inode* inode, uint32_t mask, uint32_t cookie,
                              std::string_view name, bool unlinked) {
  auto it = watches_.find(inode);
  if (it == watches_.end()) return;
  const Watch w = it->second;
  if (!(w.mask & mask & IN_ALL_EVENTS)) return;
  if (unlinked && (w.mask & IN_EXCL_UNLINK)) return;
  queue_locked(w.wd, mask, cookie, name);
  if (w.mask & IN_ONESHOT) end_watch_locked(inode);
}

void Inotify::deliver(const Event& e) {
  std::lock_guard g(lock_);
  if (watches_.empty()) return;
  if (e.mask & IN_Q_OVERFLOW) {
    // Changes were lost before they reached the feed (a filesystem's own watch of its
    // store overflowed): say so in order, once.
    if (queue_.empty() || queue_.back().wd != -1) {
      queue_.push_back({-1, IN_Q_OVERFLOW, 0, {}});
      readable_.notify_all();
    }
    return;
  }
  const uint32_t kind = e.mask & ~IN_ISDIR;
  if (kind & kNameEvents) {
    to_watch_locked(e.dir, e.mask, e.cookie, e.name, false);
    return;
  }
  // An event about an object: its directory's watch hears it with the name first, then
  // the object's own watch (fsnotify_handle_event).
  if (e.dir && (kind & kChildEvents)) to_watch_locked(e.dir, e.mask, 0, e.name, e.unlinked);
  to_watch_locked(e.inode, e.mask, 0, {}, e.unlinked);
  if (kind & IN_DELETE_SELF) end_watch_locked(e.inode);
}

void Inotify::super_gone(Superblock* sb) {
  std::lock_guard g(lock_);
  std::vector<Inode*> gone;
  for (auto& [inode, w] : watches_)
    if (inode->sb == sb) gone.push_back(inode);
  // Newest object first, as the kernel walks a superblock's inode list.
  std::sort(gone.begin(), gone.end(), [](const Inode* a, const Inode* b) {
    return a->ino.load(std::memory_order_relaxed) > b->ino.load(std::memory_order_relaxed);
  });
  for (Inode* inode : gone) {
    queue_locked(watches_.at(inode).wd, IN_UNMOUNT | isdir_bit(inode), 0, {});
    end_watch_locked(inode);
  }
}

Result<size_t> Inotify::read(void* buf, size_t count, bool nonblock) {
  std::unique_lock g(lock_);
  if (queue_.empty()) {
    if (nonblock) return Err{EAGAIN};
    readable_.wait(g, [&] { return !queue_.empty(); });
  }
  auto* out = static_cast<char*>(buf);
  size_t done = 0;
  while (!queue_.empty()) {
    const Queued& q = queue_.front();
    const size_t need = q.size();
    if (need > count - done) break;
    struct inotify_event ev{};
    ev.wd = q.wd;
    ev.mask = q.mask;
    ev.cookie = q.cookie;
    ev.len = static_cast<uint32_t>(name_room(q.name.size()));
    std::memcpy(out + done, &ev, sizeof ev);
    std::memset(out + done + sizeof ev, 0, ev.len);
    std::memcpy(out + done + sizeof ev, q.name.data(), q.name.size());
    done += need;
    if (q.mask & IN_Q_OVERFLOW) overflowed_ = false;
    queue_.pop_front();
  }
  if (done == 0) return Err{EINVAL};
  return done;
}

size_t Inotify::pending_bytes() {
  std::lock_guard g(lock_);
  size_t n = 0;
  for (const Queued& q : queue_) n += q.size();
  return n;
}

}  // namespace rcuvfs::core
