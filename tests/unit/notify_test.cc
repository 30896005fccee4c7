// The change feed from the public API: inotify descriptors (Linux's record layout,
// blocking and non-blocking reads, limits, overflow, the end of watches) and change
// streams (Vfs::subscribe: order, identities, cookies, overflow, the poll descriptor).
// Event semantics against the kernel: tests/shell/scripts/inotify*.sh.
#include "unit/test_util.h"

#include <rcuvfs/diagnostics.h>

#include <poll.h>

#include <cstring>
#include <thread>

namespace rcuvfs {
namespace {

using rcuvfs_test::VfsHarness;

struct Ev {
  int wd;
  uint32_t mask, cookie;
  std::string name;
};

// Every record of one read of `fd` into a buffer of `size` bytes.
std::vector<Ev> read_events(Task& t, int fd, size_t size = 4096) {
  std::vector<char> buf(size);
  auto n = t.read(fd, buf.data(), buf.size());
  EXPECT_OK(n);
  std::vector<Ev> out;
  if (!n.ok()) return out;
  for (size_t off = 0; off < *n;) {
    struct inotify_event e;
    std::memcpy(&e, buf.data() + off, sizeof e);
    EXPECT_EQ(e.len % sizeof e, 0u) << "name room padded to the header's size";
    out.push_back({e.wd, e.mask, e.cookie, std::string(buf.data() + off + sizeof e)});
    off += sizeof e + e.len;
  }
  return out;
}

class NotifyTest : public ::testing::Test, public VfsHarness {
 protected:
  void SetUp() override { make("memfs"); }
};

TEST_F(NotifyTest, RecordsAreLinuxs) {
  auto fd = t->inotify_init1(IN_NONBLOCK);
  ASSERT_OK(fd);
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  auto wd = t->inotify_add_watch(*fd, "d", IN_CREATE | IN_MOVE);
  ASSERT_OK(wd);
  put("d/a-longer-name");
  ASSERT_OK(t->renameat2(AT_FDCWD, "d/a-longer-name", AT_FDCWD, "d/b", 0));
  auto ev = read_events(*t, *fd);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].wd, *wd);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_CREATE});
  EXPECT_EQ(ev[0].name, "a-longer-name");
  EXPECT_EQ(ev[1].mask, uint32_t{IN_MOVED_FROM});
  EXPECT_EQ(ev[2].mask, uint32_t{IN_MOVED_TO});
  EXPECT_NE(ev[1].cookie, 0u);
  EXPECT_EQ(ev[1].cookie, ev[2].cookie);
  EXPECT_EQ(ev[2].name, "b");
  // Nothing left: EAGAIN on a non-blocking instance.
  char buf[256];
  EXPECT_ERRNO(t->read(*fd, buf, sizeof buf), EAGAIN);
}

TEST_F(NotifyTest, ShortBufferIsEinvalAndKeepsTheEvent) {
  auto fd = t->inotify_init1(IN_NONBLOCK);
  ASSERT_OK(fd);
  ASSERT_OK(t->inotify_add_watch(*fd, ".", IN_CREATE));
  put("f");
  char small[sizeof(struct inotify_event)];
  EXPECT_ERRNO(t->read(*fd, small, sizeof small), EINVAL);
  auto ev = read_events(*t, *fd);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].name, "f");
}

TEST_F(NotifyTest, BlockingReadWaitsForAnEvent) {
  auto fd = t->inotify_init1(0);
  ASSERT_OK(fd);
  ASSERT_OK(t->inotify_add_watch(*fd, ".", IN_CREATE));
  std::vector<Ev> got;
  std::thread reader([&] { got = read_events(*t, *fd); });
  ASSERT_OK(t->mkdirat(AT_FDCWD, "late", 0755));
  reader.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].mask, uint32_t{IN_CREATE | IN_ISDIR});
  EXPECT_EQ(got[0].name, "late");
}

TEST_F(NotifyTest, BadCallsFailAsLinux) {
  EXPECT_ERRNO(t->inotify_init1(O_RDWR), EINVAL);
  auto fd = t->inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_OK(fd);
  EXPECT_ERRNO(t->inotify_add_watch(99, ".", IN_CREATE), EBADF);
  auto dir = t->openat(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY);
  ASSERT_OK(dir);
  EXPECT_ERRNO(t->inotify_add_watch(*dir, ".", IN_CREATE), EINVAL);
  EXPECT_ERRNO(t->inotify_add_watch(*fd, ".", 0), EINVAL);
  EXPECT_ERRNO(t->inotify_add_watch(*fd, ".", IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE),
               EINVAL);
  EXPECT_ERRNO(t->inotify_add_watch(*fd, "", IN_CREATE), ENOENT);
  EXPECT_ERRNO(t->inotify_rm_watch(*fd, 1), EINVAL);
  EXPECT_ERRNO(t->inotify_rm_watch(*dir, 1), EINVAL);
  // The instance is no file: opened for reading only, not a directory.
  EXPECT_ERRNO(t->write(*fd, "x", 1), EBADF);
  EXPECT_ERRNO(t->statx(*fd, "x", 0), ENOTDIR);
  auto st = t->fstat(*fd);
  ASSERT_OK(st);
  EXPECT_EQ(st->stx_mode, 0600u);  // anon_inode: no file type
}

TEST_F(NotifyTest, LimitsAreEnforced) {
  NotifyLimits lim;
  lim.max_user_instances = 2;
  lim.max_user_watches = 3;
  lim.max_queued_events = 4;
  ASSERT_OK(vfs->set_notify_limits(lim));
  EXPECT_ERRNO(vfs->set_notify_limits(NotifyLimits{0, 1, 1}), EINVAL);
  auto a = t->inotify_init1(IN_NONBLOCK);
  auto b = t->inotify_init1(IN_NONBLOCK);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_ERRNO(t->inotify_init1(0), EMFILE);
  // Another user has instances of their own.
  auto other = vfs->new_task(Cred{1000, 1000, {}, nullptr});
  EXPECT_OK(other->inotify_init1(0));
  for (const char* d : {"w1", "w2", "w3", "w4"}) ASSERT_OK(t->mkdirat(AT_FDCWD, d, 0755));
  EXPECT_OK(t->inotify_add_watch(*a, "w1", IN_CREATE));
  EXPECT_OK(t->inotify_add_watch(*a, "w2", IN_CREATE));
  EXPECT_OK(t->inotify_add_watch(*b, "w3", IN_CREATE));
  EXPECT_ERRNO(t->inotify_add_watch(*b, "w4", IN_CREATE), ENOSPC);
  // Changing an existing watch is not a new one.
  EXPECT_OK(t->inotify_add_watch(*a, "w1", IN_CREATE | IN_DELETE));
  // Closing an instance gives its watches and its place back.
  ASSERT_OK(t->close(*b));
  EXPECT_OK(t->inotify_add_watch(*a, "w4", IN_CREATE));
  EXPECT_OK(t->inotify_init1(0));

  // Six events into a queue of four: four, then one IN_Q_OVERFLOW (wd -1).
  for (int i = 0; i < 6; ++i) put("w1/f" + std::to_string(i));
  auto ev = read_events(*t, *a);
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[3].name, "f3");
  EXPECT_EQ(ev[4].wd, -1);
  EXPECT_EQ(ev[4].mask, uint32_t{IN_Q_OVERFLOW});
  // Read out, the queue takes events again.
  put("w1/again");
  ev = read_events(*t, *a);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].name, "again");
}

TEST_F(NotifyTest, WatchesPinTheirObjectsUntilTheyEnd) {
  put("f");
  auto fd = t->inotify_init1(IN_NONBLOCK);
  ASSERT_OK(fd);
  auto wd = t->inotify_add_watch(*fd, "f", IN_ATTRIB);
  ASSERT_OK(wd);
  const int64_t before = diag::live_inodes();
  // Unlinked, the object ends at once: IN_ATTRIB (link count), IN_DELETE_SELF is not
  // asked for, IN_IGNORED always comes; the watch's reference is gone with it.
  ASSERT_OK(t->unlinkat(AT_FDCWD, "f", 0));
  auto ev = read_events(*t, *fd);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_ATTRIB});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_IGNORED});
  EXPECT_EQ(ev[1].wd, *wd);
  diag::quiesce();
  EXPECT_EQ(diag::live_inodes(), before - 1);
  // Closing the instance releases what its watches hold.
  put("g");
  ASSERT_OK(t->inotify_add_watch(*fd, "g", IN_ATTRIB));
  ASSERT_OK(t->close(*fd));
  ASSERT_OK(t->unlinkat(AT_FDCWD, "g", 0));
  diag::quiesce();
  EXPECT_EQ(diag::live_inodes(), before - 1);
}

TEST_F(NotifyTest, UnmountEndsWatches) {
  ASSERT_OK(t->mkdirat(AT_FDCWD, "m", 0755));
  ASSERT_OK(t->mount("memfs", "m"));
  put("m/x");
  auto fd = t->inotify_init1(IN_NONBLOCK);
  ASSERT_OK(fd);
  ASSERT_OK(t->inotify_add_watch(*fd, "m/x", IN_ALL_EVENTS));
  ASSERT_OK(t->umount("m"));
  auto ev = read_events(*t, *fd);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].mask, uint32_t{IN_UNMOUNT});
  EXPECT_EQ(ev[1].mask, uint32_t{IN_IGNORED});
}

TEST_F(NotifyTest, StreamSeesEveryChangeInOrder) {
  auto s = vfs->subscribe();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "d", 0755));
  put("d/a");
  ASSERT_OK(t->renameat2(AT_FDCWD, "d/a", AT_FDCWD, "b", 0));
  ASSERT_OK(t->fchmodat(AT_FDCWD, "b", 0600));
  const Statx d = st("d"), b = st("b"), root = st("/");
  ASSERT_OK(t->unlinkat(AT_FDCWD, "b", 0));
  std::vector<Change> c;
  while (s->read(c, 100, std::chrono::milliseconds(0))) {
  }
  std::vector<std::string> seen;
  for (const Change& x : c) seen.push_back(std::to_string(x.mask) + ":" + x.name);
  const auto m = [](uint32_t mask, std::string name) { return std::to_string(mask) + ":" + name; };
  EXPECT_EQ(seen, (std::vector<std::string>{
                      m(IN_CREATE | IN_ISDIR, "d"), m(IN_CREATE, "a"), m(IN_OPEN, "a"),
                      m(IN_CLOSE_WRITE, "a"), m(IN_MOVED_FROM, "a"), m(IN_MOVED_TO, "b"),
                      m(IN_MOVE_SELF, ""), m(IN_ATTRIB, "b"), m(IN_ATTRIB, ""),
                      m(IN_DELETE_SELF, ""), m(IN_DELETE, "b")}));
  ASSERT_EQ(c.size(), 11u);
  EXPECT_EQ(c[0].object.ino, d.stx_ino);
  EXPECT_EQ(c[0].dir.ino, root.stx_ino);
  EXPECT_EQ(c[0].object.dev, makedev(d.stx_dev_major, d.stx_dev_minor));
  EXPECT_EQ(c[4].object.ino, b.stx_ino);
  EXPECT_EQ(c[4].dir.ino, d.stx_ino);
  EXPECT_EQ(c[5].dir.ino, root.stx_ino);
  EXPECT_EQ(c[4].cookie, c[5].cookie);
  EXPECT_EQ(c[7].dir.ino, root.stx_ino) << "an object's event names where it was reached";
  EXPECT_EQ(c[8].dir.ino, 0u);
  EXPECT_EQ(s->lost(), 0u);
}

TEST_F(NotifyTest, StreamOverflowDropsEverythingAndSaysSo) {
  auto s = vfs->subscribe(3);
  pollfd p{s->pollfd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0) << "nothing queued: not readable";
  ASSERT_OK(t->mkdirat(AT_FDCWD, "a", 0755));
  EXPECT_EQ(::poll(&p, 1, 0), 1);
  for (const char* d : {"b", "c", "e", "f"}) ASSERT_OK(t->mkdirat(AT_FDCWD, d, 0755));
  std::vector<Change> c;
  EXPECT_EQ(s->read(c, 100, std::chrono::milliseconds(0)), 1u);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].mask, uint32_t{IN_Q_OVERFLOW});
  EXPECT_EQ(s->lost(), 5u);
  EXPECT_EQ(::poll(&p, 1, 0), 0) << "read out: not readable";
  ASSERT_OK(t->mkdirat(AT_FDCWD, "g", 0755));
  c.clear();
  EXPECT_EQ(s->read(c, 100, std::chrono::milliseconds(0)), 1u);
  EXPECT_EQ(c[0].name, "g");
}

// A subscriber that also makes changes tells its own apart by the origin its threads
// set: a change carries the origin of the thread that made it, 0 when untagged.
TEST_F(NotifyTest, ChangesCarryTheirThreadsOrigin) {
  auto s = vfs->subscribe();
  std::thread([&] {
    set_change_origin(42);
    EXPECT_OK(t->mkdirat(AT_FDCWD, "mine", 0755));
  }).join();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "theirs", 0755));
  set_change_origin(7);
  ASSERT_OK(t->fchmodat(AT_FDCWD, "theirs", 0700));
  set_change_origin(0);
  std::vector<Change> c;
  while (s->read(c, 100, std::chrono::milliseconds(0))) {
  }
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].name, "mine");
  EXPECT_EQ(c[0].origin, 42u);
  EXPECT_EQ(c[1].name, "theirs");
  EXPECT_EQ(c[1].origin, 0u);
  EXPECT_EQ(c[2].mask, uint32_t{IN_ATTRIB | IN_ISDIR});
  EXPECT_EQ(c[2].origin, 7u);
}

// memfs keeps everything in rcuvfs: the feed misses nothing. A filesystem whose store
// changes elsewhere unseen (hostfs without its watch) mounted anywhere in the
// namespace makes that false; with the watch it is true again.
TEST_F(NotifyTest, ReportsEveryChangeOnlyWhenEveryMountDoes) {
  EXPECT_TRUE(vfs->reports_every_change());
  rcuvfs_test::HostDir host;
  ASSERT_FALSE(host.path().empty());
  ASSERT_OK(t->mkdirat(AT_FDCWD, "m", 0755));
  ASSERT_OK(t->mount("hostfs", "m", "watch=0,dir=" + host.path()));
  EXPECT_FALSE(vfs->reports_every_change());
  ASSERT_OK(t->umount("m"));
  EXPECT_TRUE(vfs->reports_every_change());
  ASSERT_OK(t->mount("hostfs", "m", "watch=1,dir=" + host.path()));
  EXPECT_TRUE(vfs->reports_every_change());
  ASSERT_OK(t->umount("m"));
}

}  // namespace
}  // namespace rcuvfs
