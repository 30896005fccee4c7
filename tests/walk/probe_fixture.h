// The fixture of the fallback tests: a memfs namespace with probefs (probefs.h)
// mounted at p, the directory p/a, and one task; and the speculation hooks that move
// a sequence counter once, from inside the window between an answer and its check.
#pragma once

#include "probefs.h"

#include "core/dcache.h"
#include "core/mount.h"
#include "core/namei.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace rcuvfs {

class ProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto v = Vfs::create("memfs");
    ASSERT_TRUE(v.ok());
    vfs_ = std::move(*v);
    ASSERT_TRUE(vfs_->register_fs(std::make_shared<probefs::ProbeFsType>()).ok());
    t_ = vfs_->new_task();
    ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "p", 0755).ok());
    ASSERT_TRUE(t_->mount("probefs", "p").ok());
    ASSERT_TRUE(t_->mkdirat(AT_FDCWD, "p/a", 0755).ok());
    g_hook_calls = 0;
  }
  void TearDown() override {
    core::set_speculation_hook(nullptr);
    probefs::g_switches.reset();
    t_.reset();
    vfs_.reset();
  }

  // The hooks count their calls here; each acts on the first only.
  static inline std::atomic<int> g_hook_calls{0};
  static void bump_dentry_once(const core::Path& p) {
    if (g_hook_calls++ == 0) {
      p.dentry->lock();
      p.dentry->seq.invalidate();
      p.dentry->unlock();
    }
  }
  static void bump_mount_once(const core::Path&) {
    if (g_hook_calls++ == 0) {
      MutexLock g(core::g_mount_lock);
      core::g_mount_seq.invalidate();
    }
  }
  static void bump_rename_once(const core::Path&) {
    if (g_hook_calls++ == 0) core::RenameLockGuard rl;
  }

  std::unique_ptr<Vfs> vfs_;
  std::unique_ptr<Task> t_;
};

}  // namespace rcuvfs
