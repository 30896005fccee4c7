// Changes made on the host, behind rcuvfs's back (hostfs only): the writer creates,
// renames over, unlinks and chmods files of its host directory with plain system
// calls, and waits until its own rcuvfs task sees each change before it ends the
// change's window. So the checker holds readers to this rule: a stat that starts after
// a host change was seen through rcuvfs by one task shows it too. How long the watch
// took to bring each change through (the writer's wait) is reported (lag).
// A change not seen within kMaxWait ends its window anyway: readers that still see the
// old state afterwards are violations (the injected bug drop-watch-events shows it).
#include "tools/torture/domain.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rcuvfs::torture {
namespace {

class HostDomain : public Domain {
 public:
  HostDomain(World& w, uint32_t index, uint32_t seed, std::string root)
      : Domain(w, index, seed), root_(std::move(root)), host_(w.host_root + root_) {}

  void setup() override {
    must(task_->mkdirat(AT_FDCWD, root_, 0755), "mkdir " + root_);
    auto dir = task_->statx(AT_FDCWD, root_, 0);
    if (!dir.ok()) throw WriterError("stat " + root_);
    dev_major_ = dir->stx_dev_major;
    dev_minor_ = dir->stx_dev_minor;
    for (int i = 0; i < 2; ++i) path_[i] = watch(name(i), AT_SYMLINK_NOFOLLOW, -1, /*hot=*/2);
  }

  void step() override {
    ++stats_.ops;
    switch (rng_() % 4) {
      case 0:  // create a (or b) on the host
        for (int i = 0; i < 2; ++i)
          if (!key_[i]) return create_on_host(i);
        return;
      case 1:  // rename a over b
        if (key_[0]) return rename_on_host();
        return;
      case 2:  // unlink one
        for (int i = 1; i >= 0; --i)
          if (key_[i]) return unlink_on_host(i);
        return;
      default:  // chmod one
        for (int i = 0; i < 2; ++i)
          if (key_[i]) return chmod_on_host(i);
        return;
    }
  }

 private:
  std::string name(int i) const { return root_ + (i ? "/b" : "/a"); }
  std::string host(int i) const { return host_ + (i ? "/b" : "/a"); }

  bool absent(int i) {
    return task_->statx(AT_FDCWD, name(i), AT_SYMLINK_NOFOLLOW).error() == ENOENT;
  }
  Result<Statx> st(int i) { return task_->statx(AT_FDCWD, name(i), AT_SYMLINK_NOFOLLOW); }

  void create_on_host(int i) {
    const uint64_t b = tick();
    const int fd = ::open(host(i).c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) throw WriterError("host create " + host(i));
    // The object as the host has it (hostfs shows the host's inode number and
    // attributes): the writer knows it even when rcuvfs never shows it.
    struct stat hs;
    const int r = ::fstat(fd, &hs);
    ::close(fd);
    if (r != 0) throw WriterError("host stat " + host(i));
    wait_visible([&] { return st(i).ok(); });
    const uint64_t e = end();
    const Key key = object_key(dev_major_, dev_minor_, hs.st_ino);
    Attrs a;
    a.mode = hs.st_mode;
    a.uid = hs.st_uid;
    a.gid = hs.st_gid;
    a.size = static_cast<uint64_t>(hs.st_size);
    a.size_known = true;
    log_.created(key, a, 0, 0, b, e);
    log_.bind(path_[i], key, b, e);
    key_[i] = key;
    attrs_[i] = a;
  }

  void rename_on_host() {
    ++stats_.renames;
    const uint64_t b = tick();
    if (::rename(host(0).c_str(), host(1).c_str()) != 0) throw WriterError("host rename");
    const Key moved = key_[0];
    wait_visible([&] {
      auto s = st(1);
      return absent(0) && s.ok() && object_key(s->stx_dev_major, s->stx_dev_minor, s->stx_ino) == moved;
    });
    const uint64_t e = end();
    log_.unbind(path_[0], moved, b, e);
    if (key_[1]) {
      log_.unbind(path_[1], key_[1], b, e);
      log_.destroyed(key_[1], b, e);
    }
    log_.bind(path_[1], moved, b, e);
    key_[1] = moved;
    attrs_[1] = attrs_[0];
    key_[0] = 0;
  }

  void unlink_on_host(int i) {
    ++stats_.unlinks;
    const uint64_t b = tick();
    if (::unlink(host(i).c_str()) != 0) throw WriterError("host unlink " + host(i));
    wait_visible([&] { return absent(i); });
    const uint64_t e = end();
    log_.unbind(path_[i], key_[i], b, e);
    log_.destroyed(key_[i], b, e);
    key_[i] = 0;
  }

  void chmod_on_host(int i) {
    Attrs next = attrs_[i];
    next.mode = S_IFREG | (0400 | (++version_ & 0377));
    const uint64_t b = tick();
    if (::chmod(host(i).c_str(), next.mode & 07777) != 0) throw WriterError("host chmod");
    wait_visible([&] {
      auto s = st(i);
      return s.ok() && s->stx_mode == next.mode;
    });
    const uint64_t e = end();
    log_.attrs(key_[i], next, b, e);
    attrs_[i] = next;
  }

  std::string root_, host_;
  uint32_t dev_major_ = 0, dev_minor_ = 0;  // hostfs's device number
  uint32_t path_[2] = {0, 0};
  Key key_[2] = {0, 0};
  Attrs attrs_[2];
  uint32_t version_ = 0;
};

}  // namespace

std::unique_ptr<Domain> make_host_domain(World& w, uint32_t index, uint32_t seed,
                                         std::string root) {
  return std::make_unique<HostDomain>(w, index, seed, std::move(root));
}

}  // namespace rcuvfs::torture
