// An inotify instance: a subscriber of the namespace's feed (notify.h) that keeps the
// events about the objects it watches, in Linux's format and with Linux's rules
// (fs/notify/inotify): watch descriptors from 1 up, one watch per object per
// instance, events about a directory's entries reported to the directory's watch
// with the entry's name, identical consecutive events merged, a bounded queue that
// ends in one IN_Q_OVERFLOW, IN_IGNORED when a watch ends.
//
//   watches_, by_wd_, queue_, overflowed_, next_wd_
//              guarded by lock_ (a leaf: taken under Feed::lock by deliveries)
// A watch holds a reference on its inode (so the object stays while watched, as
// Linux's marks pin theirs); the reference is dropped under lock_ when the watch ends,
// which evict allows (it takes no Inode::lock and reports nothing).
#pragma once

#include "core/notify.h"

#include <rcuvfs/result.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

namespace rcuvfs::core {

struct NotifyUsage;

class Inotify final : public FeedSubscriber {
 public:
  // EMFILE when `uid` has max_user_instances instances already.
  static Result<Inotify*> create(std::shared_ptr<Feed> feed, uid_t uid);
  ~Inotify() override;  // ends every watch (no IN_IGNORED: nobody can read it)

  // inotify_add_watch on `inode` (the caller holds a reference; the watch takes its
  // own): the watch descriptor. `mask` has been checked by the caller.
  Result<int> add_watch(Inode* inode, uint32_t mask);
  Status rm_watch(int wd);
  // read(2): whole struct inotify_event records; EINVAL when the first does not fit,
  // EAGAIN when there is none and `nonblock`, otherwise waits for one.
  Result<size_t> read(void* buf, size_t count, bool nonblock);
  // Bytes a read would return now (FIONREAD).
  size_t pending_bytes();

  void deliver(const Event& e) override;
  void super_gone(Superblock* sb) override;

 private:
  struct Watch {
    int wd;
    uint32_t mask;
  };
  struct Queued {
    int wd;
    uint32_t mask;
    uint32_t cookie;
    std::string name;
    size_t size() const;  // its record's size in a read
  };
  Inotify(std::shared_ptr<Feed> feed, uid_t uid);
  void queue_locked(int wd, uint32_t mask, uint32_t cookie, std::string_view name);
  void to_watch_locked(Inode* inode, uint32_t mask, uint32_t cookie, std::string_view name,
                       bool unlinked);
  // Ends the watch on `inode` with IN_IGNORED and drops its reference.
  void end_watch_locked(Inode* inode);

  std::shared_ptr<Feed> feed_;
  const uid_t uid_;
  std::mutex lock_;
  std::condition_variable readable_;
  std::unordered_map<Inode*, Watch> watches_;
  std::unordered_map<int, Inode*> by_wd_;
  std::deque<Queued> queue_;
  bool overflowed_ = false;  // the IN_Q_OVERFLOW record is in the queue
  int next_wd_ = 1;
};

// Frees an instance (the last descriptor on it is gone).
void inotify_release(Inotify* in);

}  // namespace rcuvfs::core
