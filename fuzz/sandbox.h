// A fresh memfs namespace per fuzz input, cheaply. Destroying a Vfs waits for RCU
// grace periods (tens of milliseconds: most of an input's time), so one Vfs lives for
// the whole process; each input gets a new memfs mounted on a new directory and a new
// task chrooted into it, and the mount is detached afterwards. From inside, the
// input sees "/" as an empty memfs root, as on a fresh Vfs. Its objects are freed
// after a grace period, by then in the background.
#pragma once

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include <sys/mount.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace rcuvfs_fuzz {

class Sandbox {
 public:
  Sandbox() {
    static std::unique_ptr<rcuvfs::Vfs> vfs = [] {
      auto v = rcuvfs::Vfs::create();
      if (!v.ok()) std::abort();
      return std::move(*v);
    }();
    static std::unique_ptr<rcuvfs::Task> admin = vfs->new_task();
    static unsigned long next = 0;
    admin_ = admin.get();
    vfs_ = vfs.get();
    dir_ = "/" + std::to_string(next++);
    must(admin_->mkdirat(AT_FDCWD, dir_, 0755), "mkdir");
    must(admin_->mount("memfs", dir_), "mount");
    task_ = vfs->new_task();
    must(task_->chroot(dir_), "chroot");
    must(task_->chdir("/"), "chdir");
  }

  ~Sandbox() {
    task_.reset();  // closes the input's descriptors
    // The input may have stacked mounts on its root, or unmounted it: detach
    // whatever is on top until only the directory is left (EINVAL: not a mount).
    while (admin_->umount(dir_, MNT_DETACH).ok()) {
    }
    must(admin_->unlinkat(AT_FDCWD, dir_, AT_REMOVEDIR), "rmdir");
  }

  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  rcuvfs::Task& task() { return *task_; }

  // The consistency check (diag::check) of the namespace; aborts on any problem.
  // Without the scan of the whole dcache hash, which would cost more than the rest
  // of an input (fsck_test covers that direction).
  void check() {
    const std::vector<std::string> problems = rcuvfs::diag::check(*vfs_, false);
    if (problems.empty()) return;
    for (const auto& p : problems) std::fprintf(stderr, "fsck: %s\n", p.c_str());
    std::abort();
  }

 private:
  template <class R>
  static void must(const R& r, const char* what) {
    if (!r.ok()) {
      std::fprintf(stderr, "fuzz sandbox: %s failed: %s\n", what, strerrorname_np(r.error()));
      std::abort();
    }
  }

  rcuvfs::Vfs* vfs_ = nullptr;
  rcuvfs::Task* admin_ = nullptr;
  std::string dir_;
  std::unique_ptr<rcuvfs::Task> task_;
};

}  // namespace rcuvfs_fuzz
