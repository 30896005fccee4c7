// The change feed under concurrent writers: each writer thread owns a directory and
// runs, over and over, create n<i>, rename n<i> -> m<i>, unlink m<i>. An inotify
// instance watching every directory and a change stream are read by threads of their
// own, while another thread keeps adding and removing a watch and opening and closing
// instances (lifetimes racing deliveries).
// The checker: per directory, the events must be exactly the writer's sequence
// (CREATE n<i>, MOVED_FROM n<i>, MOVED_TO m<i> with the same cookie, DELETE m<i>, for
// i = 0, 1, 2, ...): nothing lost, nothing reordered, nothing invented, unless an
// overflow was reported, after which each directory's check starts again at the next
// CREATE. inotify, as Linux's, queues one overflow event at a time: while it waits in
// the queue, a queue that fills again drops events without another, so behind it the
// check starts again after every gap, until the reader has found the queue empty. A
// change stream drops everything until its overflow is read: behind it no gap is
// allowed.
//
// RCUVFS_STRESS_SECONDS sets the duration (default 2).
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace rcuvfs {
namespace {

double seconds() {
  const char* s = std::getenv("RCUVFS_STRESS_SECONDS");
  return s ? std::atof(s) : 2.0;
}

constexpr int kWriters = 3;

// The expected sequence of one directory.
class DirCheck {
 public:
  // Returns an error message, or "" when `mask name cookie` is the next event.
  std::string next(uint32_t mask, const std::string& name, uint32_t cookie) {
    if (resync_) {
      if (mask != IN_CREATE) return {};
      resync_ = false;
      step_ = 0;
      i_ = std::stoul(name.substr(1));
    }
    const std::string want_n = "n" + std::to_string(i_), want_m = "m" + std::to_string(i_);
    static constexpr uint32_t kSeq[] = {IN_CREATE, IN_MOVED_FROM, IN_MOVED_TO, IN_DELETE};
    const std::string& want = step_ < 2 ? want_n : want_m;
    if (mask != kSeq[step_] || name != want) {
      if (gaps_) {
        resync_ = true;
        return mask == IN_CREATE ? next(mask, name, cookie) : std::string{};
      }
      return "got " + std::to_string(mask) + " " + name + ", want " +
             std::to_string(kSeq[step_]) + " " + want;
    }
    if (step_ == 1) cookie_ = cookie;
    if (step_ == 2 && (cookie != cookie_ || cookie == 0)) return "cookies differ";
    if (++step_ == 4) {
      step_ = 0;
      ++i_;
    }
    ++checked;
    return {};
  }
  // An overflow was reported; `gaps_follow`: events queued behind it may still miss.
  void overflow(bool gaps_follow) {
    resync_ = true;
    gaps_ = gaps_follow;
  }
  // The reader found the queue empty: what comes now was queued after the overflow was
  // read, and a new loss would be reported again.
  void drained() { gaps_ = false; }
  uint64_t checked = 0;

 private:
  bool resync_ = false;
  bool gaps_ = false;
  int step_ = 0;
  unsigned long i_ = 0;
  uint32_t cookie_ = 0;
};

// The checker itself: a dropped, a reordered or a mismatched event is reported; an
// overflow lets it start again.
TEST(NotifyRace, CheckerCatchesWhatIsWrong) {
  DirCheck ok;
  EXPECT_EQ(ok.next(IN_CREATE, "n0", 0), "");
  EXPECT_EQ(ok.next(IN_MOVED_FROM, "n0", 7), "");
  EXPECT_EQ(ok.next(IN_MOVED_TO, "m0", 7), "");
  EXPECT_EQ(ok.next(IN_DELETE, "m0", 0), "");
  EXPECT_EQ(ok.next(IN_CREATE, "n1", 0), "");
  DirCheck dropped;
  EXPECT_EQ(dropped.next(IN_CREATE, "n0", 0), "");
  EXPECT_NE(dropped.next(IN_MOVED_TO, "m0", 7), "");
  DirCheck cookie;
  EXPECT_EQ(cookie.next(IN_CREATE, "n0", 0), "");
  EXPECT_EQ(cookie.next(IN_MOVED_FROM, "n0", 7), "");
  EXPECT_NE(cookie.next(IN_MOVED_TO, "m0", 8), "");
  DirCheck skipped;
  EXPECT_NE(skipped.next(IN_CREATE, "n1", 0), "");
  DirCheck resync;
  resync.overflow(false);
  EXPECT_EQ(resync.next(IN_DELETE, "m4", 0), "");
  EXPECT_EQ(resync.next(IN_CREATE, "n5", 0), "");
  EXPECT_NE(resync.next(IN_CREATE, "n6", 0), "");
  // inotify: gaps start the check again until the queue was read empty, then count.
  DirCheck gaps;
  gaps.overflow(true);
  EXPECT_EQ(gaps.next(IN_CREATE, "n5", 0), "");
  EXPECT_EQ(gaps.next(IN_DELETE, "m9", 0), "");
  EXPECT_EQ(gaps.next(IN_CREATE, "n10", 0), "");
  gaps.drained();
  EXPECT_NE(gaps.next(IN_DELETE, "m12", 0), "");
}

TEST(NotifyRace, EveryDirectorySeesItsWriterInOrder) {
  auto v = Vfs::create();
  ASSERT_TRUE(v.ok());
  auto& vfs = **v;
  auto t = vfs.new_task();
  for (int k = 0; k < kWriters; ++k) ASSERT_TRUE(t->mkdirat(AT_FDCWD, "w" + std::to_string(k), 0755).ok());
  ASSERT_TRUE(t->mkdirat(AT_FDCWD, "churn", 0755).ok());
  auto ifd = t->inotify_init1(IN_NONBLOCK);
  ASSERT_TRUE(ifd.ok());
  std::map<int, int> dir_of_wd;
  for (int k = 0; k < kWriters; ++k) {
    auto wd = t->inotify_add_watch(*ifd, "w" + std::to_string(k), IN_CREATE | IN_MOVE | IN_DELETE);
    ASSERT_TRUE(wd.ok());
    dir_of_wd[*wd] = k;
  }
  auto stream = vfs.subscribe(4096);
  std::vector<uint64_t> dir_ino(kWriters);
  for (int k = 0; k < kWriters; ++k)
    dir_ino[k] = t->statx(AT_FDCWD, "w" + std::to_string(k), 0)->stx_ino;

  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int k = 0; k < kWriters; ++k)
    writers.emplace_back([&, k] {
      const std::string d = "w" + std::to_string(k) + "/";
      for (unsigned long i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const std::string n = d + "n" + std::to_string(i), m = d + "m" + std::to_string(i);
        auto fd = t->openat(AT_FDCWD, n, O_CREAT | O_WRONLY | O_EXCL, 0644);
        if (!fd.ok()) {
          ADD_FAILURE() << "create " << n;
          return;
        }
        (void)t->close(*fd);
        if (!t->renameat2(AT_FDCWD, n, AT_FDCWD, m, 0).ok() || !t->unlinkat(AT_FDCWD, m, 0).ok()) {
          ADD_FAILURE() << "rename/unlink " << n;
          return;
        }
      }
    });
  // Lifetimes: watches added and removed, instances opened and closed, during deliveries.
  std::thread churn([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      auto fd = t->inotify_init1(IN_NONBLOCK);
      if (!fd.ok()) continue;
      auto wd = t->inotify_add_watch(*fd, "w0", IN_ALL_EVENTS);
      if (wd.ok()) (void)t->inotify_rm_watch(*fd, *wd);
      (void)t->inotify_add_watch(*fd, "w1", IN_ALL_EVENTS);
      (void)t->close(*fd);
      auto s = vfs.subscribe(16);
    }
  });

  std::vector<DirCheck> inotify_check(kWriters), stream_check(kWriters);
  std::string failure;
  uint64_t overflows = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds());
  std::vector<char> buf(1 << 16);
  std::vector<Change> changes;
  auto drain = [&] {
    for (;;) {
      auto n = t->read(*ifd, buf.data(), buf.size());
      if (!n.ok()) {
        for (auto& c : inotify_check) c.drained();
        break;
      }
      for (size_t off = 0; off < *n && failure.empty();) {
        struct inotify_event e;
        std::memcpy(&e, buf.data() + off, sizeof e);
        const std::string name(buf.data() + off + sizeof e);
        off += sizeof e + e.len;
        if (e.mask & IN_Q_OVERFLOW) {
          ++overflows;
          for (auto& c : inotify_check) c.overflow(true);
          continue;
        }
        failure = inotify_check[dir_of_wd.at(e.wd)].next(e.mask, name, e.cookie);
        if (!failure.empty()) failure = "inotify: " + failure;
      }
    }
    changes.clear();
    stream->read(changes, 1 << 16, std::chrono::milliseconds(0));
    for (const Change& c : changes) {
      if (!failure.empty()) break;
      if (c.mask & IN_Q_OVERFLOW) {
        ++overflows;
        for (auto& s : stream_check) s.overflow(false);
        continue;
      }
      // Only the writers' directory events; opens, closes and self events pass by.
      if (!(c.mask & (IN_CREATE | IN_MOVE | IN_DELETE))) continue;
      for (int k = 0; k < kWriters; ++k)
        if (c.dir.ino == dir_ino[k]) {
          failure = stream_check[k].next(c.mask, c.name, c.cookie);
          if (!failure.empty()) failure = "stream: " + failure;
        }
    }
  };
  while (std::chrono::steady_clock::now() < end && failure.empty()) drain();
  stop = true;
  for (auto& w : writers) w.join();
  churn.join();
  drain();
  EXPECT_EQ(failure, "");
  uint64_t ichecked = 0, schecked = 0;
  for (int k = 0; k < kWriters; ++k) {
    ichecked += inotify_check[k].checked;
    schecked += stream_check[k].checked;
  }
  std::printf("events checked: inotify %llu, stream %llu; overflows %llu\n",
              static_cast<unsigned long long>(ichecked),
              static_cast<unsigned long long>(schecked),
              static_cast<unsigned long long>(overflows));
  EXPECT_GT(ichecked, 0u);
  EXPECT_GT(schecked, 0u);
}

}  // namespace
}  // namespace rcuvfs
