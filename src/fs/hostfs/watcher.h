// hostfs following the host: an inotify instance on the host watches every directory
// hostfs has an inode for, and a thread applies what it reports to the dentry cache,
// the attributes and the namespace's change feed (<rcuvfs/fs/changes.h>).
//
//  - A name made, removed or renamed in a watched directory on the host: the cached
//    entry is dropped under the directory's lock (so a lookup racing the change either
//    saw it or is dropped after it) and the change is reported to the feed.
//  - An object's attributes or data changed (IN_ATTRIB, IN_MODIFY, IN_CLOSE_WRITE
//    under its directory's watch): its cached attributes stop being fresh, and the
//    next stat fetches them (not reported to the feed yet: see attributes_changed).
//  - Changes hostfs makes itself come back as host events too ("echoes"): each
//    operation says which name events it will cause before it makes the host call
//    (expect), and those are consumed without dropping anything or reporting twice
//    (the core reported the operation already).
//  - The host's queue overflowed: every cached entry is dropped and every attribute
//    expires.
// What the watch cannot see (directories past the host's watch limit, a filesystem
// changed from another machine) is still bounded by the TTL.
//
//   wd_of_, dir_of_, watched_, expected_   guarded by mu_ (a leaf lock)
//   pending_   the thread's own (attribute events retried when an inode's lock frees)
//   busy_mu_   held by the thread while it handles events (Inode locks are taken
//              under it), so that stop() can wait for them to end
// The thread holds a reference on a directory while it handles its event.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <sys/inotify.h>

namespace rcuvfs::hostfs {

class HostSuper;
class HostInode;

class Watcher {
 public:
  // Without an inotify instance (the host's limit) it stays off.
  Watcher(HostSuper& sb, bool enable);
  // Starts the thread, once the core has set up the superblock (its dcache and feed,
  // which handling an event reads): the host queues what happens until then.
  void start();
  ~Watcher();  // stops the thread
  // No event is handled after this returns (the root is going; the instance follows).
  void stop();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  bool on() const { return ifd_ >= 0; }
  // Watch directory `dir` (whose descriptor is `fd`): after its inode is made.
  void watch(HostInode* dir, int fd);
  // `dir` is going away.
  void unwatch(HostInode* dir);
  // hostfs is about to make the host report `kind` (IN_CREATE, IN_DELETE,
  // IN_MOVED_FROM, IN_MOVED_TO) for `name` in `dir`; forget() when the call failed.
  void expect(const HostInode* dir, std::string_view name, uint32_t kind);
  void forget(const HostInode* dir, std::string_view name, uint32_t kind);

 private:
  // A directory's host identity (dev, ino), not its inode: two inodes may stand for
  // one host directory for a while (a stale one still held, and its replacement), and
  // the host reports on one watch for both.
  using DirId = std::pair<uint64_t, uint64_t>;
  using Key = std::tuple<DirId, std::string, uint32_t>;
  static DirId id_of(const HostInode* dir);
  void run();
  void handle(const ::inotify_event& e, std::string_view name);
  // Take `key` off the expected echoes: true when it was there.
  bool consume_locked(const Key& key);
  // The host no longer watches directory `id`: forget it and its expected echoes.
  void forget_dir_locked(const DirId& id);
  // `kind`: IN_ATTRIB or IN_MODIFY; `dir` and `name`: where the host reported it.
  // False, having done nothing, when a change through rcuvfs holds the inode's lock
  // and `wait` is false.
  bool attributes_changed(HostInode* inode, uint32_t kind, HostInode* dir,
                          std::string_view name, bool wait);
  // attributes_changed, or queued on pending_ while the lock is held.
  void changed_or_pending(HostInode* inode, uint32_t kind, HostInode* dir,
                          std::string_view name);
  // Try the pending ones again (waiting for their locks when `wait`).
  void retry_pending(bool wait);
  void overflow();

  HostSuper& sb_;
  int ifd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
  // Held while events are handled; stop() waits on it.
  std::mutex busy_mu_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> limit_reported_{false};
  mutable std::mutex mu_;
  std::unordered_map<int, HostInode*> dir_of_;
  std::unordered_map<const HostInode*, int> wd_of_;
  std::map<DirId, int> watched_;  // the host directories watched, by identity -> wd
  std::map<Key, int> expected_;
  // Attribute events whose object's lock a change through rcuvfs held (references
  // held); the thread's own.
  struct Pending {
    HostInode* inode;
    uint32_t kind;
    HostInode* dir;
    std::string name;
    void release();  // drops the references
  };
  static constexpr size_t kMaxPending = 1024;
  std::vector<Pending> pending_;
};

// Says a name event to `w` for the duration of a host call: forgotten again unless
// the call succeeded (done()).
class Echo {
 public:
  Echo(Watcher& w, const HostInode* dir, std::string_view name, uint32_t kind)
      : w_(w), dir_(dir), name_(name), kind_(kind) {
    w_.expect(dir_, name_, kind_);
  }
  ~Echo() {
    if (!done_) w_.forget(dir_, name_, kind_);
  }
  Echo(const Echo&) = delete;
  Echo& operator=(const Echo&) = delete;
  void done() { done_ = true; }

 private:
  Watcher& w_;
  const HostInode* dir_;
  std::string name_;
  uint32_t kind_;
  bool done_ = false;
};

}  // namespace rcuvfs::hostfs
