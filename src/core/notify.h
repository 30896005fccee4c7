// The change feed (Linux's fsnotify): the namespace operations report each change at
// the point Linux reports it, and the feed hands it to every subscriber of the
// namespace: inotify instances (inotify.h) and change streams (Vfs::subscribe).
//
// A namespace with no subscriber pays one relaxed load per change (Feed::active); a
// stat pays nothing: only writers report.
//
//   Feed::subs     guarded by Feed::lock, which every delivery holds: subscribers see
//                  one order of all the namespace's changes. Changes to a directory's
//                  entries are reported with the directory's lock held (as Linux), so
//                  that order is the order they happened in.
//   Feed::active   the number of subscribers, written under Feed::lock and read
//                  relaxed by reporters: a change racing a subscription may or may not
//                  reach it, as with Linux's marks.
// Lock order (docs/locking.md): Inode::lock -> Feed::lock -> a subscriber's own lock (a
// leaf). Delivery never blocks on a reader: subscribers queue within bounds and
// overflow.
#pragma once

#include "core/dentry.h"

#include <rcuvfs/changes.h>
#include <rcuvfs/fs/superblock.h>

#include <atomic>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rcuvfs::core {

// One change, as reported (borrowed pointers: valid during delivery only).
struct Event {
  uint32_t mask = 0;       // one IN_* event | IN_ISDIR
  Inode* inode = nullptr;  // the object
  // Name events: the directory and the entry. Events about an object: the directory it
  // was reached through and its name there, or nullptr when there is none.
  Inode* dir = nullptr;
  std::string_view name;
  uint32_t cookie = 0;
  bool unlinked = false;  // an event about an object reached through a removed name
};

class FeedSubscriber {
 public:
  virtual ~FeedSubscriber() = default;
  // Called with Feed::lock held: queue and return, never block.
  virtual void deliver(const Event& e) = 0;
  // The superblock's last mount is gone: forget its inodes (Feed::lock held).
  virtual void super_gone(Superblock* sb) { (void)sb; }
};

struct Feed {
  std::mutex lock;
  std::vector<FeedSubscriber*> subs;
  std::atomic<uint32_t> active{0};
  // inotify's accounting, per user (guarded by lock).
  NotifyLimits limits;
  struct Usage {
    uint32_t instances = 0;
    uint64_t watches = 0;
  };
  std::unordered_map<uid_t, Usage> usage;

  void subscribe(FeedSubscriber* s);
  void unsubscribe(FeedSubscriber* s);
  // The same with `lock` held by the caller.
  void subscribe_locked(FeedSubscriber* s);
  void unsubscribe_locked(FeedSubscriber* s);
  void post(const Event& e);
  // Every subscriber forgets the inodes of `sb`, whose last mount is gone.
  void super_gone(Superblock* sb);
};

inline Feed* feed_of(const Inode* inode) {
  Feed* f = inode->sb->feed.get();
  return f && f->active.load(std::memory_order_relaxed) ? f : nullptr;
}

inline uint32_t isdir_bit(const Inode* inode) { return inode->is_dir() ? IN_ISDIR : 0; }

// The calling thread's change origin (set_change_origin in <rcuvfs/changes.h>):
// changes are delivered on the thread that makes them.
uint64_t change_origin();

// A fresh rename cookie (never 0).
uint32_t next_cookie();

// ---- reporters, at Linux's fsnotify_* points -----------------------------------------
// IN_CREATE in `dir` (locked) for the new entry d.
void notify_create(Inode* dir, Dentry* d);
// link(2): IN_ATTRIB on the inode (its link count), then IN_CREATE in dir.
void notify_link(Inode* dir, Inode* inode, Dentry* d);
// IN_DELETE in `dir` (locked) of `name`, whose object `inode` the caller still holds.
void notify_delete(Inode* dir, Inode* inode, std::string_view name);
// An event about an object reached through dentry d: reported to d's parent (as a
// child's event, with d's name) and to the object itself.
void notify_dentry(Dentry* d, Inode* inode, uint32_t mask);
// An event about the object itself only (IN_MOVE_SELF, IN_ATTRIB of link counts).
void notify_inode(Inode* inode, uint32_t mask);
// rename(2) of `source` from old_dir/old_name to new_dir/new_name over `target`
// (nullptr when none): IN_MOVED_FROM, IN_MOVED_TO (one cookie), IN_ATTRIB on the
// target, IN_MOVE_SELF on the source.
void notify_move(Inode* old_dir, std::string_view old_name, Inode* new_dir,
                 std::string_view new_name, Inode* source, Inode* target);
// The object lost its last name and its last dentry (nlink 0): IN_DELETE_SELF, and its
// watches end (IN_IGNORED).
void notify_gone(Inode* inode);
// attribute changes of notify_change (kAttr* bits) as Linux's fsnotify_change maps them.
uint32_t attr_change_mask(unsigned valid);

}  // namespace rcuvfs::core
