#include "tools/torture/reader.h"

#include <rcuvfs/diagnostics.h>

namespace rcuvfs::torture {

void read_paths(Task& task, const World& world, size_t focus, const std::atomic<bool>& stop,
                std::mt19937& rng, std::vector<Observation>& out, size_t cap) {
  const auto n = static_cast<uint32_t>(world.paths.size());
  const std::vector<uint32_t>& mine = world.picks.at(focus);
  const auto hot = static_cast<uint32_t>(mine.size());
  // The clock is shared with the writers, but readers only load it: no shared writes.
  const std::atomic<uint64_t>& clock = world.clock;
  while (!stop.load(std::memory_order_relaxed) && out.size() < cap) {
    const uint32_t r = rng();
    const uint32_t id = (hot && (r & 3)) ? mine[(r >> 2) % hot] : (r >> 2) % n;
    const PathSpec& p = world.paths[id];
    Observation o{};
    o.path = id;
    const uint64_t spec = diag::thread_counter(Counter::kStatSpeculative);
    o.before = clock.load(std::memory_order_acquire);
    auto st = task.statx(AT_FDCWD, p.text, p.flags);
    o.after = clock.load(std::memory_order_acquire);
    o.speculative = diag::thread_counter(Counter::kStatSpeculative) != spec;
    if (st.ok()) {
      o.key = object_key(st->stx_dev_major, st->stx_dev_minor, st->stx_ino);
      o.mode = st->stx_mode;
      o.uid = st->stx_uid;
      o.gid = st->stx_gid;
      o.size = st->stx_size;
      o.rdev_major = st->stx_rdev_major;
      o.rdev_minor = st->stx_rdev_minor;
    } else {
      o.err = st.error();
    }
    out.push_back(o);
  }
}

}  // namespace rcuvfs::torture
