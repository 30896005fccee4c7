// What `rcuvfs mount` was asked to do (parsed by tools/mount_cmd.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rcuvfs::fuse {

inline constexpr double kCoherentTimeout = 86400;
inline constexpr double kDefaultTimeout = 1;

struct MountOptions {
  std::string mountpoint;
  std::string fs = "memfs";            // TYPE or TYPE:ARG of the namespace's root
  bool foreground = false;             // -f: do not daemonize
  bool single_thread = false;          // -s: one request at a time
  bool debug = false;                  // -d: libfuse's request trace (implies -f)
  std::vector<std::string> fuse_opts;  // -o: passed to libfuse and the kernel
  // Seconds the kernel may cache a name -> node binding and a node's attributes;
  // negative: chosen at mount. A namespace that reports every change
  // (Vfs::reports_every_change) gets kCoherentTimeout: the invalidator tells the
  // kernel of each change that did not come through the mount. Any other gets
  // kDefaultTimeout (libfuse's own default), which bounds what the feed cannot see.
  double entry_timeout = -1;
  double attr_timeout = -1;
  // How many changes the invalidator may fall behind by before it drops everything
  // the kernel caches (an overflow of its change stream).
  uint64_t change_queue = 16384;
  // Print the node and descriptor accounting at exit (nodes still known, forgets
  // received, handles and descriptors left open): what the end-to-end test checks.
  bool exit_report = false;
  uint64_t cache = 0;  // the namespace's dentry cache budget in bytes; 0: the default
};

}  // namespace rcuvfs::fuse
