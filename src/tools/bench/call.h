// The read-only calls `--call` measures at the end of the deep path, made on one
// target by rcuvfs (RcuvfsCall) and by the kernel on the host tree (KernelCall).
// The targets carry what the calls read: the attribute kBenchXattr and, beside each,
// a symlink named with kBenchLinkSuffix (fixture.h).
#pragma once

#include "tools/bench/options.h"

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/task.h>

#include <string>
#include <utility>

namespace rcuvfs::tools::bench {

// The call's speculative and fallback counters (fstat's are stat's).
std::pair<Counter, Counter> call_counters(Call c);

// One call of `call` on `file` (an absolute path in the task's namespace) per
// operator(), true when it succeeded. fstat reads a descriptor of the file this opens
// (O_PATH), and closes when it goes.
class RcuvfsCall {
 public:
  RcuvfsCall(Task& task, Call call, std::string file);
  ~RcuvfsCall();
  RcuvfsCall(const RcuvfsCall&) = delete;
  RcuvfsCall& operator=(const RcuvfsCall&) = delete;
  bool operator()();

 private:
  Task& task_;
  const Call call_;
  const std::string file_, link_;
  int fd_ = -1;
  char buf_[256];
};

// The kernel's own call: `rel` relative to the host tree's root descriptor `root_fd`.
// Linux has no statfs relative to a descriptor: it goes through /proc/self/fd/N of the
// root, one more lookup than rcuvfs walks; its *xattrat calls take the root's
// descriptor as rcuvfs's take the path.
class KernelCall {
 public:
  KernelCall(int root_fd, Call call, std::string rel);
  ~KernelCall();
  KernelCall(const KernelCall&) = delete;
  KernelCall& operator=(const KernelCall&) = delete;
  bool operator()();

 private:
  const int root_fd_;
  const Call call_;
  const std::string rel_, link_, via_proc_;
  int fd_ = -1;
  char buf_[256];
};

}  // namespace rcuvfs::tools::bench
