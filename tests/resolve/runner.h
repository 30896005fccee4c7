// Runs the case list against one world (the kernel or rcuvfs) through a tiny
// interface, so both worlds execute exactly the same sequence of calls.
#pragma once

#include "resolve/cases.h"
#include "resolve/outcome.h"

#include <linux/openat2.h>

#include <string>
#include <vector>

namespace rcuvfs::resolve_test {

class World {
 public:
  virtual ~World() = default;
  // The tree root opened O_PATH|O_DIRECTORY (kept open for the whole run).
  virtual int root_fd() = 0;
  // openat(dirfd, path, flags, mode): a descriptor, or -errno.
  virtual int openat(int dirfd, const std::string& path, int flags) = 0;
  // openat2; on success the descriptor's path (seen from the tree root) is read and
  // the descriptor closed.
  virtual Outcome openat2(int dirfd, const std::string& path, const open_how& how) = 0;
  virtual void close(int fd) = 0;
};

struct CaseRun {
  Outcome main;         // the case's own openat2
  bool warmed = false;  // RESOLVE_CACHED lookups: an ordinary lookup ran first
  Outcome warm;         // ... and gave this (O_PATH, same resolve bits minus CACHED)
};

// Every case in order. A RESOLVE_CACHED case that neither creates nor truncates is
// preceded by its uncached O_PATH twin (which warms the dcache and is recorded).
std::vector<CaseRun> run_cases(World& world, const std::vector<ResolveCase>& cases);

}  // namespace rcuvfs::resolve_test
