// Superblock: one instance of a filesystem; FsType: the registered kind of filesystem.
//
// A filesystem author subclasses both: FsType::make_super builds a fresh instance
// (its options string comes from `TYPE:ARG` or Task::mount), Superblock::root_inode
// gives the root directory. The core assigns `dev` and owns the instance's lifetime:
// it is destroyed when its last mount is gone and every RCU callback has run.
#pragma once

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/result.h>
#include <rcuvfs/uapi.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs {

class FsType;

// What the core's consistency check (diag::check) found out about one inode of this
// filesystem from the dentry cache. Only meaningful for kSbDcacheComplete ones.
struct FsckFacts {
  uint64_t names = 0;    // hashed positive dentries bound to the inode
  uint64_t entries = 0;  // a directory's positive entries (without "." and "..")
  uint64_t subdirs = 0;  // how many of those are directories
};

// Superblock flags (Superblock::flags, immutable after make_super).
// The dcache holds every entry of every directory (a RAM filesystem like memfs):
// a dcache miss is a definitive "no such entry" and readdir walks the dcache.
inline constexpr unsigned kSbDcacheComplete = 1u << 0;
// Inode::permission is generic_permission for every inode, in RCU mode too: the
// walker may then grant search on a directory whose three x bits are all set without
// calling it. With kSbDcacheComplete too, the walker remembers that answer beside the
// entry: the filesystem then changes a mode only in setattr.
inline constexpr unsigned kSbGenericPermission = 1u << 1;
// The dcache is a cache whose entries the filesystem trusts for a time
// (Superblock::entry_ttl_ns) after they were cached or last confirmed: its
// revalidate in RCU mode answers 1 exactly when entry_fresh(age) (the age on the
// coarse_clock_ns() clock), and -ECHILD otherwise, so the walker may check the age
// itself. Such a filesystem's directories are walked in the walker's
// tight loop too, asking each one's permission(kMayNotBlock).
inline constexpr unsigned kSbEntryTtl = 1u << 2;
// Every inode's getattr_rcu is exactly attr_snapshot_rcu(inode, out, attr_extra): the
// speculative stat then takes the snapshot itself, without the virtual call.
inline constexpr unsigned kSbAttrSnapshot = 1u << 3;
// The backing store changes behind rcuvfs's back and the filesystem reports those
// changes (<rcuvfs/fs/changes.h>): the core keeps each cached directory findable from
// its inode.
inline constexpr unsigned kSbWatched = 1u << 4;
// Every change to the filesystem's objects reaches the change feed: it is made through
// rcuvfs, or the filesystem reports it (<rcuvfs/fs/changes.h>). Vfs::reports_every_change.
inline constexpr unsigned kSbChangesReported = 1u << 5;
// With kSbEntryTtl: the inodes' cached attributes are exactly as fresh as the entries
// (one watch keeps both: etcd). While the entries are trusted for ever
// (entries_trusted()), every inode's permission is generic_permission and its
// getattr_rcu is attr_snapshot_rcu(inode, out, attr_extra), so the walker asks neither.
inline constexpr unsigned kSbAttrsWithEntries = 1u << 6;

namespace core {
struct SbCache;
struct Feed;
}

class Superblock {
 public:
  virtual ~Superblock() = default;

  // The root directory, a new reference. Called once, right after make_super.
  virtual Inode* root_inode() = 0;

  // The filesystem's own consistency rules (sizes, block counts, private state), for
  // diag::check: called once per inode reachable from the root, after the core's
  // generic checks (parents, dcache, link counts), with the namespace quiescent and no
  // lock held. Appends one line per problem found. Default: no rules of its own.
  virtual void check_inode(const Inode& inode, const FsckFacts& facts,
                           std::vector<std::string>& problems) const;
  // The filesystem's rules for the instance as a whole (space accounting), for
  // diag::check: called once, after check_inode of every inode, under the same
  // conditions. Default: none.
  virtual void check(std::vector<std::string>& problems) const;

  // The age test of kSbEntryTtl: the walker's, and the filesystem's revalidate in RCU
  // mode (which must agree with it).
  bool entry_fresh(uint32_t age_ms) const {
    return int64_t{age_ms} * 1000000 < entry_ttl_ns.load(std::memory_order_relaxed);
  }
  // Entries trusted for ever, whatever their age (no clock to read); with
  // kSbAttrsWithEntries, the attributes too. Read before the attributes it vouches for.
  static constexpr int64_t kTrustedForEver = INT64_MAX;
  bool entries_trusted() const {
    return entry_ttl_ns.load(std::memory_order_acquire) == kTrustedForEver;
  }
  // What kSbAttrsWithEntries promises holds now: the walker may test permissions and
  // snapshot attributes itself.
  bool attrs_trusted() const { return (flags & kSbAttrsWithEntries) && entries_trusted(); }

  unsigned flags = 0;
  // The entries' lifetime (see kSbEntryTtl). A filesystem may change it at any time
  // (the etcd filesystem trusts its entries for ever while its watch is in step, and
  // not at all otherwise): a walk reads it once, when it starts on the filesystem.
  std::atomic<int64_t> entry_ttl_ns{0};
  // What an inode that only the dentry cache holds costs, in bytes: charged to the
  // dcache's budget with every entry the dcache may drop (immutable; 0 for a
  // filesystem whose entries are never dropped).
  size_t cached_inode_bytes = 0;
  AttrExtra attr_extra = nullptr;  // see kSbAttrSnapshot, kSbAttrsWithEntries; immutable
  dev_t dev = 0;            // set by the core: anonymous 0:N, unique per instance
  FsType* type = nullptr;   // set by the core
  std::mutex rename_mutex;  // s_vfs_rename_mutex: cross-directory renames
  core::SbCache* dcache = nullptr;  // set and owned by the core: the LRU and budget
  // Set by the core: the change feed of the namespace the instance belongs to.
  std::shared_ptr<core::Feed> feed;
};

class FsType {
 public:
  virtual ~FsType() = default;
  virtual std::string_view name() const = 0;
  // A fresh, empty instance whose root is owned by `owner` with mode 0755 (unless
  // the options say otherwise). Bad options: EINVAL.
  virtual Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                         const Cred& owner) = 0;
};

// The filesystem types every new Vfs registers (memfs, legacyfs, recyclefs, hostfs, etcd).
// Defined with the filesystems (src/fs/builtin.cc): the core names none of them.
std::vector<std::shared_ptr<FsType>> builtin_filesystems();

}  // namespace rcuvfs
