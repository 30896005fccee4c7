// Slots: a few names in two directories, each empty or holding an object of any type
// (file, fifo, character device with its own rdev, symlink, directory), changed by
// create, unlink, unlink-and-recreate-as-another-type (on recyclefs the freed inode
// object is handed straight to the new file), rename within and across directories,
// RENAME_EXCHANGE, and chmod/chown/truncate that write one version number into the
// mode bits, uid, gid and size (so a stat mixing two versions matches neither).
//
// Readers also stat "slot/x": never created, so only ENOENT or ENOTDIR, and which of
// the two depends on what the slot held.
#include "tools/torture/domain.h"

#include <sys/stat.h>

namespace rcuvfs::torture {
namespace {

constexpr int kDirs = 2;
constexpr int kSlots = 6;

class SlotDomain : public Domain {
 public:
  SlotDomain(World& w, uint32_t index, uint32_t seed, std::string root)
      : Domain(w, index, seed), root_(std::move(root)) {}

  void setup() override {
    must(task_->mkdirat(AT_FDCWD, root_, 0755), "mkdir " + root_);
    for (int d = 0; d < kDirs; ++d)
      must(task_->mkdirat(AT_FDCWD, root_ + "/d" + std::to_string(d), 0777), "mkdir");
    for (int i = 0; i < kDirs * kSlots; ++i) {
      slots_[i].text = root_ + "/d" + std::to_string(i / kSlots) + "/s" +
                       std::to_string(i % kSlots);
      slots_[i].path = watch(slots_[i].text, AT_SYMLINK_NOFOLLOW);
      watch(slots_[i].text + "/x", AT_SYMLINK_NOFOLLOW, static_cast<int>(slots_[i].path));
    }
  }

  void step() override {
    ++stats_.ops;
    const int a = static_cast<int>(rng_() % (kDirs * kSlots));
    const int b = static_cast<int>(rng_() % (kDirs * kSlots));
    const unsigned op = rng_() % 100;
    if (!slots_[a].used) return fill(a, random_type());
    if (op < 12) return remove(a);
    if (op < 24) return recreate(a);
    if (op < 44 && a != b) return rename(a, b);
    if (op < 54 && a != b && slots_[b].used) return exchange(a, b);
    return change_attrs(a);
  }

 private:
  struct Slot {
    std::string text;
    uint32_t path = 0;
    bool used = false;
    Key key = 0;
    Attrs attrs;
  };

  uint32_t random_type() {
    static const uint32_t kTypes[] = {S_IFREG, S_IFIFO, S_IFCHR, S_IFLNK, S_IFDIR};
    return kTypes[rng_() % 5];
  }
  static uint32_t type_of(const Slot& s) { return s.attrs.mode & S_IFMT; }

  void fill(int i, uint32_t type) {
    Slot& s = slots_[i];
    // Every device gets its own rdev, so a stat that mixes two objects shows.
    const uint32_t maj = 1 + rng_() % 200, min = rng_() % 250;
    const bool chr = type == S_IFCHR;
    Seen seen = create(s.text, type, static_cast<int>(s.path), chr ? maj : 0, chr ? min : 0,
                       "target" + std::to_string(rng_() % 1000));
    s.used = true;
    s.key = seen.key;
    s.attrs = seen.attrs;
  }

  void remove(int i) {
    Slot& s = slots_[i];
    const uint64_t b = tick();
    auto st = task_->unlinkat(AT_FDCWD, s.text, type_of(s) == S_IFDIR ? AT_REMOVEDIR : 0);
    const uint64_t e = end();
    must(st, "unlink " + s.text);
    log_.unbind(s.path, s.key, b, e);
    log_.destroyed(s.key, b, e);
    s.used = false;
    ++stats_.unlinks;
  }

  void recreate(int i) {
    const uint32_t old = type_of(slots_[i]);
    remove(i);
    uint32_t type = random_type();
    while (type == old) type = random_type();
    fill(i, type);
    if (world_.fs == "recyclefs") ++stats_.recycled;
  }

  void rename(int from, int to) {
    Slot& s = slots_[from];
    Slot& t = slots_[to];
    if (t.used && ((type_of(s) == S_IFDIR) != (type_of(t) == S_IFDIR))) return;
    const uint64_t b = tick();
    auto st = task_->renameat2(AT_FDCWD, s.text, AT_FDCWD, t.text, 0);
    const uint64_t e = end();
    must(st, "rename " + s.text + " " + t.text);
    if (t.used) {
      log_.unbind(t.path, t.key, b, e);
      log_.destroyed(t.key, b, e);
    }
    log_.unbind(s.path, s.key, b, e);
    log_.bind(t.path, s.key, b, e);
    t.used = true;
    t.key = s.key;
    t.attrs = s.attrs;
    s.used = false;
    ++stats_.renames;
  }

  void exchange(int x, int y) {
    Slot& s = slots_[x];
    Slot& t = slots_[y];
    const uint64_t b = tick();
    auto st = task_->renameat2(AT_FDCWD, s.text, AT_FDCWD, t.text, RENAME_EXCHANGE);
    const uint64_t e = end();
    must(st, "exchange " + s.text + " " + t.text);
    log_.unbind(s.path, s.key, b, e);
    log_.unbind(t.path, t.key, b, e);
    log_.bind(s.path, t.key, b, e);
    log_.bind(t.path, s.key, b, e);
    std::swap(s.key, t.key);
    std::swap(s.attrs, t.attrs);
    ++stats_.renames;
  }

  void change_attrs(int i) {
    Slot& s = slots_[i];
    const uint32_t v = ++version_;
    const uint32_t type = type_of(s);
    Attrs next = s.attrs;
    const unsigned which = rng_() % 3;
    uint64_t b = 0, e = 0;
    Status st;
    if (which == 0 && type != S_IFLNK) {
      // chmod: setuid on non-directories, so that the next chown clears it: one
      // chown then changes mode, uid and gid together.
      const uint32_t perms = (v & 0777) | (type == S_IFDIR ? 0700 : S_ISUID);
      next.mode = type | perms;
      b = tick();
      st = task_->fchmodat(AT_FDCWD, s.text, perms, 0);
      e = end();
    } else if (which == 1 && type == S_IFREG) {
      next.size = v & 0xffff;
      b = tick();
      st = task_->truncate(s.text, static_cast<off_t>(next.size));
      e = end();
    } else {
      next.uid = v;
      next.gid = v + kGidOffset;
      if (type != S_IFDIR) next.mode &= ~S_ISUID;
      b = tick();
      st = task_->fchownat(AT_FDCWD, s.text, next.uid, next.gid, AT_SYMLINK_NOFOLLOW);
      e = end();
    }
    must(st, "change attributes of " + s.text);
    log_.attrs(s.key, next, b, e);
    s.attrs = next;
  }

  std::string root_;
  Slot slots_[kDirs * kSlots];
  uint32_t version_ = 0;
};

}  // namespace

std::unique_ptr<Domain> make_slot_domain(World& w, uint32_t index, uint32_t seed,
                                         std::string root) {
  return std::make_unique<SlotDomain>(w, index, seed, std::move(root));
}

}  // namespace rcuvfs::torture
