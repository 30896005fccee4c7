// The concurrent writer of a cell: one thread renaming x_a <-> x_b inside the walked
// directories at a steady rate, so that stats race real namespace updates (dentry
// seqs, hash chains, rename_seq, directory times) while the walked path itself
// always exists.
#pragma once

#include <rcuvfs/vfs.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rcuvfs::tools::bench {

class RenameWriter {
 public:
  // Starts renaming at once, round-robin over the x_a entries of `dirs` (paths
  // relative to the root), `rate` renames per second.
  RenameWriter(Vfs& vfs, const std::vector<std::string>& dirs, double rate);
  ~RenameWriter();
  RenameWriter(const RenameWriter&) = delete;
  RenameWriter& operator=(const RenameWriter&) = delete;

  // Stops the thread and renames every entry back to x_a, so each cell starts from
  // the same tree. Idempotent.
  void stop();

  // After stop(): renames per second actually done, and renames that failed.
  double achieved_rate() const;
  uint64_t failures() const { return failures_; }

 private:
  struct Slot {
    std::string a, b;
    bool at_b = false;
  };
  void run();
  void toggle(Slot& s);

  std::unique_ptr<Task> task_;
  std::vector<Slot> slots_;
  double rate_;
  std::mutex mu_;               // with cv_: only to cut a sleep short
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  uint64_t done_ = 0;
  uint64_t failures_ = 0;
  std::chrono::duration<double> elapsed_{};
  std::thread thread_;
};

}  // namespace rcuvfs::tools::bench
