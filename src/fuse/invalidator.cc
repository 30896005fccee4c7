// The kernel's cache kept in step with the namespace (invalidator.h).
#include "fuse/invalidator.h"

#include "fuse/mountpoint.h"

#include <rcuvfs/vfs.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace rcuvfs::fuse {

namespace {
// How long stop() may wait for the thread to notice.
constexpr std::chrono::milliseconds kPoll{50};
constexpr size_t kBatch = 256;
// How long an invalidation may take before stop() takes it for stuck.
constexpr std::chrono::seconds kStuck{2};
}  // namespace

Invalidator::Invalidator(Server& server, fuse_session* se, Vfs& vfs, size_t capacity)
    : s_(server), se_(se), stream_(vfs.subscribe(capacity)) {
  thread_ = std::thread([this] { run(); });
}

Invalidator::~Invalidator() { stop(); }

void Invalidator::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  bool done;
  {
    std::unique_lock g(done_mu_);
    done = done_cv_.wait_for(g, kStuck, [&] { return done_; });
  }
  if (!done && !abort_connection(s_.opt.mountpoint))
    std::fprintf(stderr,
                 "rcuvfs mount: an invalidation is stuck in the kernel; abort the "
                 "connection (/sys/fs/fuse/connections/N/abort) to end the server\n");
  thread_.join();
}

void Invalidator::run() {
  std::vector<Change> batch;
  while (!stopping_.load(std::memory_order_relaxed)) {
    batch.clear();
    if (stream_->read(batch, kBatch, kPoll)) apply(batch);
  }
  std::lock_guard g(done_mu_);
  done_ = true;
  done_cv_.notify_all();
}

void Invalidator::apply(const std::vector<Change>& batch) {
  // One batch's invalidations, each sent once: a burst of changes in one directory
  // costs the kernel one attribute invalidation of it.
  std::set<std::pair<uint64_t, std::string>> entries;
  std::unordered_map<uint64_t, bool> inodes;  // nodeid -> its data too
  // A directory's number may belong to a file by now (the host reuses numbers).
  auto node = [&](const ObjectId& o, bool dir = false) {
    return o.ino ? s_.nodes.id_of_object(o.dev, o.ino, dir) : 0;
  };
  auto inode = [&](uint64_t id, bool data) {
    if (id) inodes[id] |= data;
  };
  for (const Change& c : batch) {
    if (c.mask & IN_Q_OVERFLOW) {
      invalidate_everything();
      return;
    }
    if (c.origin == s_.origin()) continue;
    const uint32_t kind = c.mask & ~IN_ISDIR;
    if (kind & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) {
      if (const uint64_t dir = node(c.dir, true)) {
        entries.emplace(dir, c.name);
        inode(dir, true);  // its attributes and its cached listing
      }
      inode(node(c.object), false);
    } else if (kind & (IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB)) {
      // The name too: a lookup of it that read the old attributes may be in flight,
      // its inode not made yet, so that an invalidation of the inode alone finds
      // nothing and its reply then caches the old attributes for good. The kernel
      // invalidates an entry with its directory locked, as the lookup holds it: after
      // that lookup, whose entry it then drops.
      if (const uint64_t dir = c.name.empty() ? 0 : node(c.dir, true))
        entries.emplace(dir, c.name);
      inode(node(c.object), kind != IN_ATTRIB);
    } else if (kind & IN_ACCESS) {
      inode(node(c.object), false);
    }
  }
  // Return values are not errors: ENOENT says the kernel has nothing of it cached.
  if (stopping_.load(std::memory_order_relaxed)) return;
  for (const auto& [dir, name] : entries) {
    (void)fuse_lowlevel_notify_inval_entry(se_, dir, name.data(), name.size());
    ++sent_;
  }
  for (const auto& [id, data] : inodes) {
    // off -1: the attributes only; 0 with len 0: the attributes and all cached data.
    (void)fuse_lowlevel_notify_inval_inode(se_, id, data ? 0 : -1, 0);
    ++sent_;
  }
}

void Invalidator::invalidate_everything() {
  ++overflows_;
  for (const KnownNode& k : s_.nodes.known()) {
    for (const auto& [dir, name] : k.names) {
      (void)fuse_lowlevel_notify_inval_entry(se_, dir, name.data(), name.size());
      ++sent_;
    }
    (void)fuse_lowlevel_notify_inval_inode(se_, k.id, 0, 0);
    ++sent_;
  }
}

}  // namespace rcuvfs::fuse
