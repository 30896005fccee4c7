// hostfs following the host: the host reports changes to the directories hostfs has
// inodes for, and a thread applies them to the dentry cache, the attributes and the
// namespace's change feed (<rcuvfs/fs/changes.h>). Two sources, one set of rules:
//
//  - inotify: a watch per directory (its descriptor `wd`), in the host's order;
//  - fanotify (watch_fanotify.cc, watch=fanotify): one mark per host filesystem, which
//    reports every directory by its file handle; where the process may
//    (CAP_SYS_ADMIN) and the kernel reports names by directory handle
//    (FAN_REPORT_DFID_NAME, Linux 5.9; FAN_RENAME, 5.17). Each directory gets a number
//    of its own in place of a `wd`.
//    The host merges events of one object in its queue, their order lost: a merged
//    name event is read back in the order that leaves what the host has now.
//
//  - A name made, removed or renamed in a watched directory on the host: the cached
//    entry is dropped under the directory's lock (so a lookup racing the change either
//    saw it or is dropped after it) and the change is reported to the feed.
//  - An object's attributes or data changed (IN_ATTRIB, IN_MODIFY, IN_CLOSE_WRITE
//    under its directory's watch): its attributes are fetched again, and reported to
//    the feed when they differ (attributes_changed). The events of one object in one
//    read of the queue are one fetch, at the last of them (fold_object_events): a
//    write is a run of IN_MODIFY and an IN_CLOSE_WRITE, and each fetch is two host
//    calls, so a write load would otherwise outrun the thread and overflow the queue.
//  - Changes hostfs makes itself come back as host events too ("echoes"): each
//    operation says which name events it will cause before it makes the host call
//    (expect), and those are consumed without dropping anything or reporting twice
//    (the core reported the operation already).
//  - The host's queue overflowed: every cached entry is dropped and every attribute
//    expires.
// What the watch cannot see (directories past the host's watch limit, a filesystem
// changed from another machine) is still bounded by the TTL.
//
//   wd_of_, dir_of_, watched_, expected_, and fanotify's wd_of_fid_, fid_of_wd_,
//   marked_devs_, next_wd_   guarded by mu_ (a leaf lock)
//   pending_   the thread's own (attribute events retried when an inode's lock frees;
//              they hold no references, which would keep inodes past the namespace)
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

// watch=0; watch=1 or watch=inotify; watch=fanotify. inotify is the default: it hears
// only the served tree, in order, where fanotify reads every change of the host
// filesystem (a busy one overflows its queue, which drops the whole cache) and merges
// events; fanotify is for trees past inotify's watch limit (docs/hostfs.md).
enum class WatchKind { kOff, kInotify, kFanotify };

// What a watch has done, for tests and diagnostics.
struct WatchStats {
  uint64_t reads = 0;      // reads of the host's queue that returned events
  uint64_t events = 0;     // events read
  uint64_t folded = 0;     // object events folded into a later one (no fetch of their own)
  uint64_t fetches = 0;    // attribute fetches for object events
  uint64_t overflows = 0;  // the host's queue overflowed
};

class Watcher {
 public:
  // Without a source (the host's limits, no privilege) it stays off; error() says
  // why a source that was asked for by name could not be had.
  Watcher(HostSuper& sb, WatchKind kind);
  // Starts the thread, once the core has set up the superblock (its dcache and feed,
  // which handling an event reads): the host queues what happens until then.
  void start();
  ~Watcher();  // stops the thread
  // No event is handled after this returns (the root is going; the instance follows).
  void stop();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  bool on() const { return ifd_ >= 0; }
  bool fanotify() const { return fanotify_; }
  int error() const { return error_; }
  WatchStats stats() const;
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
  static constexpr uint32_t kNameEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
  static constexpr uint32_t kObjectEvents = IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE;
  // IN_EXCL_UNLINK: a file hostfs keeps open after its last name went reports nothing.
  static constexpr uint32_t kWatchMask = kNameEvents | kObjectEvents | IN_ONLYDIR | IN_EXCL_UNLINK;
  // One event of a read of the queue. `kinds`: the object events folded into it
  // (IN_ATTRIB, IN_MODIFY), the earliest one in `first`; 0 when folded into a later
  // one.
  struct Event {
    int wd;
    uint32_t mask, cookie;
    std::string_view name;
    uint32_t kinds;
    uint32_t first;
  };
  bool init_fanotify();
  // Mark the host filesystem of directory `fd` (once per filesystem) and number the
  // directory; its number, or -1.
  int watch_fanotify(int fd);
  void run();
  // Turn what one read() returned into batch_.
  void parse_inotify(const char* buf, size_t n);
  void parse_fanotify(const char* buf, size_t n);
  // A fanotify record's name events (`mask`: FAN_ bits) as inotify ones in batch_.
  void add_name_events(int wd, std::string_view name, uint64_t mask);
  // Folds each object event into the next one of the same object (watch and name)
  // when no name event of that name comes between. How many were folded.
  static size_t fold_object_events(std::vector<Event>& batch);
  void handle(const Event& ev);
  // Take `key` off the expected echoes: true when it was there.
  bool consume_locked(const Key& key);
  // The host no longer watches directory `id`: forget it and its expected echoes.
  void forget_dir_locked(const DirId& id);
  // `kinds`: IN_ATTRIB and/or IN_MODIFY, `first` reported first; `dir` and `name`:
  // where the host reported it. False, having done nothing, when a change through
  // rcuvfs holds the inode's lock and `wait` is false.
  bool attributes_changed(HostInode* inode, uint32_t kinds, uint32_t first, HostInode* dir,
                          std::string_view name, bool wait);
  // attributes_changed, or queued on pending_ while the lock is held (folded into
  // the inode's pending event when it has one).
  void changed_or_pending(HostInode* inode, uint32_t kinds, uint32_t first, HostInode* dir,
                          std::string_view name);
  // Try the pending ones again (waiting for their locks when `wait`).
  void retry_pending(bool wait);
  void overflow();

  HostSuper& sb_;
  int ifd_ = -1;  // the inotify or fanotify instance
  bool fanotify_ = false;
  int error_ = 0;
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
  // fanotify: each directory's number by its host filesystem and handle (what the
  // host reports), and the host filesystems marked.
  std::map<std::string, int> wd_of_fid_;
  std::map<int, std::string> fid_of_wd_;
  std::vector<uint64_t> marked_devs_;
  int next_wd_ = 1;
  uint32_t next_cookie_ = 0;  // the thread's own: pairs a FAN_RENAME's two halves
  // Attribute events whose object's lock a change through rcuvfs held; the thread's
  // own. The inodes are found again by host identity when retried (an inode gone
  // meanwhile has nothing cached to refresh).
  struct Pending {
    const HostInode* inode;
    DirId id;  // the inode's (dev, ino)
    uint32_t kinds, first;
    const HostInode* dir;  // or nullptr
    DirId dir_id;
    std::string name;
  };
  static constexpr size_t kMaxPending = 1024;
  std::vector<Pending> pending_;
  std::vector<Event> batch_;  // the thread's own
  // WatchStats, written by the thread only.
  std::atomic<uint64_t> reads_{0}, events_{0}, folded_{0}, fetches_{0}, overflows_{0};
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
