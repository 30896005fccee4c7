// Walker counters: every outcome of a path walk and a stat is counted per thread
// (thread-local, no shared writes) and summed on demand.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rcuvfs {

// Why an RCU-mode walk had to give up ("-ECHILD"). Keys are `echild_<name>`.
enum class Echild : uint8_t {
  kDentrySeq,      // a dentry's seq moved or was odd
  kMountSeq,       // the mount seq (a mount or umount anywhere) moved
  kRenameSeq,      // the rename seq moved (`..` or a scoped walk)
  kDcacheMiss,     // the name was not in the dcache
  kFsRefused,      // a filesystem callback answered -ECHILD
  kSecurityRefused,// a security module answered -ECHILD
  kRevalidate,     // d_revalidate refused in RCU mode
  kSymlink,        // get_link refused in RCU mode
  kAttrRetry,      // the attributes kept changing (a snapshot's retries ran out, or an
                   // access or xattr check saw them change)
  kAtime,          // readlink must update the atime (relatime says so): a shared write
  kCount
};

enum class Counter : uint8_t {
  kStatSpeculative,  // stats completed without leaving RCU
  kStatFallback,     // stats completed after leaving RCU
  kAccessSpeculative,  // faccessat2: as the stat's
  kAccessFallback,
  kStatfsSpeculative,  // statfs/fstatfs: as the stat's
  kStatfsFallback,
  kGetxattrSpeculative,  // getxattr family: as the stat's
  kGetxattrFallback,
  kListxattrSpeculative,  // listxattr family: as the stat's
  kListxattrFallback,
  kReadlinkSpeculative,  // readlinkat: as the stat's
  kReadlinkFallback,
  kUnlazy,           // RCU walks that continued in ref-walk after taking references
  kRestart,          // RCU walks redone from the start in ref-walk
  kWalkRcu,          // walks (any operation) that completed in RCU mode
  kWalkRef,          // walks that completed in ref-walk mode
  kDcacheHit,        // path components the dentry cache answered
  kDcacheMiss,       // path components not in the dcache (the filesystem is asked,
                     // unless its dcache is complete: then the miss is the answer)
  kCount
};

struct Counters {
  std::array<uint64_t, static_cast<size_t>(Counter::kCount)> counter{};
  std::array<uint64_t, static_cast<size_t>(Echild::kCount)> echild{};

  uint64_t get(Counter c) const { return counter[static_cast<size_t>(c)]; }
  uint64_t get(Echild e) const { return echild[static_cast<size_t>(e)]; }
  Counters& operator+=(const Counters& o);
  Counters operator-(const Counters& o) const;

  // Stable key names, e.g. "stat_speculative", "echild_dentry_seq".
  static std::string_view name(Counter c);
  static std::string_view name(Echild e);
};

}  // namespace rcuvfs
