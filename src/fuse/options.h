// What `rcuvfs mount` was asked to do (parsed by tools/mount_cmd.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rcuvfs::fuse {

struct MountOptions {
  std::string mountpoint;
  std::string fs = "memfs";            // TYPE or TYPE:ARG of the namespace's root
  bool foreground = false;             // -f: do not daemonize
  bool single_thread = false;          // -s: one request at a time
  bool debug = false;                  // -d: libfuse's request trace (implies -f)
  std::vector<std::string> fuse_opts;  // -o: passed to libfuse and the kernel
  // Seconds the kernel may cache a name -> node binding and a node's attributes.
  // 1 s (libfuse's own default) keeps external views fresh: every change goes
  // through this mount, so the kernel's cache is exact except for what rcuvfs does
  // by itself (atime on read, ctime on link count changes).
  double entry_timeout = 1.0;
  double attr_timeout = 1.0;
  // Print the node and descriptor accounting at exit (nodes still known, forgets
  // received, handles and descriptors left open): what the end-to-end test checks.
  bool exit_report = false;
  uint64_t cache = 0;  // the namespace's dentry cache budget in bytes; 0: the default
};

}  // namespace rcuvfs::fuse
