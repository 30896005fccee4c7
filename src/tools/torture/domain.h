// A writer's domain in the mixed scenario: one subtree of the namespace, changed only
// by its own writer thread, which therefore knows its exact state and logs every
// change (history.h). Readers stat the domain's watched paths.
#pragma once

#include "tools/torture/history.h"

#include <rcuvfs/task.h>
#include <rcuvfs/vfs.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rcuvfs::torture {

// The longest a writer waits for a change made outside the readers' instance to show
// to them. A change not shown by then ends its window anyway (counted as late): readers
// that still see the old state afterwards are violations.
inline constexpr auto kMaxWait = std::chrono::seconds(2);

// A writer that changes an owner sets the group to the user plus this: the two ids of
// one state differ from those of any other, so a stat that mixes two states shows.
inline constexpr uint32_t kGidOffset = 1000000;

// What every domain shares: the namespace, the logical clock, the watched paths.
struct World {
  Vfs& vfs;  // the readers' instance
  // Where the writers change the namespace: `vfs` itself, or (etcd) a second instance
  // on the same store, as another machine would be.
  Vfs& writers;
  std::string fs;  // the root filesystem type
  std::string host_root;  // hostfs: the host directory the namespace's root serves
  std::atomic<uint64_t> clock{1};
  std::vector<PathSpec> paths;  // fixed before the workload starts
  // Per domain, its paths as readers pick them: each once, plus extra copies of those
  // whose races need many tries. Each reader focuses on one domain (reader.h).
  std::vector<std::vector<uint32_t>> picks;
};

struct WriterStats {
  uint64_t ops = 0, renames = 0, unlinks = 0, recycled = 0, mounts = 0;
  // Changes made outside the readers' instance (on the host, or through the writers'
  // instance): how long each took to show to the readers, and how many had not after
  // the longest wait.
  std::vector<uint32_t> lag_us;
  uint64_t late = 0;
};

// A writer operation failed where the domain's own state said it must succeed.
struct WriterError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Domain {
 public:
  // `local`: the writer works on the readers' instance even when the world has a
  // writers' instance (mounts belong to one instance and are not shared).
  Domain(World& world, uint32_t index, uint32_t seed, bool local = false);
  virtual ~Domain() = default;
  // Builds the initial subtree (before any reader runs), shown to the readers' instance
  // when it returns.
  void prepare() {
    setup();
    settle();
  }
  // One operation (or a short, fixed sequence of them).
  virtual void step() = 0;

  const WriterLog& log() const { return log_; }
  WriterLog& log() { return log_; }
  const WriterStats& stats() const { return stats_; }

 protected:
  uint64_t tick() { return world_.clock.fetch_add(1, std::memory_order_acq_rel) + 1; }
  // The clock at the end of a change's window: once the readers' instance shows it. A
  // writer on another instance waits for its watch to bring the change over (settle);
  // a stat that starts later must show the change, one that started earlier may not.
  uint64_t end() {
    settle();
    return tick();
  }
  // Waits until `seen()` (a look through the readers' instance) accepts, asking every
  // `poll`; records how long it took, or counts the change late after kMaxWait.
  template <class Pred>
  void wait_visible(Pred seen,
                    std::chrono::microseconds poll = std::chrono::microseconds(50)) {
    const auto start = std::chrono::steady_clock::now();
    while (!seen()) {
      if (std::chrono::steady_clock::now() - start > kMaxWait) {
        ++stats_.late;
        return;
      }
      std::this_thread::sleep_for(poll);
    }
    stats_.lag_us.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                              start)
            .count()));
  }
  // `hot` > 0: readers focused on this domain pick the path that many extra times.
  uint32_t watch(std::string text, int flags, int parent = -1, int hot = 0);
  void set_alias(uint32_t path, uint32_t alias) {
    world_.paths[path].alias = static_cast<int>(alias);
  }
  // The identity and attributes of `path` as this writer's (reference-walk) task sees
  // them; the domain is the only one changing it, so this is exact.
  struct Seen {
    Key key;
    Attrs attrs;
    uint32_t rdev_major, rdev_minor;
  };
  Seen look(const std::string& path, bool follow = false);
  void must(const Status& st, const std::string& what);
  virtual void setup() = 0;
  // Creates `path` of type `type` and logs the new object; `bind_to` >= 0: `path` is
  // that watched path, bound by the same operation.
  Seen create(const std::string& path, uint32_t type, int bind_to = -1,
              uint32_t rdev_major = 0, uint32_t rdev_minor = 0,
              const std::string& link_target = "t");

  World& world_;
  uint32_t index_;
  std::unique_ptr<Task> task_;  // on the writers' instance (or the readers', when local)
  // On the readers' instance, when task_ is not: what the writer waits on in settle().
  std::unique_ptr<Task> view_;
  std::mt19937 rng_;
  WriterLog log_;
  WriterStats stats_;

 private:
  // Waits until the readers' instance shows everything this writer changed: the
  // writer grows a marker file of its own and waits until view_ sees the new size. The
  // instances apply the store's changes in its order, so the marker's arrival brings
  // every earlier change with it. Nothing to wait for without view_.
  void settle();
  std::string marker_;
  uint64_t marker_size_ = 0;
  // Each instance has a device number of its own: look() names an object found through
  // the writers' instance by the readers' (those of their roots, {} when local).
  struct Dev {
    uint32_t major, minor;
  } writers_dev_{}, readers_dev_{};
};

// The domains of the mixed scenario (one writer thread each). `root` is the domain's
// own directory, created by setup().
std::unique_ptr<Domain> make_slot_domain(World& w, uint32_t index, uint32_t seed,
                                         std::string root);
std::unique_ptr<Domain> make_dirswap_domain(World& w, uint32_t index, uint32_t seed,
                                            std::string root);
// The directory exchange keeps its replaced files open (alive, with their last
// versions, in its log) for this many more replacements: a reader descheduled
// between finding one and asking it resumes up to some tens of thousands of writer
// operations later, and an evicted file has dropped its extended attributes (a stale
// getxattr would see ENODATA, which the walk asks again, not the value no path showed).
// Not on hostfs or recyclefs (dirswap_domain.cc).
inline constexpr size_t kDirSwapHeld = 3000;
std::unique_ptr<Domain> make_mount_domain(World& w, uint32_t index, uint32_t seed,
                                          std::string root);
std::unique_ptr<Domain> make_attr_domain(World& w, uint32_t index, uint32_t seed,
                                         std::string root);
std::unique_ptr<Domain> make_symlink_domain(World& w, uint32_t index, uint32_t seed,
                                            std::string root);
// hostfs only: changes made on the host directory behind rcuvfs's back.
std::unique_ptr<Domain> make_host_domain(World& w, uint32_t index, uint32_t seed,
                                         std::string root);

}  // namespace rcuvfs::torture
