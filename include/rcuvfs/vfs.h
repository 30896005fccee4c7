// Vfs: one rcuvfs namespace — a mount tree and the registry of filesystem types.
//
//   auto vfs = rcuvfs::Vfs::create();          // root: a fresh memfs, 0755 root:root
//   auto task = vfs->new_task();               // uid 0, cwd = root, umask 022
//   task->mkdirat(AT_FDCWD, "a", 0755);
//   auto st = task->statx(AT_FDCWD, "a", 0, STATX_BASIC_STATS);
#pragma once

#include <rcuvfs/changes.h>
#include <rcuvfs/counters.h>
#include <rcuvfs/result.h>
#include <rcuvfs/security.h>
#include <rcuvfs/task.h>
#include <rcuvfs/uapi.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs {

class FsType;
namespace core {
struct VfsState;
struct Internals;
}

// The dentry cache of one namespace (Vfs::cache_stats). Entries the cache may drop
// are charged to a budget: negative entries always, and every entry of a filesystem
// whose dcache is a cache (hostfs); a RAM filesystem's files are its data and stay.
struct CacheStats {
  uint64_t entries = 0;    // dentries alive in the namespace's filesystems
  uint64_t negative = 0;   // of which negative ("no such name")
  uint64_t unused = 0;     // listed on an LRU (evicted only if still unused then)
  uint64_t bytes = 0;      // charged to the budget
  uint64_t budget = 0;     // the namespace's budget in bytes
  uint64_t reclaimed = 0;  // entries evicted to keep within budgets, ever
};

// The budget of a namespace made without one: 256 MiB (about 2.4 million negative
// entries at 112 bytes each: the dentry, its share of the hash table and its LRU slot;
// fewer cached entries of a host tree, whose inodes are charged too).
inline constexpr uint64_t kDefaultCacheBudget = uint64_t{256} << 20;

class Vfs {
 public:
  // A namespace whose root is a fresh filesystem of type `root_fstype` ("memfs" by
  // default; any registered type, with its option string).
  static Result<std::unique_ptr<Vfs>> create(std::string_view root_fstype = "memfs",
                                             std::string_view options = "");
  ~Vfs();
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  std::unique_ptr<Task> new_task(Cred cred = {});

  // Filesystem types known to this namespace: the built-in ones plus any registered.
  Status register_fs(std::shared_ptr<FsType> type);
  std::vector<std::string> fs_types() const;

  // Stack a security module on top of those already registered (they are consulted
  // in registration order, after the DAC checks).
  Status add_security_module(std::shared_ptr<SecurityModule> module);

  // Walker counters summed over every thread (live and exited).
  static Counters counters();

  // The dentry cache's budget for the whole namespace, in bytes (default
  // kDefaultCacheBudget). A mount may have its own too: the option `cache=SIZE`, before
  // the filesystem's options ("cache=16M,dir=/srv"). Lowering it shrinks the cache at
  // once. EINVAL for 0; anything past INT64_MAX is INT64_MAX.
  Status set_cache_budget(uint64_t bytes);
  CacheStats cache_stats() const;

  // The change feed: a stream of every change to the namespace's objects from now on
  // (<rcuvfs/changes.h>), holding at most `capacity` changes before it overflows.
  std::unique_ptr<ChangeStream> subscribe(size_t capacity = kDefaultChangeCapacity);
  // inotify's limits for the namespace's users. EINVAL for a zero limit. Lowering a
  // limit leaves what is already past it.
  Status set_notify_limits(const NotifyLimits& limits);
  // True when the feed misses no change of any filesystem mounted now: each keeps all
  // its state in rcuvfs (memfs) or reports what changes behind rcuvfs's back (hostfs
  // with watch=1; kSbChangesReported). A cache kept in step with the feed then needs
  // no timeout (an overflow still says when to rebuild it).
  bool reports_every_change() const;

 private:
  friend struct core::Internals;  // the core's own access to the state
  explicit Vfs(std::unique_ptr<core::VfsState> s);
  std::unique_ptr<core::VfsState> s_;
};

}  // namespace rcuvfs
