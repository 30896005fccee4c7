// SeqCount: a sequence counter for lock-free readers (Linux's seqlock_t in C++).
//
// Writers make the counter odd, change the protected fields, and make it even again;
// the odd value doubles as the writers' lock (write_begin waits for an even value and
// claims it with a CAS), so writers need no other lock and the counter's owner can
// nest it inside any other. Readers sample the counter, read the protected fields
// (each one a std::atomic, relaxed), then validate. Readers never spin: an odd sample
// simply fails validation and the caller falls back.
//
// Memory ordering (the C++ form of the kernel's smp_rmb/smp_wmb pairing):
//   reader: s = seq.load(acquire); fields.load(relaxed)...; fence(acquire); seq.load(relaxed) == s
//   writer: CAS(s -> s+1, relaxed); fence(release); fields.store(relaxed)...;
//           seq.store(s+2, release)
#pragma once

#include <rcuvfs/fs/cpu_relax.h>

#include <atomic>
#include <cstdint>

namespace rcuvfs {

class SeqCount {
 public:
  // Sample for a read section. The value may be odd (a writer is inside); such a
  // sample never validates.
  uint32_t begin() const noexcept { return seq_.load(std::memory_order_acquire); }
  // A sample that can validate: waits out a writer inside (writer sections are a
  // handful of stores). For readers that may wait, such as a reference walk.
  uint32_t begin_even() const noexcept {
    for (;;) {
      const uint32_t s = begin();
      if (!(s & 1)) return s;
      cpu_relax();
    }
  }

  // True when every read since begin() returned `s` saw one consistent state.
  bool validate(uint32_t s) const noexcept {
    std::atomic_thread_fence(std::memory_order_acquire);
    return (s & 1) == 0 && seq_.load(std::memory_order_relaxed) == s;
  }

  // Cheaper check for a sample taken earlier whose dependent reads were already
  // ordered by a later acquire load (used to re-check a parent after its child).
  bool unchanged(uint32_t s) const noexcept {
    return (s & 1) == 0 && seq_.load(std::memory_order_acquire) == s;
  }
  // unchanged() for a sample the caller already knows is even.
  bool unchanged_even(uint32_t s) const noexcept {
    return seq_.load(std::memory_order_acquire) == s;
  }

  // Writer side: claims the counter (spins while another writer holds it; writer
  // sections are a handful of stores).
  void write_begin() noexcept {
    uint32_t s = seq_.load(std::memory_order_relaxed);
    for (;;) {
      if (s & 1) {
        cpu_relax();
        s = seq_.load(std::memory_order_relaxed);
        continue;
      }
      // acquire: see what the previous writer wrote before we overwrite it.
      if (seq_.compare_exchange_weak(s, s + 1, std::memory_order_acquire,
                                     std::memory_order_relaxed))
        break;
    }
    std::atomic_thread_fence(std::memory_order_release);
  }
  void write_end() noexcept {
    seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  // A write section with no field changes: invalidates every outstanding sample.
  void invalidate() noexcept {
    write_begin();
    write_end();
  }

  uint32_t raw() const noexcept { return seq_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t> seq_{0};
};

// RAII writer section.
class SeqWrite {
 public:
  explicit SeqWrite(SeqCount& s) : s_(s) { s_.write_begin(); }
  ~SeqWrite() { s_.write_end(); }
  SeqWrite(const SeqWrite&) = delete;
  SeqWrite& operator=(const SeqWrite&) = delete;

 private:
  SeqCount& s_;
};

}  // namespace rcuvfs
