// The namespace-changing hooks: each operation calls its hook once, after the DAC
// checks, in ref mode, with a path view of the right object; a denial stops the
// operation. Also SecPath's ancestor walk (across mounts, from a chroot) and the
// task's security domain.
#include "test_util.h"

#include <rcuvfs/security.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

namespace {

using rcuvfs::Cred;
using rcuvfs::SecPath;

// Records every call as "hook path [args]" and denies the hooks named in `deny`.
class Recorder : public rcuvfs::SecurityModule {
 public:
  std::string_view name() const override { return "recorder"; }

  int inode_getattr(const SecPath& at, const Cred&, unsigned flags) override {
    if (flags & rcuvfs::kMayNotBlock) {
      // Under RCU: collect the ancestry without allocating, then ask for references.
      if (collect_rcu) {
        unsigned n = 0;
        at.walk_up([&](const rcuvfs::Inode&, std::string_view, unsigned) {
          ++n;
          return true;
        });
        rcu_depth = n;
      }
      return rcu_refuse ? -ECHILD : 0;
    }
    std::vector<std::string> names;
    at.walk_up([&](const rcuvfs::Inode&, std::string_view name, unsigned depth) {
      if (depth == 0) names.clear();
      names.emplace_back(name);
      return true;
    });
    std::string chain;
    for (const auto& n : names) chain += (chain.empty() ? "" : ",") + n;
    return note("getattr " + at.path() + " up=" + chain);
  }
  int path_mknod(const SecPath& dir, std::string_view name, mode_t mode, dev_t,
                 const Cred&) override {
    return note("mknod " + dir.path() + " " + std::string(name) + " " +
                std::to_string(mode & S_IFMT) + ro(dir));
  }
  int path_mkdir(const SecPath& dir, std::string_view name, mode_t mode,
                 const Cred&) override {
    return note("mkdir " + dir.path() + " " + std::string(name) + " " +
                std::to_string(mode & 07777) + ro(dir));
  }
  int path_symlink(const SecPath& dir, std::string_view name, std::string_view target,
                   const Cred&) override {
    return note("symlink " + dir.path() + " " + std::string(name) + " " +
                std::string(target) + ro(dir));
  }
  int path_link(const SecPath& old, const SecPath& dir, std::string_view name,
                const Cred&) override {
    return note("link " + old.path() + " " + dir.path() + " " + std::string(name) + ro(dir));
  }
  int path_unlink(const SecPath& dir, const rcuvfs::Inode& victim, std::string_view name,
                  const Cred&) override {
    return note("unlink " + dir.path() + " " + std::string(name) + " " +
                std::to_string(victim.ino.load()) + ro(dir));
  }
  int path_rmdir(const SecPath& dir, const rcuvfs::Inode&, std::string_view name,
                 const Cred&) override {
    return note("rmdir " + dir.path() + " " + std::string(name) + ro(dir));
  }
  int path_rename(const SecPath& od, const rcuvfs::Inode&, std::string_view on,
                  const SecPath& nd, const rcuvfs::Inode* target, std::string_view nn,
                  unsigned flags, const Cred&) override {
    return note("rename " + od.path() + " " + std::string(on) + " " + nd.path() + " " +
                std::string(nn) + " target=" + (target ? "1" : "0") +
                " flags=" + std::to_string(flags) + ro(od) + ro(nd));
  }
  int path_chmod(const SecPath& at, mode_t mode, const Cred&) override {
    return note("chmod " + at.path() + " " + std::to_string(mode) + ro(at));
  }
  int path_chown(const SecPath& at, uid_t u, gid_t g, const Cred&) override {
    return note("chown " + at.path() + " " + std::to_string(u) + " " + std::to_string(g) +
                ro(at));
  }
  int path_truncate(const SecPath& at, off_t len, const Cred&) override {
    return note("truncate " + at.path() + " " + std::to_string(len) + ro(at));
  }
  int file_open(const SecPath& at, int flags, bool created, const Cred&) override {
    return note("open " + at.path() + " " + std::to_string(flags & (O_ACCMODE | O_TRUNC)) +
                (created ? " created" : "") + ro(at));
  }
  int sb_mount(const SecPath* src, const SecPath& target, std::string_view type,
               const Cred&) override {
    return note("mount " + (src ? src->path() : std::string("-")) + " " + target.path() +
                " " + std::string(type) + ro(target));
  }
  int sb_umount(const SecPath& root, const Cred&) override {
    return note("umount " + root.path() + ro(root));
  }

  std::vector<std::string> take() {
    std::lock_guard g(mu);
    return std::exchange(calls, {});
  }
  std::string deny;  // the hook (first word) to deny with EPERM
  bool rcu_refuse = true;
  bool collect_rcu = false;
  unsigned rcu_depth = 0;

 private:
  // Namespace hooks never run under RCU.
  static std::string ro(const SecPath& p) { return p.may_not_block() ? " RCU!" : ""; }
  int note(std::string s) {
    std::lock_guard g(mu);
    const bool no = !deny.empty() && s.rfind(deny + " ", 0) == 0;
    calls.push_back(std::move(s));
    return no ? -EPERM : 0;
  }
  std::mutex mu;
  std::vector<std::string> calls;
};

class Hooks : public ::testing::TestWithParam<std::string>, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make(GetParam());
    ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
    put("d/f", "abc");
    rec = std::make_shared<Recorder>();
    ASSERT_OK(vfs->add_security_module(rec));
    rec->take();
  }
  using Calls = std::vector<std::string>;
  std::shared_ptr<Recorder> rec;
};

TEST_P(Hooks, CreateHooks) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/sub", 0777));
  EXPECT_EQ(rec->take(), Calls{"mkdir /d sub 493"});  // umask applied: 0755
  ASSERT_OK(t->mknodat(AT_FDCWD, "d/p", S_IFIFO | 0644, 0));
  EXPECT_EQ(rec->take(), Calls{"mknod /d p " + std::to_string(S_IFIFO)});
  ASSERT_OK(t->symlinkat("target", AT_FDCWD, "d/s"));
  EXPECT_EQ(rec->take(), Calls{"symlink /d s target"});
  auto fd = t->openat(AT_FDCWD, "d/n", O_CREAT | O_WRONLY, 0644);
  ASSERT_OK(fd);
  EXPECT_EQ(rec->take(), (Calls{"mknod /d n " + std::to_string(S_IFREG),
                                "open /d/n " + std::to_string(O_WRONLY) + " created"}));
  ASSERT_OK(t->linkat(AT_FDCWD, "d/f", AT_FDCWD, "d/sub/f2", 0));
  EXPECT_EQ(rec->take(), Calls{"link /d/f /d/sub f2"});
}

TEST_P(Hooks, RemoveRenameAttrHooks) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/e", 0755));
  put("d/g", "g");
  rec->take();
  const uint64_t g = st("d/g").stx_ino;
  const uint64_t f = st("d/f").stx_ino;
  rec->take();
  ASSERT_OK(t->renameat2(AT_FDCWD, "d/g", AT_FDCWD, "d/e/g", 0));
  ASSERT_OK(t->renameat2(AT_FDCWD, "d/f", AT_FDCWD, "d/e/g", RENAME_EXCHANGE));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d/f", 0));  // g, since the exchange
  ASSERT_OK(t->fchmodat(AT_FDCWD, "d/e", 0700));
  ASSERT_OK(t->fchownat(AT_FDCWD, "d/e", 5, -1));
  ASSERT_OK(t->truncate("d/e/g", 1));
  auto fd = t->openat(AT_FDCWD, "d/e/g", O_RDWR | O_TRUNC);
  ASSERT_OK(fd);
  ASSERT_OK(t->ftruncate(*fd, 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d/e/g", 0));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "d/e", AT_REMOVEDIR));
  EXPECT_EQ(rec->take(),
            (Calls{"rename /d g /d/e g target=0 flags=0",
                   "rename /d f /d/e g target=1 flags=" + std::to_string(RENAME_EXCHANGE),
                   "unlink /d f " + std::to_string(g),
                   "chmod /d/e 448",
                   "chown /d/e 5 4294967295",
                   "truncate /d/e/g 1",
                   "open /d/e/g " + std::to_string(O_RDWR | O_TRUNC),
                   "truncate /d/e/g 0",
                   "unlink /d/e g " + std::to_string(f),
                   "rmdir /d e"}));
}

TEST_P(Hooks, DenialStopsTheOperation) {
  struct Case {
    const char* hook;
    std::function<rcuvfs::Status()> op;
    const char* gone;  // a path that must not exist afterwards ("" : none)
  };
  Cred other{1000, 1000, {}};
  // An open as a Status: refused or not.
  auto opened = [](const rcuvfs::Result<int>& fd) {
    return fd.ok() ? rcuvfs::Status{} : rcuvfs::Status(rcuvfs::Err{EPERM});
  };
  const std::vector<Case> cases = {
      {"mkdir", [&] { return t->mkdirat(AT_FDCWD, "d/x", 0755); }, "d/x"},
      {"mknod", [&] { return t->mknodat(AT_FDCWD, "d/x", S_IFREG | 0644, 0); }, "d/x"},
      {"mknod", [&] { return opened(t->openat(AT_FDCWD, "d/x", O_CREAT | O_RDWR, 0644)); }, "d/x"},
      {"symlink", [&] { return t->symlinkat("y", AT_FDCWD, "d/x"); }, "d/x"},
      {"link", [&] { return t->linkat(AT_FDCWD, "d/f", AT_FDCWD, "d/x", 0); }, "d/x"},
      {"rename", [&] { return t->renameat2(AT_FDCWD, "d/f", AT_FDCWD, "d/x", 0); }, "d/x"},
      {"unlink", [&] { return t->unlinkat(AT_FDCWD, "d/f", 0); }, ""},
      {"truncate", [&] { return t->truncate("d/f", 0); }, ""},
      {"chmod", [&] { return t->fchmodat(AT_FDCWD, "d/f", 0); }, ""},
      {"chown", [&] { return t->fchownat(AT_FDCWD, "d/f", 7, 7); }, ""},
      {"open", [&] { return opened(t->openat(AT_FDCWD, "d/f", O_RDWR | O_TRUNC)); }, ""},
      {"mount", [&] { return t->mount("memfs", "d"); }, ""},
      {"mount", [&] { return t->bind("d", "d"); }, ""},
  };
  for (const Case& c : cases) {
    rec->deny = c.hook;
    EXPECT_ERRNO(c.op(), EPERM) << c.hook;
    rec->deny.clear();
    if (*c.gone) {
      EXPECT_ERRNO(t->statx(AT_FDCWD, c.gone), ENOENT) << c.hook;
    }
  }
  rec->deny.clear();
  // Nothing changed: f keeps its content, mode and owner.
  auto s = t->statx(AT_FDCWD, "d/f");
  ASSERT_OK(s);
  EXPECT_EQ(s->stx_size, 3u);
  EXPECT_EQ(s->stx_mode & 07777, 0644u);
  EXPECT_EQ(s->stx_uid, 0u);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/e", 0755));
  rec->deny = "rmdir";
  EXPECT_ERRNO(t->unlinkat(AT_FDCWD, "d/e", AT_REMOVEDIR), EPERM);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "m", 0755));
  rec->deny.clear();
  ASSERT_OK(t->mount("memfs", "m"));
  rec->deny = "umount";
  EXPECT_ERRNO(t->umount("m"), EPERM);
  rec->deny.clear();
  EXPECT_OK(t->umount("m"));
}

TEST_P(Hooks, DacComesFirst) {
  auto user = vfs->new_task(Cred{1000, 1000, {}});
  rec->take();
  EXPECT_ERRNO(user->mkdirat(AT_FDCWD, "d/x", 0755), EACCES);
  EXPECT_ERRNO(user->unlinkat(AT_FDCWD, "d/f", 0), EACCES);
  EXPECT_ERRNO(user->openat(AT_FDCWD, "d/f", O_WRONLY), EACCES);
  EXPECT_ERRNO(user->fchmodat(AT_FDCWD, "d/f", 0), EPERM);
  EXPECT_ERRNO(user->mount("memfs", "d"), EPERM);
  EXPECT_EQ(rec->take(), Calls{});
}

TEST_P(Hooks, AncestryAcrossMountsAndChroot) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d/m", 0755));
  ASSERT_OK(t->mount("memfs", "d/m"));
  put("d/m/x", "x");
  rec->take();
  st("d/m/x");
  EXPECT_EQ(rec->take(), Calls{"getattr /d/m/x up=x,/,m,d,/"});
  auto jailed = vfs->new_task();
  ASSERT_OK(jailed->chroot("d"));
  rec->take();
  st("/m/x", 0, jailed.get());
  // The path is seen from the task's root; the walk still goes to the namespace root.
  EXPECT_EQ(rec->take(), Calls{"getattr /m/x up=x,/,m,d,/"});
  // Under RCU the same walk runs without allocating.
  rec->collect_rcu = true;
  st("d/m/x");
  if (GetParam() != "legacyfs") {
    EXPECT_EQ(rec->rcu_depth, 5u);
  }
}

TEST_P(Hooks, DomainLayers) {
  static const char kTag = 0;
  struct L : rcuvfs::SecurityDomain {
    L() : SecurityDomain(&kTag) {}
  };
  EXPECT_EQ(t->cred().domain, nullptr);
  ASSERT_OK(t->restrict_self(std::make_unique<L>()));
  auto first = t->cred().domain;
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->tag(), &kTag);
  EXPECT_EQ(first->parent(), nullptr);
  ASSERT_OK(t->restrict_self(std::make_unique<L>()));
  EXPECT_EQ(t->cred().domain->parent(), first.get());
  // set_cred keeps the chain, whatever it is given.
  auto before = t->cred().domain;
  t->set_cred(Cred{3, 3, {}, nullptr});
  EXPECT_EQ(t->cred().uid, 3u);
  EXPECT_EQ(t->cred().domain, before);
  EXPECT_ERRNO(t->restrict_self(nullptr), EINVAL);
  // Other tasks are unaffected.
  EXPECT_EQ(vfs->new_task()->cred().domain, nullptr);
}

INSTANTIATE_TEST_SUITE_P(AllFs, Hooks, ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return info.param; });

}  // namespace
