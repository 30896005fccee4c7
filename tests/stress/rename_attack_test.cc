// The openat2 rename attack (the kernel's selftest scenario): a scoped walk of
// "c/../c/../..." from inside a/ while another thread keeps exchanging a/c and b.
// Done right, the walk always ends at a/ itself. A rename can move the walk's
// position (c) out from under its root between two steps, so that the next ".."
// lands in r/: the walk must notice (EAGAIN) and never open anything but a/.
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace rcuvfs {
namespace {

double seconds() {
  const char* s = std::getenv("RCUVFS_STRESS_SECONDS");
  return s ? std::atof(s) : 2.0;
}

struct Outcome {
  uint64_t attempts = 0, ok = 0, eagain = 0, exdev = 0, other = 0, escapes = 0;
  uint64_t rename_seq_fallbacks = 0;  // RCU walks that saw the race and fell back
  std::string first_escape;
};

Outcome attack(uint64_t resolve, Task::WalkMode mode) {
  auto vfs = Vfs::create("memfs");
  EXPECT_TRUE(vfs.ok());
  auto setup = (*vfs)->new_task();
  for (const char* d : {"/r", "/r/a", "/r/a/c", "/r/b"})
    EXPECT_TRUE(setup->mkdirat(AT_FDCWD, d, 0755).ok());

  std::atomic<bool> stop{false};
  std::thread attacker([&] {
    auto t = (*vfs)->new_task();
    while (!stop.load(std::memory_order_relaxed))
      EXPECT_TRUE(t->renameat2(AT_FDCWD, "/r/a/c", AT_FDCWD, "/r/b", RENAME_EXCHANGE).ok());
  });

  auto victim = (*vfs)->new_task();
  victim->set_walk_mode(mode);
  auto afd = victim->openat(AT_FDCWD, "/r/a", O_PATH | O_DIRECTORY);
  EXPECT_TRUE(afd.ok());
  std::string path = "c/..";
  for (int i = 0; i < 7; ++i) path += "/c/..";
  OpenHow how{};
  how.flags = O_PATH;
  how.resolve = resolve;

  Outcome out;
  const Counters before = Vfs::counters();
  // Run for the requested time, and on (up to 20 s) until the race has been hit.
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds());
  const auto hard_deadline = start + std::chrono::seconds(20);
  auto raced = [&] {
    return out.eagain + out.exdev > 0 ||
           (Vfs::counters() - before).get(Echild::kRenameSeq) > 0;
  };
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= hard_deadline || (now >= deadline && raced())) break;
    for (int i = 0; i < 1000; ++i) {
      ++out.attempts;
      auto fd = victim->openat2(*afd, path, how);
      if (fd.ok()) {
        ++out.ok;
        auto where = victim->fdpath(*fd);
        EXPECT_TRUE(where.ok());
        // a/ never moves, so anything else is an escape.
        if (where.ok() && *where != "/r/a") {
          if (out.escapes++ == 0) out.first_escape = *where;
        }
        EXPECT_TRUE(victim->close(*fd).ok());
      } else if (fd.error() == EAGAIN) {
        ++out.eagain;
      } else if (fd.error() == EXDEV) {
        ++out.exdev;
      } else {
        ++out.other;
      }
    }
  }
  stop.store(true);
  attacker.join();
  out.rename_seq_fallbacks = (Vfs::counters() - before).get(Echild::kRenameSeq);
  return out;
}

struct Case {
  const char* name;
  uint64_t resolve;
  Task::WalkMode mode;
};

class RenameAttack : public ::testing::TestWithParam<Case> {};

TEST_P(RenameAttack, ScopedWalkNeverEscapes) {
  const Case& c = GetParam();
  Outcome o = attack(c.resolve, c.mode);
  std::printf("%s: %llu walks: %llu ok, %llu EAGAIN, %llu EXDEV, %llu other, %llu escapes, "
              "%llu rename_seq fallbacks\n",
              c.name, static_cast<unsigned long long>(o.attempts),
              static_cast<unsigned long long>(o.ok), static_cast<unsigned long long>(o.eagain),
              static_cast<unsigned long long>(o.exdev), static_cast<unsigned long long>(o.other),
              static_cast<unsigned long long>(o.escapes),
              static_cast<unsigned long long>(o.rename_seq_fallbacks));
  EXPECT_EQ(o.escapes, 0u) << "first escape: " << o.first_escape;
  EXPECT_EQ(o.other, 0u);
  EXPECT_GT(o.attempts, 1000u);
  EXPECT_GT(o.ok, 0u);
  // The race must actually have been exercised: ref-walk reports it as EAGAIN, the
  // RCU walk notices rename_seq and redoes the walk with references.
  EXPECT_GT(o.eagain + o.exdev + o.rename_seq_fallbacks, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, RenameAttack,
    ::testing::Values(Case{"in_root_rcu", RESOLVE_IN_ROOT, Task::WalkMode::kSpeculative},
                      Case{"in_root_ref", RESOLVE_IN_ROOT, Task::WalkMode::kRefOnly},
                      Case{"beneath_rcu", RESOLVE_BENEATH, Task::WalkMode::kSpeculative},
                      Case{"beneath_ref", RESOLVE_BENEATH, Task::WalkMode::kRefOnly}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace rcuvfs
