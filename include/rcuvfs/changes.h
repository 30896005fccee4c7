// The change feed of a namespace: every change to its objects, in order, for programs
// that keep something in step with it (a FUSE server's kernel cache, a replica, an
// index). Vfs::subscribe hands out a ChangeStream; inotify (Task::inotify_*) is the
// other consumer of the same feed.
//
//   auto changes = vfs->subscribe();
//   std::vector<rcuvfs::Change> batch;
//   changes->read(batch, 256, std::chrono::milliseconds(100));
//
// A change is described as inotify describes it: one IN_* event bit (plus IN_ISDIR
// when the object is a directory), the object, and for an event about a name (IN_CREATE,
// IN_DELETE, IN_MOVED_FROM, IN_MOVED_TO) the directory and the name; the two halves of
// a rename share a cookie. Events about an object's contents or attributes (IN_ATTRIB,
// IN_MODIFY, IN_OPEN, IN_ACCESS, IN_CLOSE_WRITE, IN_CLOSE_NOWRITE) carry the directory
// and name the object was reached through, when there is one.
//
// Writers never wait for a reader: a stream holds at most `capacity` changes. When a
// change arrives at a full stream, everything queued is dropped and the reader gets one
// IN_Q_OVERFLOW change in its place: whatever it derived from earlier changes may be
// stale and must be rebuilt (as the kernel's queue-overflow event says).
#pragma once

#include <rcuvfs/uapi.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rcuvfs {

// An object's identity: its filesystem instance (st_dev), inode number and generation
// (which tells a recycled inode number from the object that had it before).
struct ObjectId {
  dev_t dev = 0;
  uint64_t ino = 0;
  uint32_t generation = 0;
  bool operator==(const ObjectId&) const = default;
};

struct Change {
  uint32_t mask = 0;    // one IN_* event, | IN_ISDIR; or IN_Q_OVERFLOW alone
  ObjectId object;      // what changed
  ObjectId dir;         // the directory of `name` (ino 0 when the event has no name)
  std::string name;     // the entry's name in `dir`
  uint32_t cookie = 0;  // IN_MOVED_FROM and IN_MOVED_TO of one rename share it (not 0)
  // The change origin of the thread that made the change (set_change_origin), 0 when
  // untagged or found by a filesystem (a host change hostfs saw).
  uint64_t origin = 0;
};

// Tag the changes the calling thread makes from now on with `origin` (0: untagged),
// so that a subscriber which also makes changes can tell its own apart: a FUSE server
// keeping the kernel's cache in step skips what the kernel did itself. A change is
// reported on the thread that makes it, before the call returns.
void set_change_origin(uint64_t origin);

class ChangeStream {
 public:
  virtual ~ChangeStream() = default;
  // Append up to `max` queued changes to `out`, oldest first, waiting up to `timeout`
  // for the first one. Returns how many were appended (0: none came in time).
  virtual size_t read(std::vector<Change>& out, size_t max,
                      std::chrono::milliseconds timeout) = 0;
  // A descriptor (an eventfd) that polls readable while changes are queued, for event
  // loops. Owned by the stream.
  virtual int pollfd() const = 0;
  // Changes dropped by overflows so far.
  virtual uint64_t lost() const = 0;
};

// inotify's limits (/proc/sys/fs/inotify), per user of a namespace:
// Vfs::set_notify_limits.
struct NotifyLimits {
  uint32_t max_queued_events = 16384;  // then IN_Q_OVERFLOW
  uint32_t max_user_instances = 128;   // then inotify_init is EMFILE
  uint32_t max_user_watches = 65536;   // then inotify_add_watch is ENOSPC
};

// How many changes a stream made with the default holds before it overflows (as
// inotify's max_queued_events).
inline constexpr size_t kDefaultChangeCapacity = 16384;

}  // namespace rcuvfs
