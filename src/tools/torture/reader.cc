#include "tools/torture/reader.h"

#include <rcuvfs/diagnostics.h>

#include <unistd.h>

#include <cstring>
#include <string_view>

namespace rcuvfs::torture {
namespace {

// The ids and mode of the reader's next access of a path, from the attribute version
// it saw there last (writers encode a version number into uid and gid): mostly its
// owner, asking for a bit the owner lacks and others have, so that the owner's version
// denies what another version (or another object) would allow; or the ids of the
// version after it; sometimes root. (A denial is validated like any error of a walk;
// what a check that skipped its validation can get wrong is an allowance.)
struct AccessPlan {
  uint32_t uid, gid;
  uint8_t mode;
};
AccessPlan plan_access(uint32_t r, const Observation* last) {
  static constexpr uint8_t kModes[] = {F_OK, R_OK, W_OK, X_OK, R_OK | W_OK, R_OK | X_OK,
                                       R_OK | W_OK | X_OK};
  AccessPlan p{1000, 1000, kModes[(r >> 8) % std::size(kModes)]};
  if (!last) return p;
  switch (r % 8) {
    case 0: return {0, 0, p.mode};
    case 1: return {last->uid + 1, last->gid + 1, p.mode};
    case 2: return {1000, last->gid, p.mode};
    default: {
      const uint32_t owner = (last->mode >> 6) & 7, others = ((last->mode >> 3) | last->mode) & 7;
      const uint32_t lacking = others & ~owner;
      if (last->uid == 0 || !lacking) return {last->uid, last->gid, p.mode};
      const uint32_t bit = (lacking & R_OK) ? R_OK : (lacking & W_OK) ? W_OK : X_OK;
      return {last->uid, last->gid + 1, static_cast<uint8_t>(bit)};
    }
  }
}

}  // namespace

void read_paths(Task& task, const World& world, size_t focus, const std::atomic<bool>& stop,
                std::mt19937& rng, std::vector<Observation>& out, size_t cap) {
  const auto n = static_cast<uint32_t>(world.paths.size());
  const std::vector<uint32_t>& mine = world.picks.at(focus);
  const auto hot = static_cast<uint32_t>(mine.size());
  // The clock is shared with the writers, but readers only load it: no shared writes.
  const std::atomic<uint64_t>& clock = world.clock;
  // Per path, the last stat this reader saw succeed there (an index into `out`).
  std::vector<size_t> last_stat(n, SIZE_MAX);
  const Cred root = task.cred();  // the stats' ids, the task's own (given back at the end)
  Cred ids = root;
  while (!stop.load(std::memory_order_relaxed) && out.size() < cap) {
    const uint32_t r = rng();
    const uint32_t id = (hot && (r & 3)) ? mine[(r >> 2) % hot] : (r >> 2) % n;
    const PathSpec& p = world.paths[id];
    Observation o{};
    o.path = id;
    // Of the reads of a path that names its object itself (not followed, not a child),
    // one in four is an access, one in 32 each a getxattr, a listxattr and a readlink:
    // the checker knows the attributes of exactly that object. (Most stay stats: the
    // races that catch a stat's missing validation need many of them, and on hostfs
    // each xattr read is a host system call.)
    const uint32_t r2 = rng();
    const bool names_itself = p.parent < 0 && (p.flags & AT_SYMLINK_NOFOLLOW);
    const uint32_t kind = names_itself ? r2 & 31 : 31;
    if (kind < 8) {
      const AccessPlan plan =
          plan_access(r2 >> 5, last_stat[id] == SIZE_MAX ? nullptr : &out[last_stat[id]]);
      if (plan.uid != ids.uid || plan.gid != ids.gid) {
        ids.uid = plan.uid;
        ids.gid = plan.gid;
        task.set_cred(ids);
      }
      o.call = Call::kAccess;
      o.access_mode = plan.mode;
      o.uid = ids.uid;
      o.gid = ids.gid;
      const uint64_t spec = diag::thread_counter(Counter::kAccessSpeculative);
      o.before = clock.load(std::memory_order_acquire);
      const Status st = task.faccessat2(AT_FDCWD, p.text, o.access_mode, AT_SYMLINK_NOFOLLOW);
      o.after = clock.load(std::memory_order_acquire);
      o.speculative = diag::thread_counter(Counter::kAccessSpeculative) != spec;
      o.err = st.ok() ? 0 : st.error();
      out.push_back(o);
      continue;
    }
    if (ids.uid != root.uid || ids.gid != root.gid) {
      ids = root;
      task.set_cred(ids);
    }
    if (kind == 8 || kind == 9) {
      const bool get = kind == 8;
      o.call = get ? Call::kGetxattr : Call::kListxattr;
      const Counter c = get ? Counter::kGetxattrSpeculative : Counter::kListxattrSpeculative;
      char buf[256];
      const uint64_t spec = diag::thread_counter(c);
      o.before = clock.load(std::memory_order_acquire);
      auto n = get ? task.lgetxattr(p.text, "user.v", buf, sizeof buf)
                   : task.llistxattr(p.text, buf, sizeof buf);
      o.after = clock.load(std::memory_order_acquire);
      o.speculative = diag::thread_counter(c) != spec;
      o.err = n.ok() ? 0 : n.error();
      if (n.ok() && get) o.size = xattr_version(std::string_view(buf, *n));
      for (size_t i = 0; n.ok() && !get && i < *n; i += std::strlen(buf + i) + 1) {
        const std::string_view name(buf + i);
        o.mode |= name == "user.v" ? kListedV : name == "user.x" ? kListedX : kListedOther;
      }
      out.push_back(o);
      continue;
    }
    if (kind == 10) {
      o.call = Call::kReadlink;
      const uint64_t spec = diag::thread_counter(Counter::kReadlinkSpeculative);
      o.before = clock.load(std::memory_order_acquire);
      auto body = task.readlinkat(AT_FDCWD, p.text);
      o.after = clock.load(std::memory_order_acquire);
      o.speculative = diag::thread_counter(Counter::kReadlinkSpeculative) != spec;
      o.err = body.ok() ? 0 : body.error();
      if (body.ok()) o.size = body_hash(*body);
      out.push_back(o);
      continue;
    }
    o.call = Call::kStat;
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
      last_stat[id] = out.size();
    } else {
      o.err = st.error();
    }
    out.push_back(o);
  }
  if (ids.uid != root.uid || ids.gid != root.gid) task.set_cred(root);
}

}  // namespace rcuvfs::torture
