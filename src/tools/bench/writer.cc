#include "tools/bench/writer.h"

#include "tools/bench/tree_shape.h"

#include <algorithm>

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
    // Under mu_, so that a writer between its check and its wait cannot miss it.
    std::lock_guard g(mu_);
    stopping_.store(true, std::memory_order_relaxed);
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

// Sleep-based pacing: rename n is due at start + n/rate, and each wake-up does every
// rename that has fallen due, back to back. The average rate holds however late a
// wake-up is. Sleeps last at least kMinSleep: a wake-up costs tens of microseconds
// of CPU in a VM, ten renames' worth, and at 10^4/s one wake per rename would take a
// quarter of a CPU away from the stat threads being measured.
constexpr std::chrono::microseconds kMinSleep{500};

void RenameWriter::run() {
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / rate_));
  const Clock::time_point start = Clock::now();
  Clock::time_point due = start;
  size_t next = 0;
  while (!stopping_.load(std::memory_order_relaxed)) {
    // Block only when ahead of schedule: a wait whose deadline has passed still arms
    // and cancels a kernel timer, which (in a VM) costs more than a rename.
    if (const Clock::time_point now = Clock::now(); now < due) {
      std::unique_lock lk(mu_);
      cv_.wait_until(lk, std::max(due, now + kMinSleep),
                     [this] { return stopping_.load(std::memory_order_relaxed); });
      continue;
    }
    toggle(slots_[next]);
    next = (next + 1) % slots_.size();
    due += period;
  }
  elapsed_ = Clock::now() - start;
}

}  // namespace rcuvfs::tools::bench
