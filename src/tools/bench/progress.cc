#include "tools/bench/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace rcuvfs::tools::bench {

Progress::Progress(size_t total) : total_(total), tty_(isatty(STDERR_FILENO)) {}

void Progress::start(const Cell& cell) {
  ++done_;
  std::string writer =
      cell.writer_rate > 0 ? " writer=" + std::to_string(static_cast<long>(cell.writer_rate)) + "/s"
                           : "";
  // "\033[K" clears what a longer previous line left behind.
  std::fprintf(stderr, "%s[%zu/%zu] %s %s t=%d%s ...%s", tty_ ? "\r\033[K" : "", done_, total_,
               std::string(mode_name(cell.mode)).c_str(),
               std::string(workload_name(cell.workload)).c_str(), cell.threads, writer.c_str(),
               tty_ ? "" : "\n");
  std::fflush(stderr);
}

void Progress::finish() {
  if (tty_) std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace rcuvfs::tools::bench
