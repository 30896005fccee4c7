#include "tools/bench/writer.h"

#include "tools/bench/tree_shape.h"

#include <sys/prctl.h>

namespace rcuvfs::tools::bench {

using Clock = std::chrono::steady_clock;

RenameWriter::RenameWriter(Vfs& vfs, const std::vector<std::string>& dirs, double rate)
    : task_(vfs.new_task()), rate_(rate) {
  for (const std::string& d : dirs)
    slots_.push_back({d + "/" + kWriterNameA, d + "/" + kWriterNameB});
  thread_ = std::thread([this] { run(); });
}

RenameWriter::~RenameWriter() { stop(); }

void RenameWriter::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard g(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  for (Slot& s : slots_)
    if (s.at_b) toggle(s);
}

double RenameWriter::achieved_rate() const {
  return elapsed_.count() > 0 ? static_cast<double>(done_) / elapsed_.count() : 0;
}

void RenameWriter::toggle(Slot& s) {
  Status st = task_->renameat2(AT_FDCWD, s.at_b ? s.b : s.a, AT_FDCWD, s.at_b ? s.a : s.b, 0);
  if (!st.ok()) {
    ++failures_;
    return;
  }
  s.at_b = !s.at_b;
  ++done_;
}

// Sleep-based pacing: rename n is due at start + n/rate. A sleep that wakes late is
// made up by the next renames running back to back, so the average rate holds even
// though one wake-up is as coarse as a whole period at 10^4/s.
void RenameWriter::run() {
  // The default timer slack (50 us) would add half a period to every sleep at 10^4/s.
  prctl(PR_SET_TIMERSLACK, 1UL);
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / rate_));
  const Clock::time_point start = Clock::now();
  Clock::time_point due = start;
  size_t next = 0;
  // mu_ is held while renaming too: stop() just waits one rename longer.
  std::unique_lock lk(mu_);
  while (!cv_.wait_until(lk, due, [this] { return stopping_; })) {
    toggle(slots_[next]);
    next = (next + 1) % slots_.size();
    due += period;
  }
  elapsed_ = Clock::now() - start;
}

}  // namespace rcuvfs::tools::bench
