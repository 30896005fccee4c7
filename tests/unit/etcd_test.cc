// The etcd filesystem's own rules: two instances on one prefix (each another Vfs, as
// two machines would have), the watch that keeps each cache coherent, transactions
// that hold across instances, and a cluster that loses members or its quorum.
#include "unit/test_util.h"

#include <rcuvfs/counters.h>
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include "core/internals.h"
#include "core/namei.h"
#include "core/ops_common.h"
#include "fs/etcd/etcdfs.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

namespace rcuvfs {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 10s) {
  const auto end = Clock::now() + limit;
  while (!cond()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// One instance: a namespace whose root is the etcd filesystem at `options`.
struct Instance {
  explicit Instance(const std::string& options) {
    auto v = Vfs::create("etcd", options);
    EXPECT_OK(v);
    if (!v.ok()) return;
    vfs = std::move(*v);
    t = vfs->new_task();
  }
  etcdfs::EtcdSuper& super() {
    auto root = core::lookup_path(core::state_of(*t), AT_FDCWD, "/", 0);
    EXPECT_TRUE(root.ok());
    core::PathRef ref(*root);
    return static_cast<etcdfs::EtcdSuper&>(*ref.inode()->sb);
  }
  bool in_step() { return super().stats().in_step; }
  int err(std::string_view path) { return t->statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW).error(); }
  Statx st(std::string_view path) {
    auto r = t->statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW);
    EXPECT_OK(r) << path;
    return r.ok() ? *r : Statx{};
  }
  void put(std::string_view path, std::string_view data) {
    auto fd = t->openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ASSERT_OK(fd);
    if (!data.empty()) {
      ASSERT_OK(t->write(*fd, data.data(), data.size()));
    }
    ASSERT_OK(t->close(*fd));
  }
  std::string get(std::string_view path) {
    auto fd = t->openat(AT_FDCWD, path, O_RDONLY);
    EXPECT_OK(fd);
    if (!fd.ok()) return "";
    std::string out(1 << 20, '\0');
    auto n = t->read(*fd, out.data(), out.size());
    EXPECT_OK(n);
    out.resize(n.ok() ? *n : 0);
    EXPECT_OK(t->close(*fd));
    return out;
  }

  std::unique_ptr<Vfs> vfs;
  std::unique_ptr<Task> t;
};

class EtcdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eps = rcuvfs_test::etcd_endpoints();
    ASSERT_FALSE(eps.empty()) << "no etcd cluster (scripts/etcd-cluster.sh failed)";
    options = eps + ",prefix=" + rcuvfs_test::etcd_prefix();
    a = std::make_unique<Instance>(options);
    b = std::make_unique<Instance>(options);
    ASSERT_TRUE(a->t && b->t);
    ASSERT_TRUE(eventually([&] { return a->in_step() && b->in_step(); }))
        << "the watches did not come in step";
  }

  std::string eps, options;
  std::unique_ptr<Instance> a, b;
};

TEST_F(EtcdTest, ChangesOnOneInstanceShowOnTheOther) {
  ASSERT_OK(a->t->mkdirat(AT_FDCWD, "/d", 0755));
  a->put("/d/f", "hello");
  ASSERT_TRUE(eventually([&] { return b->err("/d/f") == 0; }));
  const Statx made = b->st("/d/f");
  EXPECT_EQ(made.stx_size, 5u);
  EXPECT_EQ(made.stx_ino, a->st("/d/f").stx_ino);
  EXPECT_EQ(b->get("/d/f"), "hello");

  // B has the entries cached now: each change below must reach them through the watch.
  ASSERT_OK(a->t->fchmodat(AT_FDCWD, "/d/f", 0600, 0));
  EXPECT_TRUE(eventually([&] { return (b->st("/d/f").stx_mode & 07777) == 0600; }));
  a->put("/d/f", "longer data");
  EXPECT_TRUE(eventually([&] { return b->st("/d/f").stx_size == 11; }));
  EXPECT_EQ(b->get("/d/f"), "longer data");
  ASSERT_OK(a->t->mkdirat(AT_FDCWD, "/e", 0755));
  ASSERT_OK(a->t->renameat2(AT_FDCWD, "/d/f", AT_FDCWD, "/e/g", 0));
  EXPECT_TRUE(eventually([&] { return b->err("/d/f") == ENOENT && b->err("/e/g") == 0; }));
  EXPECT_EQ(b->st("/e/g").stx_ino, made.stx_ino);
  EXPECT_EQ(b->st("/d").stx_nlink, 2u);
  ASSERT_OK(a->t->unlinkat(AT_FDCWD, "/e/g", 0));
  EXPECT_TRUE(eventually([&] { return b->err("/e/g") == ENOENT; }));
  ASSERT_OK(a->t->unlinkat(AT_FDCWD, "/d", AT_REMOVEDIR));
  EXPECT_TRUE(eventually([&] { return b->err("/d") == ENOENT; }));
}

// A directory's search permission follows the modes the other instance gives it: while
// in step, the walk decides it from the directory's cached entry (kDSearchAllWatched),
// which each mode the watch brings must reach.
TEST_F(EtcdTest, SearchFollowsDirectoryModesChangedOnTheOther) {
  ASSERT_OK(a->t->mkdirat(AT_FDCWD, "/d", 0755));
  ASSERT_OK(a->t->mkdirat(AT_FDCWD, "/d/e", 0755));
  a->put("/d/e/f", "x");
  auto bob = b->vfs->new_task(Cred{1000, 1000, {}});  // neither owner nor in the group
  const auto bob_err = [&] { return bob->statx(AT_FDCWD, "/d/e/f", 0).error(); };
  ASSERT_TRUE(eventually([&] { return bob_err() == 0; }));
  for (mode_t mode : {0700, 0755, 0710, 0711, 0750, 0755}) {
    ASSERT_OK(a->t->fchmodat(AT_FDCWD, "/d/e", mode, 0));
    const int want = (mode & S_IXOTH) ? 0 : EACCES;
    EXPECT_TRUE(eventually([&] { return bob_err() == want; })) << std::oct << mode;
    EXPECT_EQ(b->st("/d/e").stx_mode & 07777, mode);
  }
  EXPECT_EQ(diag::check(*b->vfs), std::vector<std::string>{});
}

// A change made through an instance shows in that instance's next stat, without
// waiting for the watch.
TEST_F(EtcdTest, ReadYourWrites) {
  a->put("/n0", "x");
  for (int i = 1; i < 50; ++i) {
    const std::string from = "/n" + std::to_string(i - 1), to = "/n" + std::to_string(i);
    const mode_t m = (i & 1) ? 0640 : 0604;
    ASSERT_OK(a->t->fchmodat(AT_FDCWD, from, m, 0));
    ASSERT_EQ(a->st(from).stx_mode & 07777, m) << "round " << i;
    ASSERT_OK(a->t->renameat2(AT_FDCWD, from, AT_FDCWD, to, 0));
    ASSERT_EQ(a->err(from), ENOENT) << "round " << i;
    ASSERT_EQ(a->err(to), 0) << "round " << i;
  }
}

// Cached stats of a coherent instance are speculative, and none of them asks etcd.
TEST_F(EtcdTest, CachedStatsAreSpeculativeAndAskNothing) {
  ASSERT_OK(a->t->mkdirat(AT_FDCWD, "/d", 0755));
  a->put("/d/f", "x");
  ASSERT_TRUE(eventually([&] { return b->err("/d/f") == 0; }));
  const auto calls = b->super().stats().client.calls;
  const Counters before = Vfs::counters();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(b->st("/d/f").stx_size, 1u);
  const Counters d = Vfs::counters() - before;
  EXPECT_GE(d.get(Counter::kStatSpeculative), 990u);
  EXPECT_EQ(b->super().stats().client.calls, calls);
}

// Two instances rename one name to two places at once: exactly one wins, and the
// other is told the name is gone.
TEST_F(EtcdTest, ConcurrentRenamesOfOneNameHaveOneWinner) {
  for (int round = 0; round < 10; ++round) {
    const std::string src = "/s" + std::to_string(round);
    a->put(src, "x");
    ASSERT_TRUE(eventually([&] { return b->err(src) == 0; }));
    std::atomic<int> go{0};
    int ea = -1, eb = -1;
    std::thread ta([&] {
      while (!go.load()) {
      }
      ea = a->t->renameat2(AT_FDCWD, src, AT_FDCWD, src + "a", 0).error();
    });
    std::thread tb([&] {
      while (!go.load()) {
      }
      eb = b->t->renameat2(AT_FDCWD, src, AT_FDCWD, src + "b", 0).error();
    });
    go = 1;
    ta.join();
    tb.join();
    ASSERT_EQ((ea == 0) + (eb == 0), 1) << "round " << round << ": " << ea << " " << eb;
    EXPECT_EQ(ea ? ea : eb, ENOENT);
    // One name, seen the same from both.
    ASSERT_TRUE(eventually([&] {
      return b->err(src) == ENOENT && a->err(src + "a") == b->err(src + "a") &&
             a->err(src + "b") == b->err(src + "b");
    }));
    EXPECT_EQ((a->err(src + "a") == 0) + (a->err(src + "b") == 0), 1);
  }
}

// Links made from both instances at once: every one counts.
TEST_F(EtcdTest, LinkCountsHoldUnderLinksFromBothInstances) {
  a->put("/f", "x");
  ASSERT_TRUE(eventually([&] { return b->err("/f") == 0; }));
  constexpr int kEach = 20;
  auto links = [](Instance& in, const char* tag) {
    for (int i = 0; i < kEach; ++i)
      EXPECT_OK(in.t->linkat(AT_FDCWD, "/f", AT_FDCWD, std::string("/") + tag + std::to_string(i), 0));
  };
  std::thread ta([&] { links(*a, "a"); });
  std::thread tb([&] { links(*b, "b"); });
  ta.join();
  tb.join();
  EXPECT_TRUE(eventually([&] {
    return a->st("/f").stx_nlink == 1 + 2 * kEach && b->st("/f").stx_nlink == 1 + 2 * kEach;
  })) << a->st("/f").stx_nlink << " " << b->st("/f").stx_nlink;
}

// One instance removes a directory the other is filling: the removal fails
// (ENOTEMPTY) until it wins, and once it has won no create lands in it (ENOENT).
TEST_F(EtcdTest, RmdirOfADirectoryTheOtherFills) {
  constexpr int kFiles = 30;
  for (int round = 0; round < 5; ++round) {
    const std::string d = "/d" + std::to_string(round);
    ASSERT_OK(a->t->mkdirat(AT_FDCWD, d, 0755));
    ASSERT_TRUE(eventually([&] { return b->err(d) == 0; }));
    std::atomic<bool> filled{false};
    std::thread filler([&] {
      for (int i = 0; i < kFiles; ++i) {
        auto fd = b->t->openat(AT_FDCWD, d + "/f" + std::to_string(i), O_CREAT | O_WRONLY, 0644);
        if (!fd.ok()) {
          EXPECT_EQ(rcuvfs_test::errname(fd.error()), "ENOENT");
          break;
        }
        EXPECT_OK(b->t->close(*fd));
      }
      filled = true;
    });
    // No ASSERT while the filler runs: it must be joined.
    int e = 0;
    bool emptied_after_filling = false;
    for (;;) {
      e = a->t->unlinkat(AT_FDCWD, d, AT_REMOVEDIR).error();
      if (e != ENOTEMPTY) break;
      if (emptied_after_filling) {
        ADD_FAILURE() << "not empty after everything in it was removed";
        break;
      }
      // Read before the listing: if the filler was done, the listing has everything.
      emptied_after_filling = filled.load();
      std::vector<DirEntry> ents;
      auto fd = a->t->openat(AT_FDCWD, d, O_RDONLY | O_DIRECTORY);
      EXPECT_OK(fd);
      if (!fd.ok()) break;
      for (;;) {
        auto n = a->t->getdents(*fd, ents, 256);
        EXPECT_OK(n);
        if (!n.ok() || *n == 0) break;
      }
      EXPECT_OK(a->t->close(*fd));
      for (const auto& ent : ents) {
        if (ent.name == "." || ent.name == "..") continue;
        EXPECT_OK(a->t->unlinkat(AT_FDCWD, d + "/" + ent.name, 0)) << ent.name;
      }
    }
    filler.join();
    EXPECT_EQ(rcuvfs_test::errname(e), "OK");
    EXPECT_TRUE(eventually([&] { return b->err(d) == ENOENT; }));
  }
}

// The instance's inode numbers come in blocks: many creates from two instances give
// distinct numbers.
TEST_F(EtcdTest, InodeNumbersAreUniqueAcrossInstances) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 40; ++i) {
    Instance& in = (i & 1) ? *b : *a;
    const std::string p = "/f" + std::to_string(i);
    in.put(p, "");
    EXPECT_TRUE(seen.insert(in.st(p).stx_ino).second) << p;
  }
}

// A file is kept in chunks; writes across chunk boundaries and sparse ranges read back
// from the other instance as written.
TEST_F(EtcdTest, DataAcrossChunksReadsTheSameFromTheOtherInstance) {
  std::string data(3 * etcdfs::kChunk + 1234, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  auto fd = a->t->openat(AT_FDCWD, "/big", O_CREAT | O_RDWR, 0644);
  ASSERT_OK(fd);
  // In pieces that straddle chunk boundaries, the last after a hole.
  ASSERT_OK(a->t->pwrite(*fd, data.data(), etcdfs::kChunk + 10, 0));
  ASSERT_OK(a->t->pwrite(*fd, data.data() + etcdfs::kChunk + 10, 100, etcdfs::kChunk + 10));
  const off_t tail = 2 * etcdfs::kChunk + 7;
  ASSERT_OK(a->t->pwrite(*fd, data.data() + tail, data.size() - tail, tail));
  ASSERT_OK(a->t->close(*fd));
  std::string want = data;
  std::fill(want.begin() + etcdfs::kChunk + 110, want.begin() + tail, '\0');
  ASSERT_TRUE(eventually([&] { return b->err("/big") == 0; }));
  EXPECT_TRUE(eventually([&] { return b->st("/big").stx_size == data.size(); }));
  EXPECT_TRUE(b->get("/big") == want);
  // Cut inside the second chunk: the rest reads as zeros once grown again.
  ASSERT_OK(b->t->truncate("/big", etcdfs::kChunk + 5));
  ASSERT_OK(b->t->truncate("/big", 2 * etcdfs::kChunk));
  want.resize(2 * etcdfs::kChunk);
  std::fill(want.begin() + etcdfs::kChunk + 5, want.end(), '\0');
  EXPECT_TRUE(eventually([&] { return a->st("/big").stx_size == 2 * etcdfs::kChunk; }));
  EXPECT_TRUE(a->get("/big") == want);
}

// A file open on one instance outlives its last name removed through the other, as a
// file open on Linux does: past the grace the remover's reclaim waits, it still reads
// and writes, and its record and data go only once the holder lets it go.
TEST_F(EtcdTest, AFileOpenOnOneInstanceOutlivesItsUnlinkOnTheOther) {
  a->put("/f", "data");
  auto fd = a->t->openat(AT_FDCWD, "/f", O_RDWR);
  ASSERT_OK(fd);
  const uint64_t ino = a->st("/f").stx_ino;
  ASSERT_TRUE(eventually([&] { return b->err("/f") == 0; }));
  ASSERT_OK(b->t->unlinkat(AT_FDCWD, "/f", 0));
  ASSERT_TRUE(eventually([&] { return a->err("/f") == ENOENT; }));
  auto& s = a->super();
  const std::string holds = s.layout().holds(ino);
  EXPECT_TRUE(eventually([&] {
    auto h = s.client().range(holds, etcdfs::prefix_end(holds));
    return h.ok() && h->kvs.size() == 1;
  })) << "the instance that has the file holds it";
  std::this_thread::sleep_for(etcdfs::kOrphanGrace + 1s);
  char buf[16] = {};
  auto n = a->t->pread(*fd, buf, sizeof buf, 0);
  ASSERT_OK(n);
  EXPECT_EQ(std::string(buf, *n), "data");
  ASSERT_OK(a->t->pwrite(*fd, "more", 4, 4));
  auto st = a->t->statx(*fd, "", AT_EMPTY_PATH);
  ASSERT_OK(st);
  EXPECT_EQ(st->stx_nlink, 0u);
  EXPECT_EQ(st->stx_size, 8u);
  ASSERT_OK(a->t->close(*fd));
  EXPECT_TRUE(eventually(
      [&] {
        auto r = s.client().range(s.layout().inode(ino), "");
        auto h = s.client().range(holds, etcdfs::prefix_end(holds));
        return r.ok() && r->kvs.empty() && h.ok() && h->kvs.empty();
      },
      etcdfs::kOrphanGrace + 10s))
      << "the record and the holds were not reclaimed once the file was let go";
  // b saw a's hold go, then the record: the sweep it had queued for the inode reads
  // nothing.
  std::this_thread::sleep_for(etcdfs::kOrphanGrace + 1s);
  EXPECT_EQ(b->super().stats().sweeps, 0u);
}

// The files without names of an instance that crashed: its holds go with its lease,
// and the inode is reclaimed by an instance that watches (it sees the hold go), or,
// when none watched, by the next one to start (it sweeps P/orphan/). The crash is the
// lease no longer renewed; everything else is etcd's own expiry.
TEST_F(EtcdTest, FilesWithoutNamesOfACrashedInstanceAreReclaimed) {
  const auto gone = [](Instance& i, uint64_t ino) {
    auto& s = i.super();
    const std::string holds = s.layout().holds(ino), chunks = s.layout().chunks(ino);
    auto r = s.client().range(s.layout().inode(ino), "");
    auto o = s.client().range(s.layout().orphan(ino), "");
    auto h = s.client().range(holds, etcdfs::prefix_end(holds));
    auto c = s.client().range(chunks, etcdfs::prefix_end(chunks));
    return r.ok() && r->kvs.empty() && o.ok() && o->kvs.empty() && h.ok() && h->kvs.empty() &&
           c.ok() && c->kvs.empty();
  };
  // 1. The holder crashes while b watches.
  Instance holder(options + ",lease=2");
  ASSERT_TRUE(holder.t);
  ASSERT_TRUE(eventually([&] { return holder.in_step(); }));
  holder.put("/f", "data");
  auto fd = holder.t->openat(AT_FDCWD, "/f", O_RDONLY);
  ASSERT_OK(fd);
  const uint64_t ino = holder.st("/f").stx_ino;
  ASSERT_TRUE(eventually([&] { return b->err("/f") == 0; }));
  ASSERT_OK(b->t->unlinkat(AT_FDCWD, "/f", 0));
  ASSERT_TRUE(eventually([&] { return holder.err("/f") == ENOENT; }));
  // b let the file go at once; its reclaim, kOrphanGrace later, finds the holder's hold.
  std::this_thread::sleep_for(etcdfs::kOrphanGrace + 2s);
  auto& hs = holder.super();
  const std::string holds = hs.layout().holds(ino);
  auto h = hs.client().range(holds, etcdfs::prefix_end(holds));
  ASSERT_OK(h);
  ASSERT_EQ(h->kvs.size(), 1u) << "the holder's hold, and b's gone";
  ASSERT_EQ(h->kvs[0].key, hs.hold_key(ino));
  hs.renew_lease(false);
  // The lease runs out within its 2 s; b sees the hold go and sweeps kOrphanGrace later.
  EXPECT_TRUE(eventually([&] { return gone(*b, ino); }, etcdfs::kOrphanGrace + 10s))
      << "the file of the crashed instance was not reclaimed";

  // 2. The holder crashes with no other instance: the next one to start reclaims.
  const std::string alone = eps + ",prefix=" + rcuvfs_test::etcd_prefix();
  auto lone = std::make_unique<Instance>(alone + ",lease=2");
  ASSERT_TRUE(lone->t);
  lone->put("/g", "data");
  auto gfd = lone->t->openat(AT_FDCWD, "/g", O_RDONLY);
  ASSERT_OK(gfd);
  const uint64_t gino = lone->st("/g").stx_ino;
  ASSERT_OK(lone->t->unlinkat(AT_FDCWD, "/g", 0));
  lone->super().renew_lease(false);
  auto& ls = lone->super();
  const std::string gholds = ls.layout().holds(gino);
  ASSERT_TRUE(eventually(
      [&] {
        auto h = ls.client().range(gholds, etcdfs::prefix_end(gholds));
        return h.ok() && h->kvs.empty();
      },
      10s))
      << "the lease did not run out";
  EXPECT_FALSE(gone(*lone, gino)) << "reclaimed with no instance to reclaim it";
  Instance next(alone);
  ASSERT_TRUE(next.t);
  EXPECT_TRUE(eventually([&] { return gone(next, gino); }, 10s))
      << "the instance that started did not sweep the orphan";
  ASSERT_OK(holder.t->close(*fd));
  ASSERT_OK(lone->t->close(*gfd));

  // 3. An instance that was stopped longer than its lease, alone: once it renews
  // again, it finds the lease gone, takes a new one and holds its files again.
  lone->put("/h", "data");
  auto hfd = lone->t->openat(AT_FDCWD, "/h", O_RDONLY);
  ASSERT_OK(hfd);
  const uint64_t hino = lone->st("/h").stx_ino;
  ASSERT_OK(lone->t->unlinkat(AT_FDCWD, "/h", 0));
  const int64_t first = ls.lease();
  ls.renew_lease(false);
  const std::string hholds = ls.layout().holds(hino);
  const auto holds_now = [&] {
    auto h = ls.client().range(hholds, etcdfs::prefix_end(hholds));
    return h.ok() ? h->kvs.size() : size_t{99};
  };
  ASSERT_TRUE(eventually([&] { return holds_now() == 0; }, 10s)) << "the lease did not run out";
  ls.renew_lease(true);
  EXPECT_TRUE(eventually([&] { return holds_now() == 1; }, 10s)) << "not held again";
  EXPECT_NE(ls.lease(), first);
  char buf[8] = {};
  auto n = lone->t->pread(*hfd, buf, sizeof buf, 0);
  ASSERT_OK(n);
  EXPECT_EQ(std::string(buf, *n), "data");
  ASSERT_OK(lone->t->close(*hfd));
}

// An instance that stops revokes its lease: its holds are gone already, and the lease
// is not left to run out.
TEST_F(EtcdTest, AStoppedInstanceLeavesNoLease) {
  auto c = std::make_unique<Instance>(options);
  ASSERT_TRUE(c->t);
  const int64_t id = c->super().lease();
  ASSERT_NE(id, 0);
  etcdfs::Client& client = a->super().client();
  auto left = client.lease_keep_alive(id);
  ASSERT_OK(left);
  EXPECT_GT(*left, 0);
  c.reset();
  left = client.lease_keep_alive(id);
  ASSERT_OK(left);
  EXPECT_EQ(*left, 0) << "the lease outlived its instance";
}

// Bad options are EINVAL; a cluster that is not there fails the mount within its
// budget (ETIMEDOUT), never hangs.
TEST(EtcdOptions, BadOptionsAndAbsentClusters) {
  EXPECT_ERRNO(Vfs::create("etcd", ""), EINVAL);
  EXPECT_ERRNO(Vfs::create("etcd", "prefix=x"), EINVAL);
  EXPECT_ERRNO(Vfs::create("etcd", "127.0.0.1:1,timeout=0"), EINVAL);
  EXPECT_ERRNO(Vfs::create("etcd", "127.0.0.1:1,bogus=1"), EINVAL);
  EXPECT_ERRNO(Vfs::create("etcd", "http://127.0.0.1:1/path"), EINVAL);
  EXPECT_ERRNO(Vfs::create("etcd", "127.0.0.1:1,lease=1"), EINVAL);
  EXPECT_ERRNO(Vfs::create("etcd", "127.0.0.1:1,lease=3601"), EINVAL);
  EXPECT_ERRNO(Vfs::create("etcd", "127.0.0.1:1,lease=x"), EINVAL);
  const auto t0 = Clock::now();
  EXPECT_ERRNO(Vfs::create("etcd", "127.0.0.1:1,timeout=1500"), ETIMEDOUT);
  EXPECT_LT(Clock::now() - t0, 5s);
}

// A cluster of its own (the shared one must not lose members): one member killed and
// restarted under writes costs nothing; quorum lost fails calls within the budget with
// ETIMEDOUT; quorum back, everything works again in the same instance.
TEST(EtcdFaults, MemberLossAndQuorumLoss) {
  rcuvfs_test::OwnEtcdCluster cluster;
  ASSERT_FALSE(cluster.endpoints().empty());
  Instance a(cluster.endpoints() + ",prefix=faults/");
  ASSERT_TRUE(a.t);
  ASSERT_TRUE(eventually([&] { return a.in_step(); }));
  ASSERT_OK(a.t->mkdirat(AT_FDCWD, "/d", 0755));
  // A writer creates and writes files, and renames every fifth, while one member
  // after another is killed and restarted, five times. Every call must succeed, and
  // every acknowledged change be there afterwards.
  std::atomic<bool> stop{false};
  std::vector<std::string> acked;  // the writer's, read after it is joined
  std::string error;
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      std::string p = "/d/f" + std::to_string(i);
      int e = 0;
      auto fd = a.t->openat(AT_FDCWD, p, O_CREAT | O_WRONLY, 0644);
      if (!fd.ok()) e = fd.error();
      if (!e) e = a.t->write(*fd, p.data(), p.size()).error();
      if (fd.ok() && !e) e = a.t->close(*fd).error();
      if (!e && i % 5 == 0) {
        const std::string to = "/d/r" + std::to_string(i);
        e = a.t->renameat2(AT_FDCWD, p, AT_FDCWD, to, 0).error();
        if (!e) p = to;
      }
      if (e) {
        error = "change " + std::to_string(i) + ": " + rcuvfs_test::errname(e);
        return;
      }
      acked.push_back(p);
    }
  });
  for (int k = 0; k < 5 && error.empty(); ++k) {
    const int member = 1 + k % 3;
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(cluster.kill(member)) << member;
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(cluster.restart(member)) << member;
  }
  std::this_thread::sleep_for(300ms);
  stop = true;
  writer.join();
  EXPECT_EQ(error, "");
  EXPECT_GT(acked.size(), 20u);
  // Every acknowledged file is there, as written, seen by a fresh instance.
  Instance check(cluster.endpoints() + ",prefix=faults/");
  ASSERT_TRUE(check.t);
  for (const std::string& p : acked) {
    const std::string f = "/d/f" + p.substr(4);
    EXPECT_EQ(check.get(p), f) << p;
  }
  std::printf("%zu changes acknowledged across 5 member kills; %llu calls tried again\n",
              acked.size(), static_cast<unsigned long long>(a.super().stats().client.retries));

  // Quorum lost: a change fails within 5 s with ETIMEDOUT, and so does a stat once
  // the watch has left step (cached attributes are not served without it).
  ASSERT_TRUE(cluster.kill(1));
  ASSERT_TRUE(cluster.kill(2));
  auto t0 = Clock::now();
  EXPECT_ERRNO(a.t->mkdirat(AT_FDCWD, "/d/x", 0755), ETIMEDOUT);
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_TRUE(eventually([&] { return !a.in_step(); }, 10s));
  t0 = Clock::now();
  EXPECT_ERRNO(a.t->statx(AT_FDCWD, "/d/f1", 0), ETIMEDOUT);
  EXPECT_LT(Clock::now() - t0, 5s);
  ASSERT_TRUE(cluster.restart(1));
  ASSERT_TRUE(cluster.restart(2));
  EXPECT_TRUE(eventually([&] { return a.t->mkdirat(AT_FDCWD, "/d/x", 0755).ok(); }, 20s));
  EXPECT_TRUE(eventually([&] { return a.in_step(); }, 20s));
  EXPECT_EQ(a.st("/d/f1").stx_size, 5u);
}

// A member that stops answering with its connections open (frozen, or cut off by a
// partition that sends no reset): the watch on it falls silent, with no error. The
// instance must leave step within the heartbeat's bound, not serve what it cached for
// ever, and come back in step when the member answers again.
TEST(EtcdFaults, AWatchThatFallsSilentIsLeft) {
  rcuvfs_test::OwnEtcdCluster cluster;
  ASSERT_FALSE(cluster.endpoints().empty());
  // a knows member 1 alone, so its watch is there; b knows all three.
  const std::string first = cluster.endpoints().substr(0, cluster.endpoints().find(','));
  Instance a(first + ",prefix=silent/");
  Instance b(cluster.endpoints() + ",prefix=silent/");
  ASSERT_TRUE(a.t && b.t);
  ASSERT_TRUE(eventually([&] { return a.in_step() && b.in_step(); }));
  ASSERT_OK(b.t->mkdirat(AT_FDCWD, "/d", 0755));
  ASSERT_TRUE(eventually([&] { return a.err("/d") == 0; }));
  // A stream with nothing to deliver is not silent: it answers the heartbeat.
  const auto silence = std::chrono::milliseconds(etcdfs::kWatchSilenceMs);
  std::this_thread::sleep_for(silence + 1500ms);
  EXPECT_TRUE(a.in_step());
  EXPECT_EQ(a.super().stats().client.silences, 0u);

  ASSERT_TRUE(cluster.pause(1));
  ASSERT_OK(b.t->fchmodat(AT_FDCWD, "/d", 0700, 0));
  EXPECT_TRUE(eventually([&] { return !a.in_step(); }, silence + 3s));
  EXPECT_GE(a.super().stats().client.silences, 1u);
  // Out of step, a asks its member, which does not answer: an error, not the 0755 it
  // had cached.
  auto r = a.t->statx(AT_FDCWD, "/d", 0);
  if (r.ok()) {
    EXPECT_EQ(r->stx_mode & 07777, 0700u);
  } else {
    EXPECT_EQ(r.error(), ETIMEDOUT);
  }
  ASSERT_TRUE(cluster.resume(1));
  EXPECT_TRUE(eventually([&] { return a.in_step(); }, 20s));
  EXPECT_EQ(a.st("/d").stx_mode & 07777, 0700u);
}

}  // namespace
}  // namespace rcuvfs
