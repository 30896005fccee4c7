#include "tools/bench/call.h"

#include "tools/bench/fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace rcuvfs::tools::bench {

std::pair<Counter, Counter> call_counters(Call c) {
  switch (c) {
    case Call::kAccess: return {Counter::kAccessSpeculative, Counter::kAccessFallback};
    case Call::kStatfs: return {Counter::kStatfsSpeculative, Counter::kStatfsFallback};
    case Call::kGetxattr: return {Counter::kGetxattrSpeculative, Counter::kGetxattrFallback};
    case Call::kListxattr: return {Counter::kListxattrSpeculative, Counter::kListxattrFallback};
    case Call::kReadlink: return {Counter::kReadlinkSpeculative, Counter::kReadlinkFallback};
    case Call::kStat:
    case Call::kFstat: break;
  }
  return {Counter::kStatSpeculative, Counter::kStatFallback};
}

RcuvfsCall::RcuvfsCall(Task& task, Call call, std::string file)
    : task_(task), call_(call), file_(std::move(file)), link_(file_ + kBenchLinkSuffix) {
  if (call_ == Call::kFstat)
    if (auto fd = task_.openat(AT_FDCWD, file_, O_PATH); fd.ok()) fd_ = *fd;
}

RcuvfsCall::~RcuvfsCall() {
  if (fd_ >= 0) (void)task_.close(fd_);
}

bool RcuvfsCall::operator()() {
  switch (call_) {
    case Call::kStat: return task_.statx(AT_FDCWD, file_, 0, STATX_BASIC_STATS).ok();
    case Call::kFstat: return task_.statx(fd_, "", AT_EMPTY_PATH, STATX_BASIC_STATS).ok();
    case Call::kAccess: return task_.faccessat2(AT_FDCWD, file_, R_OK).ok();
    case Call::kStatfs: return task_.statfs(file_).ok();
    case Call::kGetxattr: return task_.getxattr(file_, kBenchXattr, buf_, sizeof buf_).ok();
    case Call::kListxattr: return task_.listxattr(file_, buf_, sizeof buf_).ok();
    case Call::kReadlink: return task_.readlinkat(AT_FDCWD, link_).ok();
  }
  return false;
}

KernelCall::KernelCall(int root_fd, Call call, std::string rel)
    : root_fd_(root_fd),
      call_(call),
      rel_(std::move(rel)),
      link_(rel_ + kBenchLinkSuffix),
      via_proc_("/proc/self/fd/" + std::to_string(root_fd) + "/" + rel_) {
  if (call_ == Call::kFstat) fd_ = ::openat(root_fd_, rel_.c_str(), O_PATH);
}

KernelCall::~KernelCall() {
  if (fd_ >= 0) ::close(fd_);
}

bool KernelCall::operator()() {
  struct statx stx;
  switch (call_) {
    case Call::kStat:
      return ::statx(root_fd_, rel_.c_str(), 0, STATX_BASIC_STATS, &stx) == 0;
    case Call::kFstat: return ::statx(fd_, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0;
    case Call::kAccess: return ::faccessat(root_fd_, rel_.c_str(), R_OK, 0) == 0;
    case Call::kGetxattr: {
      struct {
        uint64_t value;
        uint32_t size, flags;
      } args{reinterpret_cast<uintptr_t>(buf_), sizeof buf_, 0};
      return ::syscall(kSysGetxattrat, root_fd_, rel_.c_str(), 0, kBenchXattr, &args,
                       sizeof args) >= 0;
    }
    case Call::kListxattr:
      return ::syscall(kSysListxattrat, root_fd_, rel_.c_str(), 0, buf_, sizeof buf_) >= 0;
    case Call::kReadlink: return ::readlinkat(root_fd_, link_.c_str(), buf_, sizeof buf_) > 0;
    case Call::kStatfs: {
      struct statfs sf;
      return ::statfs(via_proc_.c_str(), &sf) == 0;
    }
  }
  return false;
}

}  // namespace rcuvfs::tools::bench
