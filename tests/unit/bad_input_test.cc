// Bad input through the public API: embedded NULs, overlong paths and names, symlink
// chains past the limit, invalid flag bits, bad descriptors and descriptors of the
// wrong type. Each case expects Linux's errno (checked against Linux 6.x on tmpfs),
// and must leave nothing half-applied: the tree (names, types, modes, owners, link
// counts, sizes, times, link targets) is identical before and after, and at the end
// of each test the consistency check (diag::check) finds nothing.
#include "test_util.h"

#include <rcuvfs/diagnostics.h>

#include <climits>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace rcuvfs;
using rcuvfs_test::errname;

// Every object below the root, one line each (the descriptors of the fixture keep
// /d, /f and /l open, so a stray unlink would still show as a missing name here).
void list_tree(Task& t, const std::string& dir, std::string& out) {
  auto fd = t.openat(AT_FDCWD, dir.empty() ? "/" : dir, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(fd.ok()) << dir;
  std::vector<DirEntry> ents;
  while (true) {
    auto n = t.getdents(*fd, ents);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
  }
  ASSERT_TRUE(t.close(*fd).ok());
  for (const auto& e : ents) {
    if (e.name == "." || e.name == "..") continue;
    const std::string p = dir + "/" + e.name;
    auto st = t.statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW);
    ASSERT_TRUE(st.ok()) << p;
    out += p + " mode=" + std::to_string(st->stx_mode) + " ino=" + std::to_string(st->stx_ino) +
           " nlink=" + std::to_string(st->stx_nlink) + " uid=" + std::to_string(st->stx_uid) +
           " gid=" + std::to_string(st->stx_gid) + " size=" + std::to_string(st->stx_size) +
           " mtime=" + std::to_string(st->stx_mtime.tv_sec) + "." +
           std::to_string(st->stx_mtime.tv_nsec) + " ctime=" +
           std::to_string(st->stx_ctime.tv_sec) + "." + std::to_string(st->stx_ctime.tv_nsec);
    if (S_ISLNK(st->stx_mode)) {
      auto target = t.readlinkat(AT_FDCWD, p);
      ASSERT_TRUE(target.ok());
      out += " -> " + *target;
    }
    out += "\n";
    if (S_ISDIR(st->stx_mode)) list_tree(t, p, out);
  }
}

class BadInput : public ::testing::Test, public rcuvfs_test::VfsHarness {
 protected:
  void SetUp() override {
    make("memfs");
    ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
    put("/d/f", "in d");
    put("/f", "hello");
    ASSERT_OK(t->symlinkat("f", AT_FDCWD, "/l"));
    // c0 -> c1 -> ... -> c40 -> f: resolving c0 follows 41 links, c1 follows 40.
    for (int i = 0; i <= 40; ++i)
      ASSERT_OK(t->symlinkat(i == 40 ? "f" : "c" + std::to_string(i + 1), AT_FDCWD,
                             "/c" + std::to_string(i)));
    dir_fd = open("/d", O_RDONLY | O_DIRECTORY);
    file_fd = open("/f", O_RDWR);
    rdonly_fd = open("/f", O_RDONLY);
    path_fd = open("/f", O_PATH);
    link_fd = open("/l", O_PATH | O_NOFOLLOW);
    closed_fd = open("/f", O_RDONLY);
    ASSERT_OK(t->close(closed_fd));
  }

  int open(const char* path, int flags) {
    auto fd = t->openat(AT_FDCWD, path, flags);
    EXPECT_OK(fd) << path;
    return fd.ok() ? *fd : -1;
  }

  std::string tree() {
    std::string out;
    list_tree(*t, "", out);
    return out;
  }

  // Runs `call`, which must fail with `want` and change nothing.
  void expect_rejected(const std::string& what, int want, const std::function<int()>& call) {
    SCOPED_TRACE(what);
    const std::string before = tree();
    EXPECT_EQ(errname(call()), errname(want));
    EXPECT_EQ(tree(), before);
  }

  // The consistency check scans the whole dcache hash: once per test is enough.
  void TearDown() override { EXPECT_EQ(diag::check(*vfs), std::vector<std::string>{}); }

  int dir_fd = -1, file_fd = -1, rdonly_fd = -1, path_fd = -1, link_fd = -1, closed_fd = -1;
};

template <class R>
int err(const R& r) {
  return r.ok() ? 0 : r.error();
}

OpenHow how(uint64_t flags, uint64_t mode = 0, uint64_t resolve = 0) {
  OpenHow h{};
  h.flags = flags;
  h.mode = mode;
  h.resolve = resolve;
  return h;
}

const std::string kNul("a\0b", 3);
const std::string kName256(256, 'n');
const std::string kName255(255, 'n');
// 4096 bytes: no room for the terminating NUL within PATH_MAX.
const std::string kPath4096 = [] {
  std::string s;
  while (s.size() + 2 <= 4096) s += "./";
  return s.size() < 4096 ? s + "/" : s;
}();

TEST_F(BadInput, EmbeddedNul) {
  expect_rejected("statx", EINVAL, [&] { return err(t->statx(AT_FDCWD, kNul)); });
  // Every other component exists: the NUL is what must decide, wherever it is.
  for (const std::string& p : {std::string("/f\0", 3), std::string("/d/f\0x", 7),
                               std::string("/d\0/f", 6), std::string("d/\0/f", 6)})
    expect_rejected("statx of an existing path with a NUL", EINVAL,
                    [&] { return err(t->statx(AT_FDCWD, p)); });
  expect_rejected("openat2 creat", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, kNul, how(O_CREAT | O_WRONLY, 0644))); });
  expect_rejected("mkdirat", EINVAL, [&] { return err(t->mkdirat(AT_FDCWD, kNul, 0755)); });
  expect_rejected("mknodat", EINVAL,
                  [&] { return err(t->mknodat(AT_FDCWD, kNul, S_IFREG | 0644, 0)); });
  expect_rejected("symlinkat path", EINVAL,
                  [&] { return err(t->symlinkat("f", AT_FDCWD, kNul)); });
  expect_rejected("symlinkat target", EINVAL,
                  [&] { return err(t->symlinkat(kNul, AT_FDCWD, "/new")); });
  expect_rejected("linkat new", EINVAL,
                  [&] { return err(t->linkat(AT_FDCWD, "/f", AT_FDCWD, kNul, 0)); });
  expect_rejected("linkat old", EINVAL,
                  [&] { return err(t->linkat(AT_FDCWD, kNul, AT_FDCWD, "/new", 0)); });
  expect_rejected("unlinkat", EINVAL,
                  [&] { return err(t->unlinkat(AT_FDCWD, std::string("/f\0x", 4), 0)); });
  expect_rejected("renameat2 new", EINVAL,
                  [&] { return err(t->renameat2(AT_FDCWD, "/f", AT_FDCWD, kNul, 0)); });
  expect_rejected("renameat2 old", EINVAL, [&] {
    return err(t->renameat2(AT_FDCWD, std::string("/f\0", 3), AT_FDCWD, "/g", 0));
  });
  expect_rejected("readlinkat", EINVAL,
                  [&] { return err(t->readlinkat(AT_FDCWD, std::string("/l\0", 3))); });
  expect_rejected("fchmodat", EINVAL,
                  [&] { return err(t->fchmodat(AT_FDCWD, std::string("/f\0", 3), 0)); });
  expect_rejected("fchownat", EINVAL,
                  [&] { return err(t->fchownat(AT_FDCWD, std::string("/f\0", 3), 5, 5)); });
  expect_rejected("truncate", EINVAL,
                  [&] { return err(t->truncate(std::string("/f\0", 3), 0)); });
  expect_rejected("chdir", EINVAL, [&] { return err(t->chdir(std::string("/d\0", 3))); });
  expect_rejected("mount", EINVAL,
                  [&] { return err(t->mount("memfs", std::string("/d\0", 3))); });
}

TEST_F(BadInput, OverlongPathsAndNames) {
  ASSERT_EQ(kPath4096.size(), 4096u);
  const std::string path4095 = kPath4096.substr(0, 4095);
  // One byte shorter is a valid path (all "./"): it names the cwd.
  EXPECT_OK(t->statx(AT_FDCWD, path4095));
  expect_rejected("statx 4096", ENAMETOOLONG, [&] { return err(t->statx(AT_FDCWD, kPath4096)); });
  // Plain components only (what the fast stat walks): the length alone decides.
  const std::string slashes_f = std::string(4095, '/') + "f";
  expect_rejected("statx 4096 to an existing file", ENAMETOOLONG,
                  [&] { return err(t->statx(AT_FDCWD, slashes_f)); });
  EXPECT_OK(t->statx(AT_FDCWD, slashes_f.substr(1)));
  expect_rejected("mkdirat 4096", ENAMETOOLONG,
                  [&] { return err(t->mkdirat(AT_FDCWD, kPath4096 + "x", 0755)); });
  expect_rejected("openat2 creat 4096", ENAMETOOLONG, [&] {
    return err(t->openat2(AT_FDCWD, kPath4096 + "x", how(O_CREAT | O_WRONLY, 0644)));
  });
  expect_rejected("symlinkat target 4096", ENAMETOOLONG,
                  [&] { return err(t->symlinkat(kPath4096, AT_FDCWD, "/new")); });
  expect_rejected("renameat2 to 4096", ENAMETOOLONG,
                  [&] { return err(t->renameat2(AT_FDCWD, "/f", AT_FDCWD, kPath4096, 0)); });
  expect_rejected("statx name 256", ENAMETOOLONG,
                  [&] { return err(t->statx(AT_FDCWD, "/" + kName256)); });
  expect_rejected("statx name 256 mid-path", ENAMETOOLONG,
                  [&] { return err(t->statx(AT_FDCWD, "/" + kName256 + "/x")); });
  expect_rejected("mkdirat name 256", ENAMETOOLONG,
                  [&] { return err(t->mkdirat(AT_FDCWD, "/d/" + kName256, 0755)); });
  expect_rejected("create name 256", ENAMETOOLONG, [&] {
    return err(t->openat2(AT_FDCWD, "/d/" + kName256, how(O_CREAT | O_WRONLY, 0644)));
  });
  expect_rejected("symlinkat name 256", ENAMETOOLONG,
                  [&] { return err(t->symlinkat("f", AT_FDCWD, "/" + kName256)); });
  expect_rejected("linkat name 256", ENAMETOOLONG,
                  [&] { return err(t->linkat(AT_FDCWD, "/f", AT_FDCWD, "/" + kName256, 0)); });
  expect_rejected("rename to name 256", ENAMETOOLONG,
                  [&] { return err(t->renameat2(AT_FDCWD, "/f", AT_FDCWD, "/" + kName256, 0)); });
  expect_rejected("unlink name 256", ENAMETOOLONG,
                  [&] { return err(t->unlinkat(AT_FDCWD, "/" + kName256, 0)); });
  // 255 bytes is a legal name.
  expect_rejected("statx name 255", ENOENT,
                  [&] { return err(t->statx(AT_FDCWD, "/" + kName255)); });
  EXPECT_OK(t->mkdirat(AT_FDCWD, "/d/" + kName255, 0755));
  EXPECT_OK(t->symlinkat(path4095, AT_FDCWD, "/long"));
}

TEST_F(BadInput, SymlinkChains) {
  EXPECT_OK(t->statx(AT_FDCWD, "/c1"));  // 40 links
  EXPECT_OK(t->openat2(AT_FDCWD, "/c1", how(O_RDONLY)));
  expect_rejected("statx 41 links", ELOOP, [&] { return err(t->statx(AT_FDCWD, "/c0")); });
  expect_rejected("statx 41 links as a directory", ELOOP,
                  [&] { return err(t->statx(AT_FDCWD, "/c0/")); });
  expect_rejected("open 41 links", ELOOP,
                  [&] { return err(t->openat2(AT_FDCWD, "/c0", how(O_RDONLY))); });
  expect_rejected("open creat through 41 links", ELOOP,
                  [&] { return err(t->openat2(AT_FDCWD, "/c0", how(O_CREAT | O_WRONLY, 0644))); });
  expect_rejected("truncate 41 links", ELOOP, [&] { return err(t->truncate("/c0", 0)); });
  expect_rejected("chmod 41 links", ELOOP, [&] { return err(t->fchmodat(AT_FDCWD, "/c0", 0)); });
  expect_rejected("link follow 41 links", ELOOP, [&] {
    return err(t->linkat(AT_FDCWD, "/c0", AT_FDCWD, "/new", AT_SYMLINK_FOLLOW));
  });
  // Not following the last link is fine at any depth.
  EXPECT_OK(t->statx(AT_FDCWD, "/c0", AT_SYMLINK_NOFOLLOW));
  EXPECT_OK(t->readlinkat(AT_FDCWD, "/c0"));
}

TEST_F(BadInput, InvalidFlagBits) {
  // statx
  expect_rejected("statx flag 0x80000000", EINVAL,
                  [&] { return err(t->statx(AT_FDCWD, "/f", int(0x80000000u))); });
  expect_rejected("statx AT_REMOVEDIR", EINVAL,
                  [&] { return err(t->statx(AT_FDCWD, "/f", AT_REMOVEDIR)); });
  expect_rejected("statx AT_SYMLINK_FOLLOW", EINVAL,
                  [&] { return err(t->statx(AT_FDCWD, "/f", AT_SYMLINK_FOLLOW)); });
  expect_rejected("statx both sync types", EINVAL, [&] {
    return err(t->statx(AT_FDCWD, "/f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC));
  });
  expect_rejected("statx reserved mask", EINVAL,
                  [&] { return err(t->statx(AT_FDCWD, "/f", 0, STATX__RESERVED)); });
  // openat2: flags, resolve bits, mode
  expect_rejected("openat2 flag 1<<40", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/f", how(uint64_t{1} << 40))); });
  expect_rejected("openat2 flag 0x80000000", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/f", how(0x80000000u))); });
  expect_rejected("openat2 resolve 0x40", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/f", how(O_RDONLY, 0, 0x40))); });
  expect_rejected("openat2 resolve 1<<63", EINVAL, [&] {
    return err(t->openat2(AT_FDCWD, "/f", how(O_RDONLY, 0, uint64_t{1} << 63)));
  });
  expect_rejected("openat2 beneath|in_root", EINVAL, [&] {
    return err(t->openat2(AT_FDCWD, "/f", how(O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT)));
  });
  expect_rejected("openat2 mode without O_CREAT", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/f", how(O_RDONLY, 0644))); });
  expect_rejected("openat2 mode 010000", EINVAL, [&] {
    return err(t->openat2(AT_FDCWD, "/new", how(O_CREAT | O_WRONLY, 010000)));
  });
  expect_rejected("openat2 O_PATH|O_CREAT", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/new", how(O_PATH | O_CREAT, 0644))); });
  expect_rejected("openat2 O_PATH|O_WRONLY", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/f", how(O_PATH | O_WRONLY))); });
  expect_rejected("openat2 O_PATH|O_TRUNC", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/f", how(O_PATH | O_TRUNC))); });
  expect_rejected("openat2 O_DIRECTORY|O_CREAT", EINVAL, [&] {
    return err(t->openat2(AT_FDCWD, "/new", how(O_DIRECTORY | O_CREAT, 0644)));
  });
  expect_rejected("openat2 O_TMPFILE read-only", EINVAL,
                  [&] { return err(t->openat2(AT_FDCWD, "/d", how(O_TMPFILE | O_RDONLY))); });
  expect_rejected("openat2 __O_TMPFILE without O_DIRECTORY", EINVAL,
                  [&] {
                    const uint64_t tmpfile_bit = O_TMPFILE & ~O_DIRECTORY;
                    return err(t->openat2(AT_FDCWD, "/d", how(tmpfile_bit | O_WRONLY)));
                  });
  expect_rejected("openat2 O_TMPFILE|O_CREAT", EINVAL, [&] {
    return err(t->openat2(AT_FDCWD, "/d", how(O_TMPFILE | O_CREAT | O_WRONLY, 0600)));
  });
  // A valid O_TMPFILE resolves its directory, then fails: no shipped filesystem
  // makes unnamed files (Linux: EOPNOTSUPP from a filesystem without ->tmpfile).
  expect_rejected("openat2 O_TMPFILE", EOPNOTSUPP,
                  [&] { return err(t->openat2(AT_FDCWD, "/d", how(O_TMPFILE | O_WRONLY, 0600))); });
  expect_rejected("openat2 O_TMPFILE in a missing directory", ENOENT, [&] {
    return err(t->openat2(AT_FDCWD, "/nodir", how(O_TMPFILE | O_WRONLY, 0600)));
  });
  expect_rejected("openat2 O_TMPFILE in a file", ENOTDIR,
                  [&] { return err(t->openat2(AT_FDCWD, "/f", how(O_TMPFILE | O_RDWR))); });
  expect_rejected("openat2 cached|O_TMPFILE", EAGAIN, [&] {
    return err(t->openat2(AT_FDCWD, "/d", how(O_TMPFILE | O_WRONLY, 0600, RESOLVE_CACHED)));
  });
  expect_rejected("openat2 cached|creat", EAGAIN, [&] {
    return err(t->openat2(AT_FDCWD, "/new", how(O_CREAT | O_WRONLY, 0644, RESOLVE_CACHED)));
  });
  expect_rejected("openat2 cached|trunc", EAGAIN, [&] {
    return err(t->openat2(AT_FDCWD, "/f", how(O_TRUNC | O_WRONLY, 0, RESOLVE_CACHED)));
  });
  // unlinkat, renameat2, linkat, fchmodat, fchownat
  expect_rejected("unlinkat AT_SYMLINK_NOFOLLOW", EINVAL,
                  [&] { return err(t->unlinkat(AT_FDCWD, "/f", AT_SYMLINK_NOFOLLOW)); });
  expect_rejected("unlinkat 0x1", EINVAL, [&] { return err(t->unlinkat(AT_FDCWD, "/f", 1)); });
  expect_rejected("renameat2 1<<5", EINVAL,
                  [&] { return err(t->renameat2(AT_FDCWD, "/f", AT_FDCWD, "/g", 1u << 5)); });
  expect_rejected("renameat2 noreplace|exchange", EINVAL, [&] {
    return err(t->renameat2(AT_FDCWD, "/f", AT_FDCWD, "/l", RENAME_NOREPLACE | RENAME_EXCHANGE));
  });
  expect_rejected("renameat2 whiteout|exchange", EINVAL, [&] {
    return err(t->renameat2(AT_FDCWD, "/f", AT_FDCWD, "/l", RENAME_WHITEOUT | RENAME_EXCHANGE));
  });
  expect_rejected("linkat AT_SYMLINK_NOFOLLOW", EINVAL, [&] {
    return err(t->linkat(AT_FDCWD, "/f", AT_FDCWD, "/g", AT_SYMLINK_NOFOLLOW));
  });
  expect_rejected("linkat 0x1", EINVAL,
                  [&] { return err(t->linkat(AT_FDCWD, "/f", AT_FDCWD, "/g", 1)); });
  expect_rejected("fchmodat 0x1", EINVAL,
                  [&] { return err(t->fchmodat(AT_FDCWD, "/f", 0600, 1)); });
  expect_rejected("fchmodat AT_REMOVEDIR", EINVAL,
                  [&] { return err(t->fchmodat(AT_FDCWD, "/f", 0600, AT_REMOVEDIR)); });
  expect_rejected("fchmodat nofollow on a symlink", EOPNOTSUPP,
                  [&] { return err(t->fchmodat(AT_FDCWD, "/l", 0600, AT_SYMLINK_NOFOLLOW)); });
  expect_rejected("fchownat 0x1", EINVAL,
                  [&] { return err(t->fchownat(AT_FDCWD, "/f", 5, 5, 1)); });
  expect_rejected("fchownat AT_REMOVEDIR", EINVAL,
                  [&] { return err(t->fchownat(AT_FDCWD, "/f", 5, 5, AT_REMOVEDIR)); });
  expect_rejected("mknodat S_IFDIR", EPERM,
                  [&] { return err(t->mknodat(AT_FDCWD, "/new", S_IFDIR | 0755, 0)); });
  expect_rejected("mknodat type 0170000", EINVAL,
                  [&] { return err(t->mknodat(AT_FDCWD, "/new", 0170000 | 0755, 0)); });
  expect_rejected("umount unknown flag", EINVAL, [&] { return err(t->umount("/", 0x100)); });
}

TEST_F(BadInput, BadDescriptors) {
  for (int fd : {closed_fd, -5, 1000, INT_MAX}) {
    const std::string n = " fd " + std::to_string(fd);
    expect_rejected("statx" + n, EBADF, [&] { return err(t->statx(fd, "f")); });
    expect_rejected("statx empty path" + n, EBADF,
                    [&] { return err(t->statx(fd, "", AT_EMPTY_PATH)); });
    expect_rejected("openat2" + n, EBADF, [&] { return err(t->openat2(fd, "f", how(O_RDONLY))); });
    expect_rejected("mkdirat" + n, EBADF, [&] { return err(t->mkdirat(fd, "x", 0755)); });
    expect_rejected("unlinkat" + n, EBADF, [&] { return err(t->unlinkat(fd, "f", 0)); });
    expect_rejected("renameat2 old" + n, EBADF,
                    [&] { return err(t->renameat2(fd, "f", AT_FDCWD, "/g", 0)); });
    expect_rejected("renameat2 new" + n, EBADF,
                    [&] { return err(t->renameat2(AT_FDCWD, "/f", fd, "g", 0)); });
    expect_rejected("linkat" + n, EBADF,
                    [&] { return err(t->linkat(AT_FDCWD, "/f", fd, "g", 0)); });
    expect_rejected("symlinkat" + n, EBADF, [&] { return err(t->symlinkat("f", fd, "g")); });
    expect_rejected("readlinkat" + n, EBADF, [&] { return err(t->readlinkat(fd, "l")); });
    expect_rejected("fchmodat" + n, EBADF, [&] { return err(t->fchmodat(fd, "f", 0)); });
    expect_rejected("fchownat" + n, EBADF, [&] { return err(t->fchownat(fd, "f", 5, 5)); });
    expect_rejected("close" + n, EBADF, [&] { return err(t->close(fd)); });
    char c;
    expect_rejected("read" + n, EBADF, [&] { return err(t->read(fd, &c, 1)); });
    expect_rejected("write" + n, EBADF, [&] { return err(t->write(fd, "x", 1)); });
    expect_rejected("ftruncate" + n, EBADF, [&] { return err(t->ftruncate(fd, 0)); });
    expect_rejected("fchdir" + n, EBADF, [&] { return err(t->fchdir(fd)); });
    std::vector<DirEntry> ents;
    expect_rejected("getdents" + n, EBADF, [&] { return err(t->getdents(fd, ents)); });
    expect_rejected("fdpath" + n, EBADF, [&] { return err(t->fdpath(fd)); });
    // An absolute path ignores the descriptor, good or bad.
    EXPECT_OK(t->statx(fd, "/f")) << n;
  }
  // Descriptors that exist but do not allow the operation.
  char c;
  expect_rejected("write to O_RDONLY", EBADF, [&] { return err(t->write(rdonly_fd, "x", 1)); });
  expect_rejected("read from O_PATH", EBADF, [&] { return err(t->read(path_fd, &c, 1)); });
  expect_rejected("write to O_PATH", EBADF, [&] { return err(t->write(path_fd, "x", 1)); });
  expect_rejected("read a directory", EISDIR, [&] { return err(t->read(dir_fd, &c, 1)); });
  expect_rejected("ftruncate O_RDONLY", EINVAL, [&] { return err(t->ftruncate(rdonly_fd, 0)); });
  expect_rejected("ftruncate negative", EINVAL, [&] { return err(t->ftruncate(file_fd, -1)); });
  // Linux refuses a negative length before it looks at the descriptor or the path.
  expect_rejected("ftruncate negative, bad fd", EINVAL, [&] { return err(t->ftruncate(closed_fd, -1)); });
  expect_rejected("ftruncate negative, O_PATH", EINVAL, [&] { return err(t->ftruncate(path_fd, -1)); });
  expect_rejected("truncate negative", EINVAL, [&] { return err(t->truncate("/f", -1)); });
  expect_rejected("truncate negative, empty path", EINVAL, [&] { return err(t->truncate("", -1)); });
  expect_rejected("truncate a directory", EISDIR, [&] { return err(t->truncate("/d", 0)); });
  expect_rejected("lseek whence 7", EINVAL, [&] { return err(t->lseek(file_fd, 0, 7)); });
  expect_rejected("lseek before 0", EINVAL, [&] { return err(t->lseek(file_fd, -5, SEEK_SET)); });
  EXPECT_OK(t->fstat(path_fd));
}

TEST_F(BadInput, WrongDescriptorTypes) {
  for (int fd : {file_fd, path_fd, link_fd}) {
    const std::string n = " fd " + std::to_string(fd);
    expect_rejected("statx" + n, ENOTDIR, [&] { return err(t->statx(fd, "x")); });
    expect_rejected("statx ." + n, ENOTDIR, [&] { return err(t->statx(fd, ".")); });
    expect_rejected("openat2" + n, ENOTDIR,
                    [&] { return err(t->openat2(fd, "x", how(O_RDONLY))); });
    expect_rejected("openat2 creat" + n, ENOTDIR,
                    [&] { return err(t->openat2(fd, "x", how(O_CREAT | O_WRONLY, 0644))); });
    expect_rejected("mkdirat" + n, ENOTDIR, [&] { return err(t->mkdirat(fd, "x", 0755)); });
    expect_rejected("unlinkat" + n, ENOTDIR, [&] { return err(t->unlinkat(fd, "x", 0)); });
    expect_rejected("symlinkat" + n, ENOTDIR, [&] { return err(t->symlinkat("f", fd, "x")); });
    expect_rejected("renameat2" + n, ENOTDIR,
                    [&] { return err(t->renameat2(AT_FDCWD, "/f", fd, "x", 0)); });
    expect_rejected("linkat" + n, ENOTDIR,
                    [&] { return err(t->linkat(fd, "x", AT_FDCWD, "/g", 0)); });
    expect_rejected("fchdir" + n, ENOTDIR, [&] { return err(t->fchdir(fd)); });
  }
  std::vector<DirEntry> ents;
  expect_rejected("getdents of a file", ENOTDIR, [&] { return err(t->getdents(file_fd, ents)); });
  // The empty path names the descriptor itself; a file is fine there.
  EXPECT_OK(t->statx(file_fd, "", AT_EMPTY_PATH));
  expect_rejected("readlinkat of a non-link by empty path", ENOENT,
                  [&] { return err(t->readlinkat(file_fd, "")); });
  EXPECT_OK(t->readlinkat(link_fd, ""));
}

}  // namespace
