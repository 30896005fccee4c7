// Attribute churn on a hot file: chmod, chown, truncate and setxattr in a tight loop,
// every one writing the same version number into its fields (the extended attribute
// "user.v" holds it too, xattr_value, and "user.x" comes and goes). chmod sets setuid, so each chown
// changes mode, uid and gid in one update; a stat that copies the fields without the
// attribute seqcount can mix two versions, and no single version matches the mix.
// The changes go through a descriptor: no path walk, so the writer spends its time
// in the updates a reader can tear.
#include "tools/torture/domain.h"

#include <fcntl.h>
#include <sys/stat.h>

namespace rcuvfs::torture {
namespace {

class AttrDomain : public Domain {
 public:
  AttrDomain(World& w, uint32_t index, uint32_t seed, std::string root)
      : Domain(w, index, seed), root_(std::move(root)), file_(root_ + "/f") {}

  void setup() override {
    must(task_->mkdirat(AT_FDCWD, root_, 0755), "mkdir " + root_);
    // A torn read needs a reader's copy to overlap one update by a few nanoseconds:
    // give it many chances.
    const uint32_t path = watch(file_, AT_SYMLINK_NOFOLLOW, -1, /*hot=*/4);
    world_.paths[path].fixed = true;  // never renamed or removed
    const Seen s = create(file_, S_IFREG, static_cast<int>(path));
    key_ = s.key;
    attrs_ = s.attrs;
    auto fd = task_->openat(AT_FDCWD, file_, O_RDWR);
    if (!fd.ok()) throw WriterError("open " + file_);
    fd_ = *fd;
  }

  void step() override {
    const uint32_t v = ++version_;
    Attrs next = attrs_;
    next.mode = S_IFREG | S_ISUID | (v & 0777);
    change(next, [&] { return task_->fchmodat(fd_, "", next.mode & 07777, AT_EMPTY_PATH); });
    next.uid = v;
    next.gid = v + kGidOffset;
    next.mode &= ~S_ISUID;
    change(next, [&] {
      return task_->fchownat(fd_, "", next.uid, next.gid, AT_EMPTY_PATH);
    });
    if (v % 4 == 0) {
      next.size = v & 0xffff;
      change(next, [&] { return task_->ftruncate(fd_, static_cast<off_t>(next.size)); });
    }
    next.xattr = v;
    change(next, [&] { return task_->fsetxattr(fd_, "user.v", xattr_value(v)); });
    if (v % 2 == 0) {
      next.xattr_extra = !next.xattr_extra;
      change(next, [&] {
        return next.xattr_extra ? task_->fsetxattr(fd_, "user.x", "x")
                                : task_->fremovexattr(fd_, "user.x");
      });
    }
  }

 private:
  template <class Op>
  void change(const Attrs& next, Op op) {
    ++stats_.ops;
    const uint64_t b = tick();
    const Status st = op();
    const uint64_t e = end();
    must(st, "change attributes of " + file_);
    log_.attrs(key_, next, b, e);
    attrs_ = next;
  }

  std::string root_, file_;
  Key key_ = 0;
  int fd_ = -1;
  Attrs attrs_;
  uint32_t version_ = 0;
};

}  // namespace

std::unique_ptr<Domain> make_attr_domain(World& w, uint32_t index, uint32_t seed,
                                         std::string root) {
  return std::make_unique<AttrDomain>(w, index, seed, std::move(root));
}

}  // namespace rcuvfs::torture
