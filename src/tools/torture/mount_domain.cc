// Mounts on a walked path: root/w (a directory holding f) is covered by a fresh memfs,
// which gets its own f, and then detached again. A walk of w/f crosses the mount or
// does not; either way it must end on an object that w/f named at that moment.
// Mounts belong to one instance: with a writers' instance (etcd), this writer still
// works on the readers' one.
#include "tools/torture/domain.h"

#include <sys/mount.h>
#include <sys/stat.h>

namespace rcuvfs::torture {
namespace {

class MountDomain : public Domain {
 public:
  MountDomain(World& w, uint32_t index, uint32_t seed, std::string root)
      : Domain(w, index, seed, /*local=*/true),
        root_(std::move(root)),
        dir_(root_ + "/w"),
        file_(dir_ + "/f") {}

  void setup() override {
    must(task_->mkdirat(AT_FDCWD, root_, 0755), "mkdir " + root_);
    dir_path_ = watch(dir_, AT_SYMLINK_NOFOLLOW);
    file_path_ = watch(file_, AT_SYMLINK_NOFOLLOW, -1, /*hot=*/1);
    base_dir_ = create(dir_, S_IFDIR, static_cast<int>(dir_path_)).key;
    base_file_ = create(file_, S_IFREG, static_cast<int>(file_path_)).key;
  }

  void step() override {
    ++stats_.ops;
    if (!mounted_) {
      const uint64_t b = tick();
      auto st = task_->mount("memfs", dir_);
      const uint64_t e = end();
      must(st, "mount on " + dir_);
      log_.unbind(dir_path_, base_dir_, b, e);
      log_.unbind(file_path_, base_file_, b, e);
      const Seen root = look(dir_);
      log_.created(root.key, root.attrs, root.rdev_major, root.rdev_minor, b, e);
      log_.bind(dir_path_, root.key, b, e);
      mounted_root_ = root.key;
      mounted_file_ = create(file_, (++mounts_ & 1) ? S_IFREG : S_IFIFO,
                             static_cast<int>(file_path_)).key;
      mounted_ = true;
      ++stats_.mounts;
    } else {
      const uint64_t b = tick();
      auto st = task_->umount(dir_, MNT_DETACH);
      const uint64_t e = end();
      must(st, "umount " + dir_);
      log_.unbind(file_path_, mounted_file_, b, e);
      log_.unbind(dir_path_, mounted_root_, b, e);
      // Each mount is a fresh memfs: its objects never come back.
      log_.destroyed(mounted_file_, b, e);
      log_.destroyed(mounted_root_, b, e);
      log_.bind(dir_path_, base_dir_, b, e);
      log_.bind(file_path_, base_file_, b, e);
      mounted_ = false;
    }
  }

 private:
  std::string root_, dir_, file_;
  uint32_t dir_path_ = 0, file_path_ = 0;
  Key base_dir_ = 0, base_file_ = 0, mounted_root_ = 0, mounted_file_ = 0;
  bool mounted_ = false;
  uint64_t mounts_ = 0;
};

}  // namespace

std::unique_ptr<Domain> make_mount_domain(World& w, uint32_t index, uint32_t seed,
                                          std::string root) {
  return std::make_unique<MountDomain>(w, index, seed, std::move(root));
}

}  // namespace rcuvfs::torture
