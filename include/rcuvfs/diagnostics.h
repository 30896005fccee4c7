// Diagnostics for benchmarks and tests. Nothing here is for production use.
#pragma once

#include <rcuvfs/counters.h>
#include <rcuvfs/result.h>
#include <rcuvfs/task.h>
#include <rcuvfs/uapi.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs {
class Vfs;
}

namespace rcuvfs::diag {

// fsck for the whole namespace: every filesystem mounted in `vfs` (each instance
// once, however often it is mounted), checked through the dentry cache. Returns one
// line per problem; empty means consistent. The core checks, for each dentry listed
// under a directory: its parent pointer, that it is hashed exactly when lookup finds
// it, and the reverse (every hashed dentry of those filesystems is listed); for
// filesystems whose dcache is complete (kSbDcacheComplete) also link counts: a
// directory has 2 + its subdirectories, anything else one per name. Each filesystem
// adds its own rules (Superblock::check_inode, Superblock::check). The namespace must
// be quiescent: no other thread may change it during the check. The hash-to-list
// direction scans the whole dcache hash table (at least 2^16 chains, about one per
// dentry); `scan_hash = false` skips it for callers that check very often (the
// fuzzers).
std::vector<std::string> check(Vfs& vfs, bool scan_hash = true);

// Inode and dentry objects alive in the process (every namespace, every filesystem).
// After an umount (or a Vfs destruction) and quiesce() they are back where they were
// before the filesystem was mounted, unless something leaked.
int64_t live_inodes();
int64_t live_dentries();

// Waits until every deferred free queued so far (and any it queued in turn) has run.
void quiesce();

// The dcache's hash table: how many chains it has now, and how many times it was
// resized. It grows and shrinks in the background with the number of dentries;
// wait_dcache_resized() returns once its size fits the dentries alive.
size_t dcache_buckets();
uint64_t dcache_resizes();
void wait_dcache_resized();

// The cost floor of a stat: walks the dcache from the task's root with relaxed
// loads only — no RCU section, no sequence counters, no permission checks, no
// symlinks, no mounts, no "..". Unsafe while anything writes to the namespace or
// the dcache's table is being resized (wait_dcache_resized() first); it
// exists so benchmarks can show how close the real walk comes to doing nothing
// but the lookups. Names missing from the dcache are ENOENT.
Result<Statx> floor_stat(Task& task, std::string_view path);

// One of the calling thread's own walker counters (its share of Vfs::counters()),
// read without the lock Vfs::counters() takes: cheap enough to compare before and
// after every call, to learn how that call was served.
uint64_t thread_counter(Counter c);

// Deliberate bugs, for checking that a checker can fail (rcuvfs torture --inject).
// Process-wide; 0 turns them all off.
enum Inject : unsigned {
  kSkipValidation = 1u << 0,     // accept the speculative stat without re-checking
  kSkipParentRecheck = 1u << 1,  // don't re-check the parent after finding a child
  kNoAttrSnapshot = 1u << 2,     // read attributes without the attribute seqcount
  kEvictHashed = 1u << 3,        // the dcache's shrinker lets entries go but leaves them hashed
  kDropWatchEvents = 1u << 4,    // a watched fs (hostfs, etcd) ignores what its watch says of names
  kAccessSkipValidation = 1u << 5,  // accept a speculative faccessat2 without re-checking
  kXattrInPlace = 1u << 6,  // SimpleXattrs rewrites a value where readers read it
  kReadlinkSkipValidation = 1u << 7,  // accept a speculative readlink without re-checking
  kXattrSkipValidation = 1u << 8,  // accept a speculative getxattr/listxattr without re-checking
};
void set_inject(unsigned bugs);
// The bugs set (filesystems read their own).
unsigned injected();

}  // namespace rcuvfs::diag
