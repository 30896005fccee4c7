// libFuzzer target: the path resolver. The input decodes into a sequence of calls —
// statx, openat2, readlinkat, faccessat2, statfs, the xattr calls and a few namespace
// mutations — each with a dirfd, a path
// built from the names of a fixed tree (plus raw bytes), and flags that are mostly
// valid and sometimes arbitrary. The tree (built afresh per input, in a sandbox.h
// namespace whose root is a fresh memfs) has directories, files, relative, absolute,
// dangling and looping symlinks, a 41-link chain, a private directory, a FIFO, a
// mount and a bind mount.
//
// Checked for every call, beyond "no crash, no leak, no UB" (the sanitizers):
//   - the errno is one the call may return (allowed() below: the union of the errors
//     Linux documents for the call and rcuvfs supports);
//   - statx, non-mutating openat2 and the read-only questions (faccessat2, statfs,
//     getxattr, listxattr) give the same answer in all three walk modes
//     (speculative, Linux-style, reference-only): same errno, or the same object with
//     the same attributes;
//   - a call that is read-only or that failed leaves the tree exactly as it was
//     (every name, type, mode, owner, link count, size, time, link target and
//     extended attribute);
//   - after the last call the namespace passes the consistency check (diag::check).
#include "sandbox.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <rcuvfs/vfs.h>

#include <sys/mount.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace {

using rcuvfs::Cred;
using rcuvfs::OpenHow;
using rcuvfs::Statx;
using rcuvfs::Task;

// ---- the tree ----------------------------------------------------------------------

// Names the path decoder draws from; the tree uses all of them.
const std::vector<std::string>& tokens() {
  static const std::vector<std::string> t = {
      "/", "d", "f", "sub", "g", "up", "..", ".", "abs", "rel", "dangling", "loop1",
      "self", "escape", "c0", "c1", "priv", "x", "mnt", "out", "root", "bnd", "fifo",
      "new", "//", std::string(255, 'n'), std::string(256, 'n'), [] {
        std::string s;
        while (s.size() < 4100) s += "./";
        return s;
      }()};
  return t;
}

template <class R>
void must(const R& r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "resolve_fuzz: building the tree failed at %s: %s\n", what,
                 strerrorname_np(r.error()));
    std::abort();
  }
}

void build_tree(Task& t) {
  auto mkdir = [&](const char* p, mode_t m) { must(t.mkdirat(AT_FDCWD, p, m), p); };
  auto file = [&](const char* p) {
    auto fd = t.openat(AT_FDCWD, p, O_CREAT | O_WRONLY, 0644);
    must(fd, p);
    must(t.write(*fd, "data", 4), p);
    must(t.close(*fd), p);
  };
  auto link = [&](const char* target, const char* p) {
    must(t.symlinkat(target, AT_FDCWD, p), p);
  };
  mkdir("/d", 0755);
  file("/d/f");
  must(t.setxattr("/d/f", "user.a", "value of a"), "setxattr /d/f");
  must(t.setxattr("/d/f", "trusted.t", "t"), "setxattr /d/f trusted");
  mkdir("/d/sub", 0755);
  must(t.setxattr("/d/sub", "user.b", ""), "setxattr /d/sub");
  file("/d/sub/g");
  link("..", "/d/up");
  file("/f");
  link("/d/f", "/abs");
  link("d/sub", "/rel");
  link("nowhere", "/dangling");
  link("loop2", "/loop1");
  link("loop1", "/loop2");
  link("self", "/self");
  link("../../..", "/escape");
  // c0 -> c1 -> ... -> c40 -> f: 41 links from c0 (ELOOP), 40 from c1.
  for (int i = 0; i <= 40; ++i) {
    std::string target = i == 40 ? "f" : "c" + std::to_string(i + 1);
    link(target.c_str(), ("/c" + std::to_string(i)).c_str());
  }
  mkdir("/priv", 0700);
  file("/priv/x");
  must(t.mknodat(AT_FDCWD, "/fifo", S_IFIFO | 0644, 0), "/fifo");
  mkdir("/mnt", 0755);
  must(t.mount("memfs", "/mnt"), "mount /mnt");
  file("/mnt/x");
  link("../d", "/mnt/out");
  link("/", "/mnt/root");
  mkdir("/bnd", 0755);
  must(t.bind("/d", "/bnd"), "bind /bnd");
}

// ---- snapshots ---------------------------------------------------------------------

// One line per object reachable from the root (depth- and size-bounded: binds can
// make the namespace cyclic).
void snapshot_dir(Task& t, const std::string& dir, int depth, std::string& out) {
  auto fd = t.openat(AT_FDCWD, dir.empty() ? "/" : dir, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) {
    out += dir + " open:" + std::to_string(fd.error()) + "\n";
    return;
  }
  std::vector<rcuvfs::DirEntry> ents;
  while (true) {
    auto n = t.getdents(*fd, ents);
    if (!n.ok() || *n == 0) break;
  }
  (void)t.close(*fd);
  for (const auto& e : ents) {
    if (e.name == "." || e.name == "..") continue;
    if (out.size() > (1u << 20)) return;
    const std::string p = dir + "/" + e.name;
    auto st = t.statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS);
    if (!st.ok()) {
      out += p + " stat:" + std::to_string(st.error()) + "\n";
      continue;
    }
    char line[256];
    std::snprintf(line, sizeof line, " %o %llu %u %u:%u %llu %lld.%u %lld.%u", st->stx_mode,
                  static_cast<unsigned long long>(st->stx_ino), st->stx_nlink, st->stx_uid,
                  st->stx_gid, static_cast<unsigned long long>(st->stx_size),
                  static_cast<long long>(st->stx_mtime.tv_sec), st->stx_mtime.tv_nsec,
                  static_cast<long long>(st->stx_ctime.tv_sec), st->stx_ctime.tv_nsec);
    out += p + line;
    if (S_ISLNK(st->stx_mode)) {
      auto target = t.readlinkat(AT_FDCWD, p);
      out += " -> " + (target.ok() ? *target : "?" + std::to_string(target.error()));
    }
    char names[1024];
    auto n = t.llistxattr(p, names, sizeof names);
    if (n.ok())
      rcuvfs::for_each_xattr_name(names, *n, [&](std::string_view name) {
        char value[256];
        auto v = t.lgetxattr(p, name, value, sizeof value);
        out += " " + std::string(name) + "=" +
               (v.ok() ? std::string(value, *v) : "?" + std::to_string(v.error()));
      });
    out += "\n";
    if (S_ISDIR(st->stx_mode) && depth < 6) snapshot_dir(t, p, depth + 1, out);
  }
}

std::string snapshot(Task& t) {
  const Cred saved = t.cred();
  t.set_cred(Cred{});
  std::string out;
  snapshot_dir(t, "", 0, out);
  t.set_cred(saved);
  return out;
}

// ---- the errors each call may return -----------------------------------------------

enum Op { kStatx, kOpen, kReadlink, kAccess, kStatfs, kGetxattr, kListxattr, kMkdir, kUnlink,
          kRename, kSymlink, kLink, kChmod, kChown, kMount, kUmount, kBind, kSetxattr,
          kRemovexattr, kOpCount };

// Any path walk: a bad dirfd or flags (EBADF, EINVAL; a NUL byte is EINVAL too), a
// missing or non-directory component, too many links, too long, no search permission.
constexpr std::initializer_list<int> kWalk = {EBADF, EINVAL, ENOENT, ENOTDIR, ELOOP,
                                              ENAMETOOLONG, EACCES};

bool allowed(Op op, int err) {
  for (int e : kWalk)
    if (e == err) return true;
  auto any = [err](std::initializer_list<int> l) {
    for (int e : l)
      if (e == err) return true;
    return false;
  };
  switch (op) {
    case kStatx:
    case kReadlink:
    case kAccess:
    case kStatfs: return false;
    // ENODATA: no such attribute (or trusted. for others; user. on special files);
    // ERANGE: the buffer, or a name of 0 or 256+ bytes; EOPNOTSUPP: an unknown prefix.
    case kGetxattr: return any({ENODATA, ERANGE, EOPNOTSUPP});
    case kListxattr: return any({ERANGE});
    // EPERM: trusted./security. by others, user. on special files or in a sticky
    // directory; EEXIST/ENODATA: XATTR_CREATE/XATTR_REPLACE.
    case kSetxattr: return any({EPERM, EEXIST, ENODATA, ERANGE, EOPNOTSUPP});
    case kRemovexattr: return any({EPERM, ENODATA, ERANGE, EOPNOTSUPP});
    // EXDEV: a scoped walk would escape or cross a mount; EAGAIN: RESOLVE_CACHED;
    // EISDIR: a directory opened for writing; EEXIST: O_CREAT|O_EXCL; ENXIO: a FIFO
    // opened O_WRONLY|O_NONBLOCK without a reader; ENODEV/ENXIO: a device node
    // with no driver; EOPNOTSUPP: O_TMPFILE; EPERM: O_NOATIME by a non-owner.
    case kOpen: return any({EXDEV, EAGAIN, EISDIR, EEXIST, ENXIO, ENODEV, EOPNOTSUPP, EPERM});
    case kMkdir:
    case kSymlink: return any({EEXIST});
    // EBUSY: a mountpoint or a root; EPERM: sticky directory; EISDIR: unlink of a
    // directory; ENOTEMPTY: rmdir of a non-empty one.
    case kUnlink: return any({EISDIR, ENOTEMPTY, EBUSY, EPERM});
    case kRename: return any({EXDEV, EBUSY, ENOTEMPTY, EISDIR, EEXIST, EPERM});
    // EPERM: a directory, or a non-owner's link under protected hardlinks; EMLINK.
    case kLink: return any({EEXIST, EXDEV, EPERM, EMLINK});
    // EOPNOTSUPP: changing the mode of a symlink itself (AT_SYMLINK_NOFOLLOW).
    case kChmod: return any({EPERM, EOPNOTSUPP});
    case kChown: return any({EPERM});
    case kMount: return any({EPERM, ENODEV});
    case kUmount: return any({EPERM, EBUSY});
    case kBind: return any({EPERM});
    case kOpCount: break;
  }
  return false;
}

const char* op_name(Op op) {
  static const char* const kNames[] = {"statx",     "openat2",  "readlinkat", "faccessat2",
                                       "statfs",    "getxattr", "listxattr",  "mkdirat",
                                       "unlinkat",  "renameat2", "symlinkat", "linkat",
                                       "fchmodat",  "fchownat", "mount",      "umount",
                                       "bind",      "setxattr", "removexattr"};
  static_assert(std::size(kNames) == kOpCount);
  return kNames[op];
}

[[noreturn]] void fail(const char* what, Op op, const std::string& path, int err) {
  std::fprintf(stderr, "resolve_fuzz: %s: %s(\"%s\") -> %s\n", what, op_name(op),
               path.size() > 200 ? (path.substr(0, 200) + "...").c_str() : path.c_str(),
               err ? strerrorname_np(err) : "ok");
  std::abort();
}

// ---- decoding ----------------------------------------------------------------------

std::string decode_path(FuzzedDataProvider& in) {
  std::string p;
  const size_t pieces = in.ConsumeIntegralInRange<size_t>(0, 10);
  const auto& tok = tokens();
  for (size_t i = 0; i < pieces && in.remaining_bytes() > 0; ++i) {
    const uint8_t b = in.ConsumeIntegral<uint8_t>();
    if (b < tok.size()) {
      p += tok[b];
    } else if (b == 0xff) {
      p += '\0';
    } else if (b >= 0x80) {
      p += '/';  // a separator most of the time keeps tokens apart
    } else {
      p += static_cast<char>(b);
    }
  }
  return p;
}

// Mostly the valid bits in `valid`; sometimes anything at all.
template <class T>
T decode_flags(FuzzedDataProvider& in, T valid) {
  if (in.ConsumeIntegralInRange<int>(0, 15) == 0) return in.ConsumeIntegral<T>();
  return in.ConsumeIntegral<T>() & valid;
}

struct Fds {
  int d, mnt, f, root;
};

int decode_dirfd(FuzzedDataProvider& in, const Fds& fds) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return fds.d;
    case 1: return fds.mnt;
    case 2: return fds.f;
    case 3: return fds.root;
    case 4: return 1000;  // never opened
    case 5: return -1;
    case 6: return INT_MAX;
    default: return AT_FDCWD;
  }
}

// ---- the walk-mode comparison ------------------------------------------------------

bool same_object(const Statx& a, const Statx& b) {
  return a.stx_mode == b.stx_mode && a.stx_ino == b.stx_ino &&
         a.stx_dev_major == b.stx_dev_major && a.stx_dev_minor == b.stx_dev_minor &&
         a.stx_nlink == b.stx_nlink && a.stx_uid == b.stx_uid && a.stx_gid == b.stx_gid &&
         a.stx_size == b.stx_size && a.stx_mtime.tv_sec == b.stx_mtime.tv_sec &&
         a.stx_mtime.tv_nsec == b.stx_mtime.tv_nsec;
}

constexpr Task::WalkMode kModes[] = {Task::WalkMode::kSpeculative, Task::WalkMode::kLinux,
                                     Task::WalkMode::kRefOnly};

// statx in each walk mode; returns the errno (0 on success).
int statx_all_modes(Task& t, int dirfd, const std::string& path, int flags, unsigned mask) {
  int first_err = 0;
  Statx first{};
  for (size_t i = 0; i < std::size(kModes); ++i) {
    t.set_walk_mode(kModes[i]);
    auto r = t.statx(dirfd, path, flags, mask);
    const int err = r.ok() ? 0 : r.error();
    if (i == 0) {
      first_err = err;
      if (r.ok()) first = *r;
    } else if (err != first_err || (r.ok() && !same_object(first, *r))) {
      fail("walk modes disagree", kStatx, path, err);
    }
  }
  t.set_walk_mode(Task::WalkMode::kSpeculative);
  return first_err;
}

// A call answering only with an errno (faccessat2), or with a statfs that must be the
// same, in each walk mode; returns the errno.
template <class Call>
int answer_all_modes(Task& t, Op op, const std::string& path, Call&& call) {
  int first_err = 0;
  std::string first;
  for (size_t i = 0; i < std::size(kModes); ++i) {
    t.set_walk_mode(kModes[i]);
    std::string got;
    const int err = call(got);
    if (i == 0) {
      first_err = err;
      first = got;
    } else if (err != first_err || got != first) {
      fail("walk modes disagree", op, path, err);
    }
  }
  t.set_walk_mode(Task::WalkMode::kSpeculative);
  return first_err;
}

// openat2 in each walk mode (when it cannot change anything); returns the errno.
int open_all_modes(Task& t, int dirfd, const std::string& path, const OpenHow& how) {
  const bool mutating = how.flags & (O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY));
  int first_err = 0;
  Statx first{};
  for (size_t i = 0; i < (mutating ? 1 : std::size(kModes)); ++i) {
    t.set_walk_mode(kModes[i]);
    auto fd = t.openat2(dirfd, path, how);
    const int err = fd.ok() ? 0 : fd.error();
    Statx st{};
    if (fd.ok()) {
      auto s = t.fstat(*fd);
      if (!s.ok()) fail("fstat of a new descriptor failed", kOpen, path, s.error());
      st = *s;
      if (!t.close(*fd).ok()) fail("close of a new descriptor failed", kOpen, path, 0);
    }
    if (i == 0) {
      first_err = err;
      first = st;
    } else if (err != first_err || (fd.ok() && !same_object(first, st))) {
      fail("walk modes disagree", kOpen, path, err);
    }
  }
  t.set_walk_mode(Task::WalkMode::kSpeculative);
  return first_err;
}

// An attribute name: mostly one of each namespace's, sometimes a bad one.
std::string decode_xattr_name(FuzzedDataProvider& in) {
  static const char* const kNames[] = {"user.a", "user.b", "trusted.t", "security.s",
                                       "user.", "system.posix_acl_access", "foo.x", ""};
  const size_t i = in.ConsumeIntegralInRange<size_t>(0, std::size(kNames));
  if (i < std::size(kNames)) return kNames[i];
  return in.ConsumeRandomLengthString(300);
}
// A buffer size: 0 (the length query), short, ample, or Linux's largest.
size_t decode_xattr_size(FuzzedDataProvider& in) {
  static constexpr size_t kSizes[] = {0, 1, 4, 256, rcuvfs::kXattrSizeMax};
  return kSizes[in.ConsumeIntegralInRange<size_t>(0, std::size(kSizes) - 1)];
}

template <class R>
int errof(const R& r) {
  return r.ok() ? 0 : r.error();
}

// Runs one decoded call; returns its errno and whether it may have changed the tree.
int run_one(FuzzedDataProvider& in, Task& t, const Fds& fds, Op op, bool& mutating,
            std::string& path) {
  const int dirfd = decode_dirfd(in, fds);
  path = decode_path(in);
  mutating = op >= kMkdir;
  switch (op) {
    case kStatx: {
      const int flags = decode_flags<int>(
          in, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE);
      const unsigned mask = decode_flags<unsigned>(in, STATX_ALL);
      return statx_all_modes(t, dirfd, path, flags, mask);
    }
    case kOpen: {
      OpenHow how{};
      how.flags = decode_flags<uint64_t>(
          in, O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY | O_NOFOLLOW |
                  O_PATH | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOATIME | O_TMPFILE);
      switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0: how.mode = 0; break;
        case 1: how.mode = 0644; break;
        default: how.mode = decode_flags<uint64_t>(in, 07777); break;
      }
      how.resolve = decode_flags<uint64_t>(in, rcuvfs::kResolveAll);
      mutating = how.flags & (O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY));
      return open_all_modes(t, dirfd, path, how);
    }
    case kReadlink: return errof(t.readlinkat(dirfd, path));
    case kAccess: {
      const int mode = decode_flags<int>(in, R_OK | W_OK | X_OK | 8);
      const int flags = decode_flags<int>(in, AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
      return answer_all_modes(t, op, path, [&](std::string&) {
        return errof(t.faccessat2(dirfd, path, mode, flags));
      });
    }
    case kStatfs: {
      const bool by_fd = in.ConsumeBool();
      return answer_all_modes(t, op, path, [&](std::string& out) {
        auto r = by_fd ? t.fstatfs(dirfd) : t.statfs(path);
        if (r.ok()) out.assign(reinterpret_cast<const char*>(&*r), sizeof *r);
        return r.ok() ? 0 : r.error();
      });
    }
    case kGetxattr: {
      const std::string name = decode_xattr_name(in);
      const size_t size = decode_xattr_size(in);
      const int flags = decode_flags<int>(in, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
      return answer_all_modes(t, op, path, [&](std::string& out) {
        out.assign(size, '\0');
        auto r = t.getxattrat(dirfd, path, flags, name, out.data(), size);
        out.resize(r.ok() ? std::min(*r, size) : 0);
        if (r.ok()) out += "/" + std::to_string(*r);
        return errof(r);
      });
    }
    case kListxattr: {
      const size_t size = decode_xattr_size(in);
      const int flags = decode_flags<int>(in, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
      return answer_all_modes(t, op, path, [&](std::string& out) {
        out.assign(size, '\0');
        auto r = t.listxattrat(dirfd, path, flags, out.data(), size);
        out.resize(r.ok() ? std::min(*r, size) : 0);
        if (r.ok()) out += "/" + std::to_string(*r);
        return errof(r);
      });
    }
    case kSetxattr: {
      const std::string name = decode_xattr_name(in);
      const std::string value = in.ConsumeRandomLengthString(64);
      const int xflags = in.ConsumeIntegralInRange<int>(0, 3);
      const int flags = decode_flags<int>(in, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
      return errof(t.setxattrat(dirfd, path, flags, name, value, xflags));
    }
    case kRemovexattr: {
      const std::string name = decode_xattr_name(in);
      const int flags = decode_flags<int>(in, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
      return errof(t.removexattrat(dirfd, path, flags, name));
    }
    case kMkdir: return errof(t.mkdirat(dirfd, path, decode_flags<mode_t>(in, 07777)));
    case kUnlink:
      return errof(t.unlinkat(dirfd, path, in.ConsumeBool() ? AT_REMOVEDIR
                                                            : decode_flags<int>(in, 0)));
    case kRename: {
      const int dirfd2 = decode_dirfd(in, fds);
      const std::string path2 = decode_path(in);
      const unsigned flags = decode_flags<unsigned>(in, RENAME_NOREPLACE | RENAME_EXCHANGE);
      return errof(t.renameat2(dirfd, path, dirfd2, path2, flags));
    }
    case kSymlink: return errof(t.symlinkat(decode_path(in), dirfd, path));
    case kLink: {
      const int dirfd2 = decode_dirfd(in, fds);
      const std::string path2 = decode_path(in);
      const int flags = decode_flags<int>(in, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
      return errof(t.linkat(dirfd, path, dirfd2, path2, flags));
    }
    // Arguments are decoded one statement at a time: the order of evaluation of a
    // call's arguments is unspecified, and an input must decode the same everywhere.
    case kChmod: {
      const mode_t mode = decode_flags<mode_t>(in, 07777);
      const int flags = decode_flags<int>(in, AT_SYMLINK_NOFOLLOW);
      return errof(t.fchmodat(dirfd, path, mode, flags));
    }
    case kChown: {
      const uid_t uid = in.ConsumeIntegralInRange<uid_t>(0, 2);
      const gid_t gid = in.ConsumeIntegralInRange<gid_t>(0, 2);
      const int flags = decode_flags<int>(in, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
      return errof(t.fchownat(dirfd, path, uid, gid, flags));
    }
    case kMount: return errof(t.mount("memfs", path));
    case kUmount: return errof(t.umount(path, decode_flags<int>(in, MNT_DETACH | UMOUNT_NOFOLLOW)));
    case kBind: {
      const std::string source = decode_path(in);
      return errof(t.bind(source, path, in.ConsumeBool()));
    }
    case kOpCount: break;
  }
  return 0;
}

Fds open_fds(Task& t) {
  auto open = [&](const char* p, int flags) {
    auto fd = t.openat(AT_FDCWD, p, flags);
    must(fd, p);
    return *fd;
  };
  return Fds{open("/d", O_PATH | O_DIRECTORY), open("/mnt", O_RDONLY | O_DIRECTORY),
             open("/f", O_RDONLY), open("/", O_PATH)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  rcuvfs_fuzz::Sandbox sandbox;
  Task& task = sandbox.task();
  build_tree(task);
  const Fds fds = open_fds(task);
  std::string before = snapshot(task);
  for (int calls = 0; calls < 32 && in.remaining_bytes() > 0; ++calls) {
    const Op op = static_cast<Op>(in.ConsumeIntegralInRange<int>(0, kOpCount - 1));
    task.set_cred(in.ConsumeIntegralInRange<int>(0, 3) == 0 ? Cred{1000, 1000, {}} : Cred{});
    bool mutating = false;
    std::string path;
    const int err = run_one(in, task, fds, op, mutating, path);
    if (err && !allowed(op, err)) fail("unexpected errno", op, path, err);
    std::string after = snapshot(task);
    if ((!mutating || err) && after != before) {
      std::fprintf(stderr, "before:\n%s\nafter:\n%s\n", before.c_str(), after.c_str());
      fail(err ? "a failed call changed the tree" : "a read-only call changed the tree", op,
           path, err);
    }
    before = std::move(after);
  }
  sandbox.check();
  return 0;
}
