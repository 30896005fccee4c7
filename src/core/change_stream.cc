// Vfs::subscribe: a ChangeStream (<rcuvfs/changes.h>) is a subscriber of the feed that
// keeps every change, converted to public identities.
//
//   queue_, overflowed_, lost_   guarded by lock_ (a leaf under Feed::lock)
//   efd_                         an eventfd, counter > 0 exactly while queue_ is not
//                                empty (written under lock_)
#include "core/mount.h"
#include "core/notify.h"
#include "core/vfs_state.h"

#include <rcuvfs/vfs.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>

namespace rcuvfs {

using namespace core;

namespace {

ObjectId id_of(const Inode* inode) {
  if (!inode) return {};
  return {inode->sb->dev, inode->ino.load(std::memory_order_relaxed),
          inode->generation.load(std::memory_order_relaxed)};
}

class ChangeQueue final : public ChangeStream, public FeedSubscriber {
 public:
  ChangeQueue(std::shared_ptr<Feed> feed, size_t capacity)
      : feed_(std::move(feed)), capacity_(capacity ? capacity : 1),
        efd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    feed_->subscribe(this);
  }
  ~ChangeQueue() override {
    feed_->unsubscribe(this);
    if (efd_ >= 0) ::close(efd_);
  }

  size_t read(std::vector<Change>& out, size_t max, std::chrono::milliseconds timeout) override {
    std::unique_lock g(lock_);
    if (!ready_.wait_for(g, timeout, [&] { return !queue_.empty(); })) return 0;
    size_t n = 0;
    while (n < max && !queue_.empty()) {
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
      ++n;
    }
    overflowed_ = overflowed_ && !queue_.empty();
    if (queue_.empty()) drain_efd();
    return n;
  }
  int pollfd() const override { return efd_; }
  uint64_t lost() const override {
    std::lock_guard g(lock_);
    return lost_;
  }

  void deliver(const Event& e) override {
    std::lock_guard g(lock_);
    if (overflowed_) {
      ++lost_;
      return;
    }
    if (queue_.size() >= capacity_) {
      // Whatever the reader would build from the queued changes is incomplete now:
      // drop them and say so (the kernel's IN_Q_OVERFLOW).
      lost_ += queue_.size() + 1;
      queue_.clear();
      Change c;
      c.mask = IN_Q_OVERFLOW;
      queue_.push_back(std::move(c));
      overflowed_ = true;
      ready_.notify_all();
      return;
    }
    Change c;
    c.mask = e.mask;
    c.object = id_of(e.inode);
    c.dir = id_of(e.dir);
    c.name = e.name;
    c.cookie = e.cookie;
    c.origin = change_origin();
    const bool was_empty = queue_.empty();
    queue_.push_back(std::move(c));
    if (was_empty) {
      const uint64_t one = 1;
      (void)!::write(efd_, &one, sizeof one);
      ready_.notify_all();
    }
  }

 private:
  void drain_efd() {
    uint64_t v;
    (void)!::read(efd_, &v, sizeof v);
  }

  std::shared_ptr<Feed> feed_;
  const size_t capacity_;
  const int efd_;
  mutable std::mutex lock_;
  std::condition_variable ready_;
  std::deque<Change> queue_;
  bool overflowed_ = false;  // the queue holds the overflow marker and nothing after it
  uint64_t lost_ = 0;
};

}  // namespace

std::unique_ptr<ChangeStream> Vfs::subscribe(size_t capacity) {
  return std::make_unique<ChangeQueue>(s_->feed, capacity);
}

namespace {
// Caller holds g_mount_lock.
bool tree_reports_every_change(const Mount* m) RCUVFS_REQUIRES(g_mount_lock) {
  if (!(m->sb->flags & kSbChangesReported)) return false;
  for (const Mount* child : m->children)
    if (!tree_reports_every_change(child)) return false;
  return true;
}
}  // namespace

bool Vfs::reports_every_change() const {
  MutexLock g(g_mount_lock);
  return tree_reports_every_change(s_->root_mount);
}

Status Vfs::set_notify_limits(const NotifyLimits& limits) {
  if (!limits.max_queued_events || !limits.max_user_instances || !limits.max_user_watches)
    return Err{EINVAL};
  std::lock_guard g(s_->feed->lock);
  s_->feed->limits = limits;
  return {};
}

}  // namespace rcuvfs
