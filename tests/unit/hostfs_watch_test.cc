// hostfs following the host (watcher.h): with entries and attributes trusted for an
// hour, changes made on the host behind rcuvfs's back still show through rcuvfs once
// the watch has reported them; changes made through rcuvfs come back from the host
// as echoes that change nothing and are not reported twice; stats of cached paths stay
// speculative. Without the watch (watch=0, the default) the hour rules.
#include "unit/test_util.h"

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/fs/changes.h>
#include <rcuvfs/security.h>

#include "core/internals.h"
#include "core/namei.h"
#include "core/ops_common.h"
#include "fs/hostfs/hostfs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>

namespace rcuvfs {
namespace {

using rcuvfs_test::HostDir;

// Each test runs with each of the host's sources: inotify, and fanotify where the
// process may use it (root).
class HostfsWatchTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(host.path().empty());
    if (fanotify() && !Vfs::create("hostfs", "watch=fanotify,dir=" + host.path()).ok())
      GTEST_SKIP() << "fanotify's filesystem marks need CAP_SYS_ADMIN";
  }
  bool fanotify() const { return std::string(GetParam()) == "fanotify"; }
  void start(std::string extra = "") {
    if (extra.empty()) extra = std::string("watch=") + GetParam() + ",";
    auto v = Vfs::create("hostfs", "ttl=3600," + extra + "dir=" + host.path());
    ASSERT_OK(v);
    vfs = std::move(*v);
    t = vfs->new_task();
  }
  std::string at(const std::string& rel) const { return host.path() + "/" + rel; }
  void host_put(const std::string& rel, const std::string& data = "") {
    int fd = ::open(at(rel).c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
  }
  // Waits (up to 10 s) for `cond`: the watch reports asynchronously. Returns whether
  // it came true.
  static bool eventually(const std::function<bool()>& cond) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!cond()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }
  int err(const char* path) { return t->statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW).error(); }
  // Reads `s` into `c` until the change to `last` has come (the host reports in
  // order: so have those before it). Returns whether it came within 10 s.
  static bool read_until(ChangeStream& s, const std::string& last, std::vector<Change>& c) {
    return eventually([&] {
      s.read(c, 1000, std::chrono::milliseconds(0));
      return !c.empty() && c.back().name == last;
    });
  }
  // The changes as "MASK:NAME", in order.
  static std::vector<std::string> masks_and_names(const std::vector<Change>& c) {
    std::vector<std::string> seen;
    for (const Change& x : c) seen.push_back(std::to_string(x.mask) + ":" + x.name);
    return seen;
  }
  // The root directory's inode, held until the test ends: for the tests that report a
  // host change themselves, as the watch does.
  Inode& root_inode() {
    auto root = core::lookup_path(core::state_of(*t), AT_FDCWD, "/", 0);
    EXPECT_TRUE(root.ok());
    root_ref = core::PathRef(*root);
    return *root_ref.inode();
  }

  HostDir host;
  std::unique_ptr<Vfs> vfs;
  std::unique_ptr<Task> t;
  core::PathRef root_ref;  // released before the namespace
};

TEST_P(HostfsWatchTest, HostChangesShowWithinTheTtl) {
  start();
  ASSERT_ERRNO(t->statx(AT_FDCWD, "f", 0), ENOENT);  // cached as absent for an hour
  host_put("f");
  EXPECT_TRUE(eventually([&] { return err("f") == 0; })) << "host create";
  ASSERT_EQ(::chmod(at("f").c_str(), 0600), 0);
  EXPECT_TRUE(eventually([&] {
    auto st = t->statx(AT_FDCWD, "f", 0);
    return st.ok() && (st->stx_mode & 07777) == 0600;
  })) << "host chmod";
  host_put("f", "12345");
  EXPECT_TRUE(eventually([&] {
    auto st = t->statx(AT_FDCWD, "f", 0);
    return st.ok() && st->stx_size == 5;
  })) << "host write";
  ASSERT_EQ(::rename(at("f").c_str(), at("g").c_str()), 0);
  EXPECT_TRUE(eventually([&] { return err("f") == ENOENT && err("g") == 0; })) << "host rename";
  ASSERT_EQ(::unlink(at("g").c_str()), 0);
  EXPECT_TRUE(eventually([&] { return err("g") == ENOENT; })) << "host unlink";
  // Below the root, and a directory replaced with its contents.
  ASSERT_EQ(::mkdir(at("d").c_str(), 0755), 0);
  EXPECT_TRUE(eventually([&] { return err("d") == 0; }));
  host_put("d/x");
  EXPECT_TRUE(eventually([&] { return err("d/x") == 0; }));
  ASSERT_EQ(::rename(at("d").c_str(), at("e").c_str()), 0);
  EXPECT_TRUE(eventually([&] { return err("d/x") == ENOENT && err("e/x") == 0; }));
  ASSERT_EQ(::unlink(at("e/x").c_str()), 0);
  EXPECT_TRUE(eventually([&] { return err("e/x") == ENOENT; }));
}

TEST_P(HostfsWatchTest, WithoutTheWatchTheTtlRules) {
  start("watch=0,");
  ASSERT_ERRNO(t->statx(AT_FDCWD, "f", 0), ENOENT);
  host_put("f");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_ERRNO(t->statx(AT_FDCWD, "f", 0), ENOENT) << "the cached absence is trusted";
}

TEST_P(HostfsWatchTest, EchoesChangeNothingAndAreNotReportedTwice) {
  start();
  auto in = t->inotify_init1(IN_NONBLOCK);
  ASSERT_OK(in);
  ASSERT_OK(t->inotify_add_watch(*in, ".", IN_CREATE | IN_DELETE | IN_MOVE | IN_ATTRIB));
  ASSERT_OK(t->mkdirat(AT_FDCWD, "r", 0755));
  ASSERT_OK(t->renameat2(AT_FDCWD, "r", AT_FDCWD, "s", 0));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "s", 0700));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "s", AT_REMOVEDIR));
  // The host reports in order: once its own marker is through, so are the echoes.
  host_put("marker");
  std::string seen;
  ASSERT_TRUE(eventually([&] {
    char buf[4096];
    auto n = t->read(*in, buf, sizeof buf);
    for (size_t off = 0; n.ok() && off < *n;) {
      struct inotify_event e;
      std::memcpy(&e, buf + off, sizeof e);
      seen += std::to_string(e.mask & ~IN_ISDIR) + ":" + std::string(buf + off + sizeof e) + " ";
      off += sizeof e + e.len;
    }
    return seen.find("marker") != std::string::npos;
  }));
  const auto m = [](uint32_t mask, const char* name) {
    return std::to_string(mask) + ":" + name + " ";
  };
  EXPECT_EQ(seen, m(IN_CREATE, "r") + m(IN_MOVED_FROM, "r") + m(IN_MOVED_TO, "s") +
                      m(IN_ATTRIB, "s") + m(IN_DELETE, "s") + m(IN_CREATE, "marker"));
}

// The host's attribute and data changes to a cached object reach the feed once each
// (an echo of a change made through rcuvfs does not: see the test above), so that a
// cache kept by the feed (a FUSE mount's kernel) hears of them.
// A host write load is a stream of object events (each write an IN_MODIFY, each close
// an IN_CLOSE_WRITE, each chmod an IN_ATTRIB). The events of one object in one read of
// the queue cost one fetch of its attributes, and still report both kinds, in order.
TEST_P(HostfsWatchTest, AnObjectsEventsInOneReadAreOneFetch) {
  host_put("f");
  start();
  auto s = vfs->subscribe();
  ASSERT_OK(t->statx(AT_FDCWD, "f", 0));  // cached
  auto& sb = static_cast<hostfs::HostSuper&>(*root_inode().sb);
  const hostfs::WatchStats before = sb.watch_stats();
  {
    // The watch's thread waits for the root's lock to apply m0's creation: what the
    // host does meanwhile is queued, and read at once when the lock is let go.
    std::unique_lock hold(root_inode().lock);
    host_put("m0");
    ASSERT_TRUE(eventually([&] { return sb.watch_stats().reads > before.reads; }));
    for (int i = 0; i < 50; ++i) {
      ASSERT_EQ(::chmod(at("f").c_str(), (i & 1) ? 0644 : 0600), 0);
      host_put("f", "x");
    }
    host_put("m1");
  }
  std::vector<Change> c;
  ASSERT_TRUE(read_until(*s, "m1", c));
  EXPECT_EQ(masks_and_names(c), (std::vector<std::string>{std::to_string(IN_CREATE) + ":m0",
                                            std::to_string(IN_ATTRIB) + ":f",
                                            std::to_string(IN_MODIFY) + ":f",
                                            std::to_string(IN_CREATE) + ":m1"}));
  const hostfs::WatchStats after = sb.watch_stats();
  EXPECT_EQ(after.fetches - before.fetches, 1u) << "f's 150 events, one fetch";
  // fanotify merges them itself, in its queue.
  if (!fanotify()) {
    EXPECT_EQ(after.folded - before.folded, 149u);
  }
  const Statx f = *t->statx(AT_FDCWD, "f", 0);
  EXPECT_EQ(f.stx_size, 50u);
  EXPECT_EQ(f.stx_mode & 07777, 0644u);
}

// A hard link removed on the host changes the link count of the object behind every
// other name, which the host reports for the removed name only.
TEST_P(HostfsWatchTest, AHardLinkRemovedOnTheHostShowsInTheOtherNamesLinkCount) {
  host_put("a");
  ASSERT_EQ(::link(at("a").c_str(), at("b").c_str()), 0);
  start();
  ASSERT_EQ(t->statx(AT_FDCWD, "a", 0)->stx_nlink, 2u);
  ASSERT_EQ(t->statx(AT_FDCWD, "b", 0)->stx_nlink, 2u);  // b cached
  ASSERT_EQ(::unlink(at("b").c_str()), 0);
  EXPECT_TRUE(eventually([&] { return err("b") == ENOENT; }));
  EXPECT_EQ(t->statx(AT_FDCWD, "a", 0)->stx_nlink, 1u);
}

TEST_P(HostfsWatchTest, HostAttributeChangesAreReported) {
  host_put("f");
  start();
  auto s = vfs->subscribe();
  const Statx f = *t->statx(AT_FDCWD, "f", 0);  // cached
  ASSERT_EQ(::chmod(at("f").c_str(), 0600), 0);
  host_put("f", "12345");
  // The host reports in order: once the marker is through, so are f's events.
  host_put("marker");
  std::vector<Change> c;
  ASSERT_TRUE(read_until(*s, "marker", c));
  EXPECT_EQ(masks_and_names(c), (std::vector<std::string>{std::to_string(IN_ATTRIB) + ":f",
                                            std::to_string(IN_MODIFY) + ":f",
                                            std::to_string(IN_CREATE) + ":marker"}));
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].object.ino, f.stx_ino);
  EXPECT_EQ(c[0].dir.ino, t->statx(AT_FDCWD, "/", 0)->stx_ino);
  EXPECT_EQ(c[0].origin, 0u) << "found by hostfs, made by no thread of rcuvfs";
  EXPECT_EQ(t->statx(AT_FDCWD, "f", 0)->stx_size, 5u);
}

// An object held through a directory entry that a host change dropped from the dcache
// (here: its directory renamed away and back on the host while a descriptor holds it;
// a FUSE server's nodes hold such descriptors) still has its host changes reported:
// the watch finds objects by their host identity, not through the dcache.
TEST_P(HostfsWatchTest, ChangesReachObjectsHeldBelowADroppedEntry) {
  ASSERT_EQ(::mkdir(at("d").c_str(), 0755), 0);
  host_put("d/f");
  start();
  auto s = vfs->subscribe();
  auto dfd = t->openat(AT_FDCWD, "d", O_PATH | O_DIRECTORY);
  ASSERT_OK(dfd);
  auto ffd = t->openat(*dfd, "f", O_PATH);
  ASSERT_OK(ffd);
  const uint64_t f_ino = t->fstat(*ffd)->stx_ino;
  ASSERT_EQ(::rename(at("d").c_str(), at("x").c_str()), 0);
  ASSERT_EQ(::rename(at("x").c_str(), at("d").c_str()), 0);
  std::vector<Change> c;
  auto through = [&](const char* marker) {
    host_put(marker);
    return eventually([&] {
      s->read(c, 100, std::chrono::milliseconds(0));
      return !c.empty() && c.back().name == marker;
    });
  };
  ASSERT_TRUE(through("marker1"));
  c.clear();
  ASSERT_EQ(::chmod(at("d/f").c_str(), 0600), 0);
  ASSERT_TRUE(through("marker2"));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(c[0].object.ino, f_ino);
  EXPECT_EQ(c[0].name, "f");
  EXPECT_EQ(t->fstat(*ffd)->stx_mode & 07777, 0600u);
}

// The host's own queue overflowing loses events: everything cached is dropped and the
// feed's subscribers hear IN_Q_OVERFLOW. The host's queue is made tiny for the watch's
// instance (inotify reads the limit when an instance is made; root only).
TEST_P(HostfsWatchTest, HostQueueOverflowDropsEverythingAndSaysSo) {
  const std::string limit_path =
      std::string("/proc/sys/fs/") + GetParam() + "/max_queued_events";
  const char* limit = limit_path.c_str();
  if (::geteuid() != 0 || ::access(limit, W_OK) != 0) GTEST_SKIP() << "needs root";
  for (int i = 0; i < 50; ++i) host_put("f" + std::to_string(i));
  auto set_limit = [&](const std::string& v) {
    FILE* f = std::fopen(limit, "w");
    ASSERT_NE(f, nullptr);
    std::fputs(v.c_str(), f);
    std::fclose(f);
  };
  char old[32] = {};
  {
    FILE* f = std::fopen(limit, "r");
    ASSERT_NE(f, nullptr);
    ASSERT_NE(std::fgets(old, sizeof old, f), nullptr);
    std::fclose(f);
  }
  set_limit("4");
  start();
  set_limit(old);
  auto s = vfs->subscribe();
  auto in = t->inotify_init1(IN_NONBLOCK);
  ASSERT_OK(in);
  ASSERT_OK(t->inotify_add_watch(*in, ".", IN_ATTRIB));
  for (int i = 0; i < 50; ++i) ASSERT_OK(t->statx(AT_FDCWD, ("f" + std::to_string(i)).c_str(), 0));
  // Bursts of host changes until one overflows the host's queue of four.
  std::vector<Change> c;
  bool overflowed = false;
  for (int round = 0; round < 100 && !overflowed; ++round) {
    for (int i = 0; i < 50; ++i)
      ASSERT_EQ(::chmod(at("f" + std::to_string(i)).c_str(), (round % 2) ? 0600 : 0640), 0);
    eventually([&] {
      s->read(c, 1000, std::chrono::milliseconds(1));
      for (const Change& x : c) overflowed |= x.mask == IN_Q_OVERFLOW;
      return overflowed;
    });
  }
  ASSERT_TRUE(overflowed) << "the host's queue never overflowed";
  // Whatever was lost, every stat now gives the host's mode.
  for (int i = 0; i < 50; ++i) {
    const std::string n = "f" + std::to_string(i);
    struct stat hs;
    ASSERT_EQ(::stat(at(n).c_str(), &hs), 0);
    EXPECT_EQ(t->statx(AT_FDCWD, n.c_str(), 0)->stx_mode, hs.st_mode) << n;
  }
  // The feed tells its subscribers one after the other: the instance may hear of it
  // a moment after the stream did.
  char buf[1 << 16];
  bool told = false;
  EXPECT_TRUE(eventually([&] {
    for (auto n = t->read(*in, buf, sizeof buf); n.ok() && *n; n = t->read(*in, buf, sizeof buf))
      for (size_t off = 0; off < *n;) {
        struct inotify_event e;
        std::memcpy(&e, buf + off, sizeof e);
        told |= e.wd == -1 && e.mask == IN_Q_OVERFLOW;
        off += sizeof e + e.len;
      }
    return told;
  })) << "inotify did not hear of the overflow";
}

TEST_P(HostfsWatchTest, CachedStatsStaySpeculative) {
  start();
  ASSERT_ERRNO(t->statx(AT_FDCWD, "marker", 0), ENOENT);
  host_put("f");
  // The host reports in order: once the marker shows, f's events have been handled.
  host_put("marker");
  ASSERT_TRUE(eventually([&] { return err("marker") == 0; }));
  ASSERT_OK(t->statx(AT_FDCWD, "f", 0));
  const uint64_t before = Vfs::counters().get(Counter::kStatSpeculative);
  for (int i = 0; i < 100; ++i) ASSERT_OK(t->statx(AT_FDCWD, "f", 0));
  EXPECT_GE(Vfs::counters().get(Counter::kStatSpeculative) - before, 100u);
}

// A directory the host renamed away is dropped from the dcache with what was cached
// below it, but a task may still stand in it (its working directory here) and look
// names up or rename entries into it. Nothing it finds or moves there may be cached:
// no walk from the root reaches it any more and nothing would ever drop it, so the
// consistency check (every hashed entry listed below a reachable one) would find it.
TEST_P(HostfsWatchTest, NothingIsCachedBelowADirectoryDroppedWhileInUse) {
  start();
  auto s = vfs->subscribe();
  ASSERT_EQ(::mkdir(at("d").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(at("g").c_str(), 0755), 0);
  host_put("f");
  host_put("g/k");
  ASSERT_TRUE(eventually([&] { return err("d") == 0 && err("f") == 0 && err("g/k") == 0; }));
  ASSERT_OK(t->chdir("d"));
  EXPECT_EQ(err("x"), ENOENT);  // cached as absent below d
  ASSERT_EQ(::rename(at("d").c_str(), at("e").c_str()), 0);
  ASSERT_TRUE(eventually([&] { return err("/d") == ENOENT && err("/e") == 0; }));
  // Through the dropped entry, the host directory is still there to ask.
  EXPECT_EQ(err("y"), ENOENT);
  host_put("e/z");
  EXPECT_EQ(err("z"), 0);
  // Entries moved into it: a file, and a directory with a cached child.
  ASSERT_OK(t->renameat2(AT_FDCWD, "/f", AT_FDCWD, "f2", 0));
  ASSERT_OK(t->renameat2(AT_FDCWD, "/g", AT_FDCWD, "g2", 0));
  EXPECT_EQ(err("f2"), 0);
  EXPECT_EQ(err("g2/k"), 0);
  EXPECT_EQ(err("/e/f2"), 0);
  EXPECT_EQ(err("/e/g2/k"), 0);
  EXPECT_EQ(err("/f"), ENOENT);
  // A host event on the name drops what was cached for it: the working directory's
  // dropped entry is then the only one named "d", and stays listed while in use.
  ASSERT_EQ(::mkdir(at("d").c_str(), 0755), 0);
  ASSERT_EQ(::rmdir(at("d").c_str()), 0);
  // The check wants the namespace quiet: the watch has handled every host event once
  // it reports one made after them (it reports in order).
  host_put("quiet");
  std::vector<Change> c;
  ASSERT_TRUE(eventually([&] {
    s->read(c, 100, std::chrono::milliseconds(0));
    return !c.empty() && c.back().name == "quiet";
  }));
  EXPECT_EQ(diag::check(*vfs), std::vector<std::string>{});
  ASSERT_OK(t->chdir("/"));
}

// A host change of a name drops its cached entry unless something is mounted on it
// (the mount tree is rcuvfs's own). The check and the drop are one step for mount,
// which refuses an entry already dropped: otherwise a mount that lands between them
// is attached to an entry no walk finds any more, and a stat of the mountpoint shows
// the host's directory while the mount is there. Here the watch's report of the
// entry (as for a host rename over it) races mounts on it.
TEST_P(HostfsWatchTest, AHostChangeNeverHidesAMountMadeMeanwhile) {
  ASSERT_EQ(::mkdir(at("w").c_str(), 0755), 0);
  start();
  Inode& dir = root_inode();
  const auto host_dev = t->statx(AT_FDCWD, "/", 0);
  ASSERT_OK(host_dev);
  std::atomic<bool> stop{false};
  std::thread watch([&] {
    while (!stop.load()) {
      std::unique_lock lk(dir.lock);  // as the watch reports: the directory locked
      EXPECT_EQ(entry_changed(dir, "w", IN_MOVED_TO | IN_ISDIR, 0), nullptr);
    }
  });
  int mounted = 0, hidden = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < end && hidden == 0) {
    auto m = t->mount("memfs", "/w");
    if (!m.ok()) {
      // Dropped again before each of the mount's walks could attach: refused.
      ASSERT_EQ(m.error(), ENOENT);
      continue;
    }
    ++mounted;
    auto st = t->statx(AT_FDCWD, "/w", 0);
    ASSERT_OK(st);
    if (st->stx_dev_major == host_dev->stx_dev_major &&
        st->stx_dev_minor == host_dev->stx_dev_minor) {
      ++hidden;  // the host's directory, with the mount attached
      break;
    }
    ASSERT_OK(t->umount("/w"));
  }
  stop = true;
  watch.join();
  EXPECT_EQ(hidden, 0) << "a mount made while the entry was dropped went unseen";
  EXPECT_GT(mounted, 10);
}

// Drops the entry `w` of `dir`, as the watch does for a host change, from the mount's
// security hook: after the mount walked to it and before it attaches.
class DropTargetOnMount : public SecurityModule {
 public:
  explicit DropTargetOnMount(Inode& dir) : dir_(dir) {}
  std::string_view name() const override { return "drop-target-on-mount"; }
  int sb_mount(const SecPath*, const SecPath&, std::string_view, const Cred&) override {
    if (!dropped.exchange(true)) {
      std::unique_lock lk(dir_.lock);
      EXPECT_EQ(entry_changed(dir_, "w", IN_MOVED_TO | IN_ISDIR, 0), nullptr);
    }
    return 0;
  }
  std::atomic<bool> dropped{false};

 private:
  Inode& dir_;
};

// The directory is still there: the mount walks to it again rather than fail.
TEST_P(HostfsWatchTest, AMountWalksAgainToATargetDroppedMeanwhile) {
  ASSERT_EQ(::mkdir(at("w").c_str(), 0755), 0);
  start();
  auto hook = std::make_shared<DropTargetOnMount>(root_inode());
  ASSERT_OK(vfs->add_security_module(hook));
  const auto host = t->statx(AT_FDCWD, "/", 0);
  ASSERT_OK(host);
  ASSERT_OK(t->mount("memfs", "/w"));
  EXPECT_TRUE(hook->dropped.load());
  auto st = t->statx(AT_FDCWD, "/w", 0);
  ASSERT_OK(st);
  EXPECT_NE(st->stx_dev_minor, host->stx_dev_minor) << "the memfs root, not the host's w";
  ASSERT_OK(t->umount("/w"));
}

INSTANTIATE_TEST_SUITE_P(Source, HostfsWatchTest, ::testing::Values("inotify", "fanotify"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace rcuvfs
