// Descriptors racing walks that start at them: opener threads open, reopen and close
// directories on one Task (its table grows past 64 and 4096 entries while they do),
// and stat threads stat relative to whatever descriptors are open, which reads the
// table under RCU.
// The checker: an opener marks a descriptor in `owner` after open returned it and
// unmarks it before closing it, so a descriptor returned while still marked was
// handed out twice; a stat through a descriptor that carried the same mark before and
// after it must show that open's directory, or the file `x` in it.
//
// RCUVFS_STRESS_SECONDS sets the duration (default 2).
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <fcntl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rcuvfs {
namespace {

double seconds() {
  const char* s = std::getenv("RCUVFS_STRESS_SECONDS");
  return s ? std::atof(s) : 2.0;
}

constexpr int kDirs = 16;
constexpr int kOpeners = 2;
constexpr int kStatters = 2;
constexpr size_t kMaxFd = 8192;

// Inode numbers of the directories /d<k> and of their files /d<k>/x.
struct Tree {
  std::array<uint64_t, kDirs> dir{}, file{};
};

// owner[fd]: 0 while unmarked, else (the open's serial number << 8) | (k + 1), k the
// directory the open returned fd for.
using Owners = std::vector<std::atomic<uint64_t>>;

struct Found {
  uint64_t opens = 0, checked = 0, wrong = 0;
  std::string first_wrong;
  void fail(const std::string& what) {
    if (wrong++ == 0) first_wrong = what;
  }
};

// Opens until `stop`, keeping about `hold` descriptors: each is (fd, directory).
void opener(Task& t, Owners& owner, std::atomic<uint64_t>& serial, size_t hold,
            unsigned seed, const std::atomic<bool>& stop, Found& out) {
  std::mt19937 rng(seed);
  std::vector<std::pair<int, int>> held;
  auto close_one = [&](size_t i) {
    const int fd = held[i].first;
    held[i] = held.back();
    held.pop_back();
    owner[fd].store(0, std::memory_order_release);
    if (!t.close(fd).ok()) out.fail("close " + std::to_string(fd) + " failed");
  };
  while (!stop.load(std::memory_order_relaxed) && !out.wrong) {
    int k;
    Result<int> fd = Err{EBADF};
    if (!held.empty() && rng() % 4 == 0) {
      const auto& from = held[rng() % held.size()];
      k = from.second;
      fd = t.reopen(from.first, O_PATH | O_DIRECTORY);
    } else {
      k = static_cast<int>(rng() % kDirs);
      fd = t.openat(AT_FDCWD, "/d" + std::to_string(k), O_PATH | O_DIRECTORY);
    }
    if (!fd.ok() || *fd < 3 || static_cast<size_t>(*fd) >= kMaxFd) {
      out.fail("open gave " + (fd.ok() ? "fd " + std::to_string(*fd)
                                       : "errno " + std::to_string(fd.error())));
      break;
    }
    ++out.opens;
    const uint64_t mark = (serial.fetch_add(1, std::memory_order_relaxed) + 1) << 8 |
                          static_cast<uint64_t>(k + 1);
    uint64_t unmarked = 0;
    if (!owner[*fd].compare_exchange_strong(unmarked, mark, std::memory_order_acq_rel))
      out.fail("descriptor " + std::to_string(*fd) + " handed out while open");
    held.emplace_back(*fd, k);
    if (held.size() > hold || (held.size() > hold / 2 && rng() % 2))
      close_one(rng() % held.size());
  }
  while (!held.empty()) close_one(held.size() - 1);
}

// Stats through descriptors in [3, top) until `stop`.
void statter(Task& t, const Owners& owner, const Tree& tree, size_t top, unsigned seed,
             const std::atomic<bool>& stop, Found& out) {
  std::mt19937 rng(seed);
  while (!stop.load(std::memory_order_relaxed) && !out.wrong) {
    const int fd = static_cast<int>(3 + rng() % (top - 3));
    const bool file = rng() % 2;
    const uint64_t before = owner[fd].load(std::memory_order_acquire);
    auto st = file ? t.statx(fd, "x", 0, STATX_BASIC_STATS)
                   : t.statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS);
    const uint64_t after = owner[fd].load(std::memory_order_acquire);
    if (!before || before != after) continue;
    ++out.checked;
    const int k = static_cast<int>(before & 0xff) - 1;
    const uint64_t want = file ? tree.file[k] : tree.dir[k];
    if (!st.ok())
      out.fail("stat through open descriptor " + std::to_string(fd) + ": errno " +
               std::to_string(st.error()));
    else if (st->stx_ino != want)
      out.fail("stat through descriptor " + std::to_string(fd) + " of /d" +
               std::to_string(k) + (file ? "/x" : "") + ": ino " +
               std::to_string(st->stx_ino) + ", want " + std::to_string(want));
  }
}

TEST(FdRace, DescriptorsAreUniqueAndWalksSeeTheirObjects) {
  auto v = Vfs::create("memfs", "");
  ASSERT_TRUE(v.ok());
  std::unique_ptr<Vfs> vfs = std::move(*v);
  std::unique_ptr<Task> root = vfs->new_task();
  Tree tree;
  for (int k = 0; k < kDirs; ++k) {
    const std::string d = "/d" + std::to_string(k);
    ASSERT_TRUE(root->mkdirat(AT_FDCWD, d, 0755).ok());
    ASSERT_TRUE(root->mknodat(AT_FDCWD, d + "/x", S_IFREG | 0644, 0).ok());
    tree.dir[k] = root->statx(AT_FDCWD, d)->stx_ino;
    tree.file[k] = root->statx(AT_FDCWD, d + "/x")->stx_ino;
  }

  // Rounds on fresh tasks, each holding more descriptors: the table grows from 64
  // slots to 128, ..., 8192 while the stats read it.
  const std::array<size_t, 4> holds{20, 200, 1000, 2500};
  Found total;
  for (size_t round = 0; round < holds.size() && !total.wrong; ++round) {
    std::unique_ptr<Task> t = vfs->new_task();
    ASSERT_TRUE(t->set_fd_limit(kMaxFd).ok());
    Owners owner(kMaxFd);
    std::atomic<uint64_t> serial{0};
    std::atomic<bool> stop{false};
    std::vector<Found> found(kOpeners + kStatters);
    std::vector<std::thread> threads;
    const size_t top = 3 + kOpeners * (holds[round] + 1) + 8;
    for (int i = 0; i < kOpeners; ++i)
      threads.emplace_back(opener, std::ref(*t), std::ref(owner), std::ref(serial),
                           holds[round], 100 * round + i, std::cref(stop),
                           std::ref(found[i]));
    for (int i = 0; i < kStatters; ++i)
      threads.emplace_back(statter, std::ref(*t), std::cref(owner), std::cref(tree), top,
                           100 * round + 50 + i, std::cref(stop),
                           std::ref(found[kOpeners + i]));
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds() / holds.size()));
    stop = true;
    for (auto& th : threads) th.join();
    for (const Found& f : found) {
      total.opens += f.opens;
      total.checked += f.checked;
      total.wrong += f.wrong;
      if (total.first_wrong.empty()) total.first_wrong = f.first_wrong;
    }
    // Every descriptor was closed: the next open takes the lowest again.
    auto fd = t->openat(AT_FDCWD, "/d0", O_PATH);
    ASSERT_TRUE(fd.ok());
    EXPECT_EQ(*fd, 3);
  }
  EXPECT_EQ(total.wrong, 0u) << total.first_wrong;
  EXPECT_GT(total.opens, 1000u);
  EXPECT_GT(total.checked, 1000u);
  std::printf("%llu opens, %llu stats checked\n",
              static_cast<unsigned long long>(total.opens),
              static_cast<unsigned long long>(total.checked));
}

}  // namespace
}  // namespace rcuvfs
