// Symlink swaps: root/L is in turn a symlink to X, a symlink to Y and a plain file,
// replaced by renaming a staged object over it, and now and then unlinked and made
// again. Readers stat L itself and L followed; the followed stat must land on X, Y or
// the plain file according to what L was at some instant of the call.
#include "tools/torture/domain.h"

#include <sys/stat.h>

namespace rcuvfs::torture {
namespace {

class SymlinkDomain : public Domain {
 public:
  SymlinkDomain(World& w, uint32_t index, uint32_t seed, std::string root)
      : Domain(w, index, seed), root_(std::move(root)), link_(root_ + "/L") {}

  void setup() override {
    must(task_->mkdirat(AT_FDCWD, root_, 0755), "mkdir " + root_);
    link_path_ = watch(link_, AT_SYMLINK_NOFOLLOW, -1, /*hot=*/1);
    follow_path_ = watch(link_, 0, -1, /*hot=*/1);
    x_ = create(root_ + "/X", S_IFREG).key;
    y_ = create(root_ + "/Y", S_IFIFO).key;
    put(0);
  }

  void step() override {
    ++stats_.ops;
    if (rng_() % 8 == 0) {
      const uint64_t b = tick();
      auto st = task_->unlinkat(AT_FDCWD, link_, 0);
      const uint64_t e = end();
      must(st, "unlink " + link_);
      log_.unbind(link_path_, cur_, b, e);
      log_.unbind(follow_path_, cur_follow_, b, e);
      log_.destroyed(cur_, b, e);
      present_ = false;
      ++stats_.unlinks;
    }
    put((kind_ + 1 + rng_() % 2) % 3);
  }

 private:
  // Makes L a symlink to X (0), a symlink to ./Y (1) or a plain file (2).
  void put(unsigned kind) {
    const std::string staged = root_ + "/t";
    const Seen s = kind == 2 ? create(staged, S_IFREG)
                             : create(staged, S_IFLNK, -1, 0, 0, kind == 0 ? "X" : "./Y");
    const Key follow = kind == 0 ? x_ : kind == 1 ? y_ : s.key;
    const uint64_t b = tick();
    auto st = task_->renameat2(AT_FDCWD, staged, AT_FDCWD, link_, 0);
    const uint64_t e = end();
    must(st, "rename over " + link_);
    if (present_) {
      log_.unbind(link_path_, cur_, b, e);
      log_.unbind(follow_path_, cur_follow_, b, e);
      // Replaced by the rename (X and Y, the targets, stay).
      log_.destroyed(cur_, b, e);
    }
    log_.bind(link_path_, s.key, b, e);
    log_.bind(follow_path_, follow, b, e);
    cur_ = s.key;
    cur_follow_ = follow;
    kind_ = kind;
    present_ = true;
    ++stats_.renames;
  }

  std::string root_, link_;
  uint32_t link_path_ = 0, follow_path_ = 0;
  Key x_ = 0, y_ = 0, cur_ = 0, cur_follow_ = 0;
  unsigned kind_ = 0;
  bool present_ = false;
};

}  // namespace

std::unique_ptr<Domain> make_symlink_domain(World& w, uint32_t index, uint32_t seed,
                                            std::string root) {
  return std::make_unique<SymlinkDomain>(w, index, seed, std::move(root));
}

}  // namespace rcuvfs::torture
