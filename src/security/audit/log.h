// The audit log sink: formats nothing, writes whole lines.
//
// `lock` serialises writers so that lines never interleave, even on a pipe or a
// terminal where a large write(2) may be split; `fd` is fixed at construction.
#pragma once

#include <rcuvfs/fs/mutex.h>

#include <mutex>
#include <string_view>

namespace rcuvfs::audit {

class LogSink {
 public:
  LogSink(int fd, bool own) : fd_(fd), own_(own) {}
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // Writes `line` (ending in '\n') completely, retrying on EINTR and short writes.
  // A write error is counted, not reported: auditing must not change the outcome.
  void write_line(std::string_view line);
  unsigned long errors() {
    MutexLock g(lock_);
    return errors_;
  }

 private:
  const int fd_;
  const bool own_;
  mutable Mutex lock_;
  unsigned long errors_ RCUVFS_GUARDED_BY(lock_) = 0;
};

// `s` as the audit line shows a path: bare when it is plain, else quoted.
void append_quoted(std::string& out, std::string_view s);

}  // namespace rcuvfs::audit
