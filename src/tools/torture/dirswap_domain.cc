// Directory exchange: root/p and root/q, each holding files f0..f2, are exchanged with
// RENAME_EXCHANGE, and after every exchange each file of the directory that just left
// p is replaced by a fresh one (made in root/stage, renamed across directories over
// it). Those fresh files only ever live under q until the next exchange, so a walk of
// p/fK that found directory p before an exchange and its child after one (the bug a
// skipped parent re-check allows) returns an object p/fK never held.
//
// Long file names keep the walk between finding the directory and finding the file
// busy hashing and comparing, and the fresh files are made before the exchange, so
// the window a stale walk needs is as short as it can be.
//
// Each replaced file is then changed through a descriptor (mode, owner and, for a
// regular file, "user.v"): versions of it that no path ever showed, which a stat, an
// access or a getxattr that skipped its final validation can pick up. Fresh regular
// files carry a "user.v" of their own, so that a getxattr names the very file it read.
#include "tools/torture/domain.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <deque>
#include <utility>

namespace rcuvfs::torture {
namespace {

constexpr int kFiles = 3;
const std::string kLong(200, 'n');

class DirSwapDomain : public Domain {
 public:
  DirSwapDomain(World& w, uint32_t index, uint32_t seed, std::string root)
      : Domain(w, index, seed),
        root_(std::move(root)),
        // None on hostfs, where each open file holds a host descriptor, nor on
        // recyclefs, where a replaced inode must be freed at once, to be recycled into
        // the next fresh file (what shows a stale readlink).
        held_max_(w.fs == "hostfs" || w.fs == "recyclefs" ? 0 : kDirSwapHeld) {}

  void setup() override {
    must(task_->set_fd_limit(Task::kDefaultFdLimit + held_max_), "raise the descriptor limit");
    must(task_->mkdirat(AT_FDCWD, root_, 0755), "mkdir " + root_);
    must(task_->mkdirat(AT_FDCWD, root_ + "/stage", 0755), "mkdir stage");
    for (int d = 0; d < 2; ++d) {
      const std::string dir = root_ + (d == 0 ? "/p" : "/q");
      must(task_->mkdirat(AT_FDCWD, dir, 0755), "mkdir " + dir);
      for (int k = 0; k < kFiles; ++k) {
        const std::string f = dir + "/" + name(k);
        File& file = files_[d][k];
        file.path = watch(f, AT_SYMLINK_NOFOLLOW, -1, /*hot=*/1);
        const Seen s = create(f, S_IFREG, static_cast<int>(file.path));
        file.key = s.key;
        file.attrs = s.attrs;
      }
    }
    for (int k = 0; k < kFiles; ++k) {
      set_alias(files_[0][k].path, files_[1][k].path);
      set_alias(files_[1][k].path, files_[0][k].path);
    }
  }

  void step() override {
    Seen fresh[kFiles];
    int fds[kFiles];
    for (int k = 0; k < kFiles; ++k) {
      // Alternate the type so that even a recycled inode shows up as the wrong object.
      // The last file is a symlink with a body of its own: the inodes replaced in a
      // step go to the next step's fresh files (the last one's first), so a readlink
      // that skipped its validation and read a recycled inode shows a body the path
      // never held. (The others stay files, whose permission bits an access asks.)
      ++made_;
      fresh[k] = k == kFiles - 1
                     ? create(staged(k), S_IFLNK, -1, 0, 0, "t" + std::to_string(made_))
                     : create(staged(k), (made_ & 1) ? S_IFIFO : S_IFREG);
      if (S_ISREG(fresh[k].attrs.mode)) label(fresh[k], k);
      // The file that will be replaced: what p holds now, q after the exchange (a
      // regular file opened for reading, for its fsetxattr).
      const int how = S_ISREG(files_[0][k].attrs.mode) ? O_RDONLY : O_PATH;
      auto fd = task_->openat(AT_FDCWD, root_ + "/p/" + name(k), how | O_NOFOLLOW);
      if (!fd.ok()) throw WriterError("open " + name(k) + ": errno " + std::to_string(fd.error()));
      fds[k] = *fd;
    }
    exchange();
    for (int k = 0; k < kFiles; ++k) replace(k, fresh[k]);
    for (int k = 0; k < kFiles; ++k) chown_gone(k, fds[k]);
  }

 private:
  struct File {
    uint32_t path;
    Key key;
    Attrs attrs;
  };

  void exchange() {
    ++stats_.ops;
    const uint64_t b = tick();
    auto st = task_->renameat2(AT_FDCWD, root_ + "/p", AT_FDCWD, root_ + "/q", RENAME_EXCHANGE);
    const uint64_t e = end();
    must(st, "exchange " + root_ + "/p and q");
    for (int k = 0; k < kFiles; ++k) {
      File& p = files_[0][k];
      File& q = files_[1][k];
      log_.unbind(p.path, p.key, b, e);
      log_.unbind(q.path, q.key, b, e);
      log_.bind(p.path, q.key, b, e);
      log_.bind(q.path, p.key, b, e);
      std::swap(p.key, q.key);
      std::swap(p.attrs, q.attrs);
    }
    ++stats_.renames;
  }

  static std::string name(int k) { return kLong + std::to_string(k); }
  std::string staged(int k) const { return root_ + "/stage/n" + std::to_string(k); }

  // Replaces q/fK (the directory that was p a moment ago) with a fresh file.
  void replace(int k, const Seen& fresh) {
    ++stats_.ops;
    File& q = files_[1][k];
    const std::string target = root_ + "/q/" + name(k);
    const uint64_t b = tick();
    auto st = task_->renameat2(AT_FDCWD, staged(k), AT_FDCWD, target, 0);
    const uint64_t e = end();
    must(st, "rename over " + target);
    log_.unbind(q.path, q.key, b, e);
    log_.bind(q.path, fresh.key, b, e);
    gone_[k] = {q.key, q.attrs};
    q.key = fresh.key;
    q.attrs = fresh.attrs;
    ++stats_.renames;
    ++stats_.unlinks;
  }

  // A fresh regular file's own "user.v", set in the stage. (A reference walk that
  // found p before an exchange and the file after it reads a value only q/fK showed:
  // the alias rule, PathSpec::alias.)
  void label(Seen& fresh, int k) {
    ++stats_.ops;
    fresh.attrs.xattr = ++version_;
    const uint64_t b = tick();
    const Status st = task_->setxattr(staged(k), "user.v", xattr_value(fresh.attrs.xattr));
    const uint64_t e = end();
    must(st, "setxattr on a fresh file");
    log_.attrs(fresh.key, fresh.attrs, b, e);
  }

  // Versions of the replaced file that no path showed: for a regular file a new
  // "user.v"; every permission bit (so that an access checked on it is allowed where
  // the file denied it: a wrong denial is caught by the walk's own check of errors, a
  // wrong allowance only by this); then a new owner.
  void chown_gone(int k, int fd) {
    ++stats_.ops;
    Attrs a = gone_[k].attrs;
    uint64_t b, e;
    Status st;
    if (S_ISREG(a.mode)) {
      a.xattr = ++version_;
      b = tick();
      st = task_->fsetxattr(fd, "user.v", xattr_value(a.xattr));
      e = end();
      must(st, "setxattr on a replaced file");
      log_.attrs(gone_[k].key, a, b, e);
    }
    if (!S_ISLNK(a.mode)) {  // (a symlink's mode is fixed)
      a.mode = (a.mode & S_IFMT) | 0777;
      b = tick();
      st = task_->fchmodat(fd, "", 0777, AT_EMPTY_PATH);
      e = end();
      must(st, "chmod a replaced file");
      log_.attrs(gone_[k].key, a, b, e);
    }
    a.uid = ++version_;
    a.gid = a.uid + kGidOffset;
    b = tick();
    st = task_->fchownat(fd, "", a.uid, a.gid, AT_EMPTY_PATH);
    e = end();
    must(st, "chown a replaced file");
    log_.attrs(gone_[k].key, a, b, e);
    held_.push_back({fd, gone_[k].key});
    if (held_.size() <= held_max_) return;
    // The oldest one's last descriptor: that file is gone for good.
    b = tick();
    st = task_->close(held_.front().first);
    e = end();
    must(st, "close");
    log_.destroyed(held_.front().second, b, e);
    held_.pop_front();
  }

  struct Gone {
    Key key;
    Attrs attrs;
  };
  Gone gone_[kFiles];
  std::string root_;
  const size_t held_max_;  // replaced files kept open (kDirSwapHeld)
  std::deque<std::pair<int, Key>> held_;  // those files, oldest first
  File files_[2][kFiles];  // [0]: what p/fK holds, [1]: q/fK
  uint64_t made_ = 0;
  uint32_t version_ = 0;
};

}  // namespace

std::unique_ptr<Domain> make_dirswap_domain(World& w, uint32_t index, uint32_t seed,
                                            std::string root) {
  return std::make_unique<DirSwapDomain>(w, index, seed, std::move(root));
}

}  // namespace rcuvfs::torture
