// A writer's domain in the mixed scenario: one subtree of the namespace, changed only
// by its own writer thread, which therefore knows its exact state and logs every
// change (history.h). Readers stat the domain's watched paths.
#pragma once

#include "tools/torture/history.h"

#include <rcuvfs/task.h>
#include <rcuvfs/vfs.h>

#include <atomic>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace rcuvfs::torture {

// What every domain shares: the namespace, the logical clock, the watched paths.
struct World {
  Vfs& vfs;
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
  // The host domain: how long each host-side change took to show through rcuvfs, and
  // how many had not after the longest wait.
  std::vector<uint32_t> host_lag_us;
  uint64_t host_late = 0;
};

// A writer operation failed where the domain's own state said it must succeed.
struct WriterError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Domain {
 public:
  Domain(World& world, uint32_t index, uint32_t seed);
  virtual ~Domain() = default;
  // Builds the initial subtree (before any reader runs).
  virtual void setup() = 0;
  // One operation (or a short, fixed sequence of them).
  virtual void step() = 0;

  const WriterLog& log() const { return log_; }
  WriterLog& log() { return log_; }
  const WriterStats& stats() const { return stats_; }

 protected:
  uint64_t tick() { return world_.clock.fetch_add(1, std::memory_order_acq_rel) + 1; }
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
  // Creates `path` of type `type` and logs the new object; `bind_to` >= 0: `path` is
  // that watched path, bound by the same operation.
  Seen create(const std::string& path, uint32_t type, int bind_to = -1,
              uint32_t rdev_major = 0, uint32_t rdev_minor = 0,
              const std::string& link_target = "t");

  World& world_;
  uint32_t index_;
  std::unique_ptr<Task> task_;
  std::mt19937 rng_;
  WriterLog log_;
  WriterStats stats_;
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
