#include "tools/torture/reader.h"

#include <rcuvfs/diagnostics.h>

#include <fcntl.h>
#include <unistd.h>

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

// The call of a read of path `p` (r: 5 random bits).
Call pick_call(const CallMix& mix, const PathSpec& p, uint32_t r) {
  if (p.parent >= 0 || !(p.flags & AT_SYMLINK_NOFOLLOW)) return Call::kStat;
  const std::pair<uint8_t, Call> kinds[] = {{mix.access, Call::kAccess},
                                            {mix.getxattr, Call::kGetxattr},
                                            {mix.listxattr, Call::kListxattr},
                                            {mix.readlink, Call::kReadlink},
                                            {mix.fstat, Call::kFstat}};
  for (const auto& [share, call] : kinds) {
    if (r < share) return call == Call::kFstat && !p.fixed ? Call::kStat : call;
    r -= share;
  }
  return Call::kStat;
}

void record_stat(Observation& o, const Statx& st) {
  o.key = object_key(st.stx_dev_major, st.stx_dev_minor, st.stx_ino);
  o.mode = st.stx_mode;
  o.uid = st.stx_uid;
  o.gid = st.stx_gid;
  o.size = st.stx_size;
  o.rdev_major = st.stx_rdev_major;
  o.rdev_minor = st.stx_rdev_minor;
}

}  // namespace

CallMix call_mix(std::string_view inject) {
  CallMix mix;
  if (inject == "access-skip-validation") {
    mix.access = 28;
    mix.focus = CallMix::Focus::kExchange;
  }
  if (inject == "readlink-skip-validation") {
    mix.readlink = 24;
    mix.focus = CallMix::Focus::kExchange;
  }
  if (inject == "xattr-skip-validation") {
    mix.getxattr = mix.listxattr = 14;
    mix.focus = CallMix::Focus::kExchange;
  }
  return mix;
}

void read_paths(Task& task, const World& world, const CallMix& mix, size_t focus,
                const std::atomic<bool>& stop, std::mt19937& rng, std::vector<Observation>& out,
                size_t cap) {
  const auto n = static_cast<uint32_t>(world.paths.size());
  const std::vector<uint32_t>& mine = world.picks.at(focus);
  const auto hot = static_cast<uint32_t>(mine.size());
  // The clock is shared with the writers, but readers only load it: no shared writes.
  const std::atomic<uint64_t>& clock = world.clock;
  // Per path, the last stat this reader saw succeed there (an index into `out`).
  std::vector<size_t> last_stat(n, SIZE_MAX);
  // Per fixed path, the reader's O_PATH descriptor of its object (opened on first use).
  std::vector<int> fds(n, -1);
  const Cred root = task.cred();  // the stats' ids, the task's own (given back at the end)
  Cred ids = root;
  // Brackets a call with the clock and sees whether `c` (the call's speculative
  // counter) moved in this thread.
  auto timed = [&](Observation& o, Counter c, auto&& call) {
    const uint64_t spec = diag::thread_counter(c);
    o.before = clock.load(std::memory_order_acquire);
    auto result = call();
    o.after = clock.load(std::memory_order_acquire);
    o.speculative = diag::thread_counter(c) != spec;
    return result;
  };
  while (!stop.load(std::memory_order_relaxed) && out.size() < cap) {
    const uint32_t r = rng();
    const uint32_t id = (hot && (r & 3)) ? mine[(r >> 2) % hot] : (r >> 2) % n;
    const PathSpec& p = world.paths[id];
    Observation o{};
    o.path = id;
    // The checker knows the attributes of exactly the object a path names itself.
    const uint32_t r2 = rng();
    o.call = pick_call(mix, p, r2 & 31);
    if (o.call == Call::kAccess) {
      const AccessPlan plan =
          plan_access(r2 >> 5, last_stat[id] == SIZE_MAX ? nullptr : &out[last_stat[id]]);
      if (plan.uid != ids.uid || plan.gid != ids.gid) {
        ids.uid = plan.uid;
        ids.gid = plan.gid;
        task.set_cred(ids);
      }
      o.access_mode = plan.mode;
      o.uid = ids.uid;
      o.gid = ids.gid;
      const Status st = timed(o, Counter::kAccessSpeculative, [&] {
        return task.faccessat2(AT_FDCWD, p.text, o.access_mode, AT_SYMLINK_NOFOLLOW);
      });
      o.err = st.ok() ? 0 : st.error();
      out.push_back(o);
      continue;
    }
    if (ids.uid != root.uid || ids.gid != root.gid) {
      ids = root;
      task.set_cred(ids);
    }
    switch (o.call) {
      case Call::kGetxattr:
      case Call::kListxattr: {
        const bool get = o.call == Call::kGetxattr;
        char buf[256];
        const auto got =
            timed(o, get ? Counter::kGetxattrSpeculative : Counter::kListxattrSpeculative, [&] {
              return get ? task.lgetxattr(p.text, "user.v", buf, sizeof buf)
                         : task.llistxattr(p.text, buf, sizeof buf);
            });
        o.err = got.ok() ? 0 : got.error();
        if (got.ok() && get) o.size = xattr_version(std::string_view(buf, *got));
        if (got.ok() && !get)
          for_each_xattr_name(buf, *got, [&](std::string_view name) {
            o.mode |= name == "user.v" ? kListedV : name == "user.x" ? kListedX : kListedOther;
          });
        break;
      }
      case Call::kReadlink: {
        const auto body = timed(o, Counter::kReadlinkSpeculative,
                                [&] { return task.readlinkat(AT_FDCWD, p.text); });
        o.err = body.ok() ? 0 : body.error();
        if (body.ok()) o.size = body_hash(*body);
        break;
      }
      default: {
        if (o.call == Call::kFstat && fds[id] < 0) {
          auto fd = task.openat(AT_FDCWD, p.text, O_PATH | O_NOFOLLOW);
          if (!fd.ok()) o.call = Call::kStat;  // (the checker judges the path's stat)
          else fds[id] = *fd;
        }
        const auto st = timed(o, Counter::kStatSpeculative, [&] {
          return o.call == Call::kFstat ? task.fstat(fds[id])
                                        : task.statx(AT_FDCWD, p.text, p.flags);
        });
        if (st.ok()) {
          record_stat(o, *st);
          last_stat[id] = out.size();
        } else {
          o.err = st.error();
        }
      }
    }
    out.push_back(o);
  }
  if (ids.uid != root.uid || ids.gid != root.gid) task.set_cred(root);
  for (int fd : fds)
    if (fd >= 0) (void)task.close(fd);
}

}  // namespace rcuvfs::torture
