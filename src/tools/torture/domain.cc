#include "tools/torture/domain.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace rcuvfs::torture {

Domain::Domain(World& world, uint32_t index, uint32_t seed, bool local)
    : world_(world),
      index_(index),
      task_((local ? world.vfs : world.writers).new_task()),
      rng_(seed) {
  // The writers' own walks must stay correct while a bug is injected into the
  // speculative path: what they log is the oracle.
  task_->set_walk_mode(Task::WalkMode::kRefOnly);
  task_->umask(0);
  if (!local && &world.writers != &world.vfs) {
    view_ = world.vfs.new_task();
    view_->set_walk_mode(Task::WalkMode::kRefOnly);
    marker_ = "/settle." + std::to_string(index);
    auto w = task_->statx(AT_FDCWD, "/", 0);
    auto r = view_->statx(AT_FDCWD, "/", 0);
    if (w.ok() && r.ok()) {
      writers_dev_ = {w->stx_dev_major, w->stx_dev_minor};
      readers_dev_ = {r->stx_dev_major, r->stx_dev_minor};
    }
  }
}

void Domain::settle() {
  if (!view_) return;
  if (marker_size_++ == 0)
    must(task_->mknodat(AT_FDCWD, marker_, S_IFREG | 0644, 0), "create " + marker_);
  must(task_->truncate(marker_, static_cast<off_t>(marker_size_)), "grow " + marker_);
  // Asked less often than the host's changes: a watch's delay is milliseconds, and the
  // writers' stats count with the readers' in the run's speculative fraction.
  wait_visible(
      [&] {
        auto st = view_->statx(AT_FDCWD, marker_, AT_SYMLINK_NOFOLLOW);
        return st.ok() && st->stx_size == marker_size_;
      },
      std::chrono::microseconds(500));
}

uint32_t Domain::watch(std::string text, int flags, int parent, int hot) {
  const auto id = static_cast<uint32_t>(world_.paths.size());
  PathSpec spec;
  spec.text = std::move(text);
  spec.flags = flags;
  spec.parent = parent;
  spec.owner = index_;
  world_.paths.push_back(std::move(spec));
  if (world_.picks.size() <= index_) world_.picks.resize(index_ + 1);
  for (int i = 0; i <= hot; ++i) world_.picks[index_].push_back(id);
  return id;
}

void Domain::must(const Status& st, const std::string& what) {
  if (!st.ok())
    throw WriterError(what + ": errno " + std::to_string(st.error()));
}

Domain::Seen Domain::look(const std::string& path, bool follow) {
  auto st = task_->statx(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  if (!st.ok()) throw WriterError("stat " + path + ": errno " + std::to_string(st.error()));
  Seen s;
  if (view_ && st->stx_dev_major == writers_dev_.major &&
      st->stx_dev_minor == writers_dev_.minor) {
    st->stx_dev_major = readers_dev_.major;
    st->stx_dev_minor = readers_dev_.minor;
  }
  s.key = object_key(st->stx_dev_major, st->stx_dev_minor, st->stx_ino);
  s.attrs.mode = st->stx_mode;
  s.attrs.uid = st->stx_uid;
  s.attrs.gid = st->stx_gid;
  s.attrs.size = st->stx_size;
  s.attrs.size_known = !S_ISDIR(st->stx_mode);
  s.rdev_major = st->stx_rdev_major;
  s.rdev_minor = st->stx_rdev_minor;
  return s;
}

Domain::Seen Domain::create(const std::string& path, uint32_t type, int bind_to,
                            uint32_t rdev_major, uint32_t rdev_minor,
                            const std::string& link_target) {
  const uint64_t b = tick();
  Status st;
  switch (type) {
    case S_IFDIR: st = task_->mkdirat(AT_FDCWD, path, 0755); break;
    case S_IFLNK: st = task_->symlinkat(link_target, AT_FDCWD, path); break;
    case S_IFCHR:
      st = task_->mknodat(AT_FDCWD, path, S_IFCHR | 0644, makedev(rdev_major, rdev_minor));
      break;
    default: st = task_->mknodat(AT_FDCWD, path, type | 0644, 0); break;
  }
  const uint64_t e = end();
  must(st, "create " + path);
  Seen s = look(path);
  if ((s.attrs.mode & S_IFMT) != type)
    throw WriterError("create " + path + ": made the wrong type");
  log_.created(s.key, s.attrs, s.rdev_major, s.rdev_minor, b, e,
               type == S_IFLNK ? std::string_view(link_target) : std::string_view());
  if (bind_to >= 0) log_.bind(static_cast<uint32_t>(bind_to), s.key, b, e);
  return s;
}

}  // namespace rcuvfs::torture
