// Stats racing renames, exchanges, unlinks, re-creations and chowns, checked against
// the writer's history (history.h). Runs on memfs, recyclefs (inode objects reused at
// once) and legacyfs (no RCU callbacks), with speculative and ref-walk readers.
//
// RCUVFS_STRESS_SECONDS sets the duration of each run (default 2).
#include "history.h"

#include "core/namei.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace rcuvfs::stress {
namespace {

constexpr int kDirs = 2;
constexpr int kSlots = 6;
constexpr size_t kMaxObservations = 3'000'000;

double seconds() {
  const char* s = std::getenv("RCUVFS_STRESS_SECONDS");
  return s ? std::atof(s) : 2.0;
}

std::string slot_path(uint32_t id) {
  return "/top/mid/d" + std::to_string(id / kSlots) + "/s" + std::to_string(id % kSlots);
}

struct Slot {
  bool used = false;
  uint64_t ino = 0;
  uint32_t type = 0;
};

class Writer {
 public:
  Writer(Vfs& vfs, std::atomic<uint64_t>& clock, uint32_t seed)
      : task_(vfs.new_task(Cred{0, kGidOffset, {}})), clock_(clock), rng_(seed) {}

  const WriterLog& log() const { return log_; }
  uint64_t ops() const { return ops_; }

 private:
  uint64_t tick() { return clock_.fetch_add(1) + 1; }
  uint32_t pick() { return rng_() % (kDirs * kSlots); }

  void create(uint32_t id) {
    static const uint32_t kTypes[] = {S_IFREG, S_IFIFO, S_IFCHR, S_IFLNK, S_IFDIR};
    const uint32_t type = kTypes[rng_() % 5];
    const std::string p = slot_path(id);
    const uint32_t maj = rng_() % 200, min = rng_() % 200;
    uint64_t b = tick();
    Status st;
    switch (type) {
      case S_IFDIR: st = task_->mkdirat(AT_FDCWD, p, 0755); break;
      case S_IFLNK: st = task_->symlinkat("target" + std::to_string(b), AT_FDCWD, p); break;
      case S_IFCHR: st = task_->mknodat(AT_FDCWD, p, S_IFCHR | 0644, makedev(maj, min)); break;
      default: st = task_->mknodat(AT_FDCWD, p, type | 0644, 0); break;
    }
    uint64_t e = tick();
    ASSERT_TRUE(st.ok()) << p << " " << st.error();
    auto sx = task_->statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW);
    ASSERT_TRUE(sx.ok());
    const bool chr = type == S_IFCHR;
    log_.object(sx->stx_ino, {type, chr ? maj : 0u, chr ? min : 0u});
    log_.bind(id, sx->stx_ino, b, e);
    slots_[id] = {true, sx->stx_ino, type};
  }

  void remove(uint32_t id) {
    uint64_t b = tick();
    auto st = task_->unlinkat(AT_FDCWD, slot_path(id),
                              slots_[id].type == S_IFDIR ? AT_REMOVEDIR : 0);
    uint64_t e = tick();
    ASSERT_TRUE(st.ok()) << st.error();
    log_.unbind(id, slots_[id].ino, b, e);
    slots_[id] = {};
  }

  void rename(uint32_t from, uint32_t to) {
    Slot& s = slots_[from];
    Slot& t = slots_[to];
    if (t.used && ((s.type == S_IFDIR) != (t.type == S_IFDIR))) return;
    uint64_t b = tick();
    auto st = task_->renameat2(AT_FDCWD, slot_path(from), AT_FDCWD, slot_path(to), 0);
    uint64_t e = tick();
    ASSERT_TRUE(st.ok()) << st.error();
    if (t.used) log_.unbind(to, t.ino, b, e);
    log_.unbind(from, s.ino, b, e);
    log_.bind(to, s.ino, b, e);
    t = s;
    s = {};
  }

  void exchange(uint32_t a, uint32_t b_id) {
    uint64_t b = tick();
    auto st = task_->renameat2(AT_FDCWD, slot_path(a), AT_FDCWD, slot_path(b_id),
                               RENAME_EXCHANGE);
    uint64_t e = tick();
    ASSERT_TRUE(st.ok()) << st.error();
    log_.unbind(a, slots_[a].ino, b, e);
    log_.unbind(b_id, slots_[b_id].ino, b, e);
    log_.bind(a, slots_[b_id].ino, b, e);
    log_.bind(b_id, slots_[a].ino, b, e);
    std::swap(slots_[a], slots_[b_id]);
  }

  void chown(uint32_t id) {
    const uint32_t tag = ++tag_;
    auto st = task_->fchownat(AT_FDCWD, slot_path(id), tag, tag + kGidOffset,
                              AT_SYMLINK_NOFOLLOW);
    ASSERT_TRUE(st.ok()) << st.error();
  }


 public:
  void step() {
    ++ops_;
    const uint32_t a = pick(), b = pick();
    const unsigned op = rng_() % 100;
    if (!slots_[a].used) return create(a);
    if (op < 20) return remove(a);
    if (op < 50 && a != b) return rename(a, b);
    if (op < 65 && a != b && slots_[b].used) return exchange(a, b);
    return chown(a);
  }

 private:
  std::unique_ptr<Task> task_;
  std::atomic<uint64_t>& clock_;
  std::mt19937 rng_;
  Slot slots_[kDirs * kSlots];
  WriterLog log_;
  uint32_t tag_ = 1000;
  uint64_t ops_ = 0;
};

struct RunResult {
  uint64_t stats = 0, violations = 0, writer_ops = 0;
  Counters delta;
  std::string first;
};

RunResult run(const std::string& fs, int readers, bool ref_reader, double secs) {
  auto vfs = Vfs::create(fs);
  EXPECT_TRUE(vfs.ok());
  auto setup = (*vfs)->new_task();
  EXPECT_TRUE(setup->mkdirat(AT_FDCWD, "/top", 0755).ok());
  EXPECT_TRUE(setup->mkdirat(AT_FDCWD, "/top/mid", 0755).ok());
  for (int d = 0; d < kDirs; ++d)
    EXPECT_TRUE(setup->mkdirat(AT_FDCWD, "/top/mid/d" + std::to_string(d), 0777).ok());

  std::atomic<uint64_t> clock{1};
  std::atomic<bool> stop{false};
  const Counters before = Vfs::counters();
  Writer writer(**vfs, clock, 42);
  std::vector<std::vector<Observation>> obs(readers);
  std::vector<std::thread> threads;
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&, r] {
      auto task = (*vfs)->new_task();
      if (ref_reader && r == readers - 1) task->set_walk_mode(Task::WalkMode::kRefOnly);
      std::mt19937 rng(1000 + r);
      auto& out = obs[r];
      out.reserve(kMaxObservations);
      std::vector<std::string> paths;
      for (uint32_t i = 0; i < kDirs * kSlots; ++i) paths.push_back(slot_path(i));
      while (!stop.load(std::memory_order_relaxed) && out.size() < kMaxObservations) {
        const uint32_t id = rng() % (kDirs * kSlots);
        Observation o{};
        o.path = id;
        o.before = clock.load();
        auto st = task->statx(AT_FDCWD, paths[id], AT_SYMLINK_NOFOLLOW);
        o.after = clock.load();
        if (st.ok()) {
          o.ino = st->stx_ino;
          o.type = st->stx_mode & S_IFMT;
          o.uid = st->stx_uid;
          o.gid = st->stx_gid;
          o.rdev_major = st->stx_rdev_major;
          o.rdev_minor = st->stx_rdev_minor;
        } else {
          o.err = st.error();
        }
        out.push_back(o);
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
  std::thread wt([&] {
    while (std::chrono::steady_clock::now() < deadline && !::testing::Test::HasFailure()) {
      for (int i = 0; i < 256; ++i) writer.step();
    }
  });
  wt.join();
  stop.store(true);
  for (auto& t : threads) t.join();

  RunResult res;
  res.delta = Vfs::counters() - before;
  res.writer_ops = writer.ops();
  Checker checker;
  checker.add_log(writer.log());
  checker.seal();
  for (auto& o : obs) {
    res.stats += o.size();
    res.violations += checker.check(o, res.first.empty() ? &res.first : nullptr);
  }
  return res;
}

class StatRace : public ::testing::TestWithParam<std::string> {};

TEST_P(StatRace, EveryStatMatchesTheHistory) {
  const bool legacy = GetParam() == "legacyfs";
  RunResult r = run(GetParam(), 2, /*ref_reader=*/true, seconds());
  std::printf("%s: %llu stats, %llu writer ops, speculative %llu, fallback %llu, "
              "restarts %llu, unlazy %llu\n",
              GetParam().c_str(), static_cast<unsigned long long>(r.stats),
              static_cast<unsigned long long>(r.writer_ops),
              static_cast<unsigned long long>(r.delta.get(Counter::kStatSpeculative)),
              static_cast<unsigned long long>(r.delta.get(Counter::kStatFallback)),
              static_cast<unsigned long long>(r.delta.get(Counter::kRestart)),
              static_cast<unsigned long long>(r.delta.get(Counter::kUnlazy)));
  EXPECT_EQ(r.violations, 0u) << r.first;
  EXPECT_GT(r.stats, 1000u);
  EXPECT_GT(r.writer_ops, 1000u);
  if (legacy) {
    EXPECT_EQ(r.delta.get(Counter::kStatSpeculative), 0u);
  } else {
    // The speculative path was exercised, and so were the fallbacks.
    EXPECT_GT(r.delta.get(Counter::kStatSpeculative), 0u);
  }
  EXPECT_GT(r.delta.get(Counter::kStatFallback), 0u);
}

INSTANTIATE_TEST_SUITE_P(Filesystems, StatRace,
                         ::testing::Values("memfs", "recyclefs", "legacyfs"));

// The checker itself must be able to fail: accept speculative results without
// validation on recyclefs, where evicted inodes become other files at once.
TEST(StatRaceChecker, CatchesSkippedValidation) {
  core::set_inject(core::kInjectSkipValidation);
  uint64_t violations = 0;
  std::string first;
  for (int attempt = 0; attempt < 10 && violations == 0; ++attempt) {
    RunResult r = run("recyclefs", 2, /*ref_reader=*/false, 1.0);
    violations = r.violations;
    first = r.first;
  }
  core::set_inject(0);
  EXPECT_GT(violations, 0u) << "the checker did not notice unvalidated speculation";
  std::printf("caught: %llu violations; first: %s\n",
              static_cast<unsigned long long>(violations), first.c_str());
}

}  // namespace
}  // namespace rcuvfs::stress
