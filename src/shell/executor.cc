#include "shell/executor.h"

#include "shell/errno_names.h"
#include "shell/inotify_names.h"
#include "shell/numbers.h"
#include "shell/quote.h"
#include "shell/stat_format.h"
#include "shell/tokenizer.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include <sys/mount.h>
#include <utility>

namespace rcuvfs::shell {
namespace {

// Where a command's path arguments go when the line has an `at FD` prefix.
enum class AtMode {
  kNone,     // the command takes no path: `at` is malformed
  kDirfd,    // passed as the dirfd of the *at() call
  kFchdir,   // no *at() form: the cwd moves to FD for the duration of the call
};

std::string ok() { return "ok"; }
std::string err(int e) { return "err " + errno_name(e); }
// Messages echo the offending token, which may hold any byte (a quoted "\n" too):
// escaped, so that the answer stays one line.
std::string bad(std::string_view msg) { return "bad " + escape_unprintable(msg); }
std::string status_line(const Status& s) { return s.ok() ? ok() : err(s.error()); }

std::optional<int> parse_fd(std::string_view s) {
  auto v = parse_decimal(s, INT_MAX);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<uint32_t> parse_id(std::string_view s) {
  auto v = parse_decimal(s, UINT32_MAX);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

// The AT_* flags named by argv[first...]: `eaccess`, `nofollow`, `emptypath`, each
// allowed only when its bit is in `known`. The first other word goes to *unknown.
std::optional<int> parse_at_flags(const std::vector<std::string>& argv, size_t first,
                                  int known, std::string* unknown) {
  static constexpr std::pair<const char*, int> kNames[] = {
      {"eaccess", AT_EACCESS}, {"nofollow", AT_SYMLINK_NOFOLLOW}, {"emptypath", AT_EMPTY_PATH}};
  int flags = 0;
  for (size_t i = first; i < argv.size(); ++i) {
    int bit = 0;
    for (const auto& [name, value] : kNames)
      if (argv[i] == name && (known & value)) bit = value;
    if (!bit) {
      *unknown = argv[i];
      return std::nullopt;
    }
    flags |= bit;
  }
  return flags;
}

}  // namespace

struct Executor::CommandSpec {
  const char* name;
  size_t min_args;
  size_t max_args;  // SIZE_MAX: unbounded
  AtMode at;
  std::string (Executor::*handler)(const Args&);
  const char* usage;
};

const Executor::CommandSpec* Executor::find_command(std::string_view name) {
  static const CommandSpec kCommands[] = {
      {"mkdir", 1, 2, AtMode::kDirfd, &Executor::cmd_mkdir, "mkdir PATH [MODE]"},
      {"create", 1, 2, AtMode::kDirfd, &Executor::cmd_create, "create PATH [MODE]"},
      {"mknod", 2, 5, AtMode::kDirfd, &Executor::cmd_mknod,
       "mknod PATH TYPE [MODE] [MAJOR MINOR]"},
      {"write", 2, 2, AtMode::kDirfd, &Executor::cmd_write, "write PATH TEXT"},
      {"append", 2, 2, AtMode::kDirfd, &Executor::cmd_append, "append PATH TEXT"},
      {"read", 1, 1, AtMode::kDirfd, &Executor::cmd_read, "read PATH"},
      {"symlink", 2, 2, AtMode::kDirfd, &Executor::cmd_symlink, "symlink TARGET PATH"},
      {"link", 2, 3, AtMode::kDirfd, &Executor::cmd_link, "link OLD NEW [follow]"},
      {"unlink", 1, 1, AtMode::kDirfd, &Executor::cmd_unlink, "unlink PATH"},
      {"rmdir", 1, 1, AtMode::kDirfd, &Executor::cmd_rmdir, "rmdir PATH"},
      {"rename", 2, 3, AtMode::kDirfd, &Executor::cmd_rename,
       "rename OLD NEW [noreplace|exchange]"},
      {"readlink", 1, 1, AtMode::kDirfd, &Executor::cmd_readlink, "readlink PATH"},
      {"stat", 1, 3, AtMode::kDirfd, &Executor::cmd_stat,
       "stat PATH [nofollow] [emptypath]"},
      {"access", 2, 5, AtMode::kDirfd, &Executor::cmd_access,
       "access PATH MODE [eaccess] [nofollow] [emptypath]"},
      {"statfs", 1, 1, AtMode::kFchdir, &Executor::cmd_statfs, "statfs PATH"},
      {"getxattr", 2, 4, AtMode::kDirfd, &Executor::cmd_getxattr,
       "getxattr PATH NAME [nofollow] [emptypath]"},
      {"setxattr", 3, 6, AtMode::kDirfd, &Executor::cmd_setxattr,
       "setxattr PATH NAME VALUE [create|replace] [nofollow] [emptypath]"},
      {"listxattr", 1, 3, AtMode::kDirfd, &Executor::cmd_listxattr,
       "listxattr PATH [nofollow] [emptypath]"},
      {"removexattr", 2, 4, AtMode::kDirfd, &Executor::cmd_removexattr,
       "removexattr PATH NAME [nofollow] [emptypath]"},
      {"ls", 1, 1, AtMode::kDirfd, &Executor::cmd_ls, "ls PATH"},
      {"open", 1, SIZE_MAX, AtMode::kDirfd, &Executor::cmd_open, "open PATH [FLAG ...]"},
      {"close", 1, 1, AtMode::kNone, &Executor::cmd_close, "close FD"},
      {"fdpath", 1, 1, AtMode::kNone, &Executor::cmd_fdpath, "fdpath FD"},
      {"statfd", 1, 1, AtMode::kNone, &Executor::cmd_statfd, "statfd FD"},
      {"chmod", 2, 2, AtMode::kDirfd, &Executor::cmd_chmod, "chmod PATH MODE"},
      {"chown", 3, 3, AtMode::kDirfd, &Executor::cmd_chown, "chown PATH UID GID"},
      {"truncate", 2, 2, AtMode::kFchdir, &Executor::cmd_truncate, "truncate PATH SIZE"},
      {"cd", 1, 1, AtMode::kDirfd, &Executor::cmd_cd, "cd PATH"},
      {"chroot", 1, 1, AtMode::kFchdir, &Executor::cmd_chroot, "chroot PATH"},
      {"umask", 1, 1, AtMode::kNone, &Executor::cmd_umask, "umask MODE"},
      {"as", 2, SIZE_MAX, AtMode::kNone, &Executor::cmd_as, "as UID GID [GID ...]"},
      {"nofile", 1, 1, AtMode::kNone, &Executor::cmd_nofile, "nofile N"},
      {"mount", 2, 2, AtMode::kFchdir, &Executor::cmd_mount, "mount TYPE PATH"},
      {"bind", 2, 3, AtMode::kFchdir, &Executor::cmd_bind, "bind SRC DST [rec]"},
      {"umount", 1, 2, AtMode::kFchdir, &Executor::cmd_umount, "umount PATH [detach]"},
      {"stats", 0, 0, AtMode::kNone, &Executor::cmd_stats, "stats"},
      {"watch", 2, 2, AtMode::kFchdir, &Executor::cmd_watch, "watch PATH MASK[,MASK...]"},
      {"unwatch", 1, 1, AtMode::kNone, &Executor::cmd_unwatch, "unwatch WD"},
      {"events", 0, 0, AtMode::kNone, &Executor::cmd_events, "events"},
      {"audit", 1, 1, AtMode::kNone, &Executor::cmd_audit, "audit HOSTFILE"},
      {"restrict", 1, 2, AtMode::kFchdir, &Executor::cmd_restrict,
       "restrict PATH RIGHT[,RIGHT...] | restrict enforce [RIGHT,...]"},
  };
  for (const auto& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

std::optional<std::string> Executor::run_line(std::string_view line) {
  if (is_blank_or_comment(line)) return std::nullopt;
  std::vector<std::string> tokens;
  std::string out;
  if (std::string msg = tokenize(line, tokens); !msg.empty())
    out = bad(msg);
  else
    out = execute(std::move(tokens));
  if (out.rfind("bad", 0) == 0) saw_bad_ = true;
  return out;
}

std::string Executor::command_of(std::string_view line) {
  if (is_blank_or_comment(line)) return {};
  std::vector<std::string> tokens;
  if (!tokenize(line, tokens).empty() || tokens.empty()) return {};
  if (tokens[0] == "at") return tokens.size() >= 3 ? tokens[2] : std::string();
  return tokens[0];
}

std::string Executor::execute(std::vector<std::string> tokens) {
  Args args{AT_FDCWD, {}};
  size_t first = 0;
  bool has_at = false;
  if (!tokens.empty() && tokens[0] == "at") {
    if (tokens.size() < 3) return bad("usage: at FD COMMAND ...");
    auto fd = parse_fd(tokens[1]);
    if (!fd) return bad("at: bad descriptor number '" + tokens[1] + "'");
    args.dirfd = *fd;
    has_at = true;
    first = 2;
  }
  const std::string& name = tokens[first];
  const CommandSpec* spec = find_command(name);
  if (!spec) return bad("unknown command '" + name + "'");
  args.argv.assign(tokens.begin() + static_cast<ptrdiff_t>(first) + 1, tokens.end());
  if (args.argv.size() < spec->min_args || args.argv.size() > spec->max_args)
    return bad(std::string("usage: ") + spec->usage);
  if (has_at && spec->at == AtMode::kNone)
    return bad(std::string("at: '") + spec->name + "' takes no path");
  if (spec->at == AtMode::kFchdir && args.dirfd != AT_FDCWD) {
    int dirfd = args.dirfd;
    args.dirfd = AT_FDCWD;
    return in_dir(dirfd, [&] { return (this->*spec->handler)(args); });
  }
  return (this->*spec->handler)(args);
}

template <class Op>
std::string Executor::in_dir(int dirfd, Op op) {
  if (dirfd == AT_FDCWD) return op();
  OpenHow how{};
  how.flags = O_PATH | O_DIRECTORY;
  auto saved = b_.openat2(AT_FDCWD, ".", how);
  if (!saved.ok()) return err(saved.error());
  if (auto s = b_.fchdir(dirfd); !s.ok()) {
    (void)b_.close(*saved);
    return err(s.error());
  }
  std::string out = op();
  // The moved cwd must come back even when `op` failed.
  (void)b_.fchdir(*saved);
  (void)b_.close(*saved);
  return out;
}

// --- commands ---------------------------------------------------------------------

std::string Executor::cmd_mkdir(const Args& a) {
  unsigned mode = 0777;
  if (a.argv.size() > 1) {
    auto m = parse_mode(a.argv[1]);
    if (!m) return bad("mkdir: bad mode '" + a.argv[1] + "'");
    mode = *m;
  }
  return status_line(b_.mkdirat(a.dirfd, a.argv[0], mode));
}

std::string Executor::cmd_create(const Args& a) {
  unsigned mode = 0666;
  if (a.argv.size() > 1) {
    auto m = parse_mode(a.argv[1]);
    if (!m) return bad("create: bad mode '" + a.argv[1] + "'");
    mode = *m;
  }
  OpenHow how{};
  how.flags = O_CREAT | O_EXCL | O_WRONLY;
  how.mode = mode;
  auto fd = b_.openat2(a.dirfd, a.argv[0], how);
  if (!fd.ok()) return err(fd.error());
  return status_line(b_.close(*fd));
}

std::string Executor::cmd_mknod(const Args& a) {
  static const std::pair<const char*, unsigned> kTypes[] = {
      {"reg", S_IFREG}, {"fifo", S_IFIFO}, {"chr", S_IFCHR},
      {"blk", S_IFBLK}, {"sock", S_IFSOCK}};
  unsigned type = 0;
  for (const auto& [n, t] : kTypes)
    if (a.argv[1] == n) type = t;
  if (type == 0) return bad("mknod: unknown type '" + a.argv[1] + "'");
  unsigned mode = 0666;
  size_t next = 2;
  if (a.argv.size() == 3 || a.argv.size() == 5) {
    auto m = parse_mode(a.argv[2]);
    if (!m) return bad("mknod: bad mode '" + a.argv[2] + "'");
    mode = *m;
    next = 3;
  }
  dev_t dev = 0;
  if (a.argv.size() >= 4) {
    auto major = parse_decimal(a.argv[next], 0xfff);
    auto minor = parse_decimal(a.argv[next + 1], 0xfffff);
    if (!major || !minor) return bad("mknod: bad device number");
    dev = makedev(static_cast<unsigned>(*major), static_cast<unsigned>(*minor));
  }
  return status_line(b_.mknodat(a.dirfd, a.argv[0], type | mode, dev));
}

std::string Executor::write_file(const Args& a, int flags) {
  OpenHow how{};
  how.flags = static_cast<uint64_t>(flags);
  auto fd = b_.openat2(a.dirfd, a.argv[0], how);
  if (!fd.ok()) return err(fd.error());
  const std::string& text = a.argv[1];
  size_t done = 0;
  int error = 0;
  while (done < text.size()) {
    auto n = b_.write(*fd, text.data() + done, text.size() - done);
    if (!n.ok()) {
      error = n.error();
      break;
    }
    if (*n == 0) {
      error = EIO;
      break;
    }
    done += *n;
  }
  auto c = b_.close(*fd);
  if (error) return err(error);
  return status_line(c);
}

std::string Executor::cmd_write(const Args& a) { return write_file(a, O_WRONLY | O_TRUNC); }
std::string Executor::cmd_append(const Args& a) {
  return write_file(a, O_WRONLY | O_APPEND);
}

std::string Executor::cmd_read(const Args& a) {
  OpenHow how{};
  how.flags = O_RDONLY;
  auto fd = b_.openat2(a.dirfd, a.argv[0], how);
  if (!fd.ok()) return err(fd.error());
  std::string content;
  char buf[65536];
  int error = 0;
  while (true) {
    auto n = b_.read(*fd, buf, sizeof buf);
    if (!n.ok()) {
      error = n.error();
      break;
    }
    if (*n == 0) break;
    content.append(buf, *n);
  }
  auto c = b_.close(*fd);
  if (error) return err(error);
  if (!c.ok()) return err(c.error());
  return "ok " + quote(content);
}

std::string Executor::cmd_symlink(const Args& a) {
  return status_line(b_.symlinkat(a.argv[0], a.dirfd, a.argv[1]));
}

std::string Executor::cmd_link(const Args& a) {
  int flags = 0;
  if (a.argv.size() > 2) {
    if (a.argv[2] != "follow") return bad("link: unknown flag '" + a.argv[2] + "'");
    flags = AT_SYMLINK_FOLLOW;
  }
  return status_line(b_.linkat(a.dirfd, a.argv[0], a.dirfd, a.argv[1], flags));
}

std::string Executor::cmd_unlink(const Args& a) {
  return status_line(b_.unlinkat(a.dirfd, a.argv[0], 0));
}

std::string Executor::cmd_rmdir(const Args& a) {
  return status_line(b_.unlinkat(a.dirfd, a.argv[0], AT_REMOVEDIR));
}

std::string Executor::cmd_rename(const Args& a) {
  unsigned flags = 0;
  if (a.argv.size() > 2) {
    if (a.argv[2] == "noreplace")
      flags = RENAME_NOREPLACE;
    else if (a.argv[2] == "exchange")
      flags = RENAME_EXCHANGE;
    else
      return bad("rename: unknown flag '" + a.argv[2] + "'");
  }
  return status_line(b_.renameat2(a.dirfd, a.argv[0], a.dirfd, a.argv[1], flags));
}

std::string Executor::cmd_readlink(const Args& a) {
  auto r = b_.readlinkat(a.dirfd, a.argv[0]);
  if (!r.ok()) return err(r.error());
  return "ok " + quote(*r);
}

std::string Executor::cmd_stat(const Args& a) {
  std::string unknown;
  const auto flags = parse_at_flags(a.argv, 1, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &unknown);
  if (!flags) return bad("stat: unknown flag '" + unknown + "'");
  auto st = b_.statx(a.dirfd, a.argv[0], *flags, STATX_BASIC_STATS);
  if (!st.ok()) return err(st.error());
  return "ok " + format_stat(*st);
}

std::string Executor::cmd_access(const Args& a) {
  int mode = F_OK;
  const std::string& m = a.argv[1];
  if (m != "f") {
    for (char c : m) {
      const int bit = c == 'r' ? R_OK : c == 'w' ? W_OK : c == 'x' ? X_OK : 0;
      if (!bit || (mode & bit)) return bad("access: bad mode '" + m + "' (f, or r, w, x)");
      mode |= bit;
    }
    if (m.empty()) return bad("access: bad mode '' (f, or r, w, x)");
  }
  std::string unknown;
  const auto flags = parse_at_flags(a.argv, 2, AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
                                    &unknown);
  if (!flags) return bad("access: unknown flag '" + unknown + "'");
  return status_line(b_.faccessat2(a.dirfd, a.argv[0], mode, *flags));
}

std::string Executor::cmd_statfs(const Args& a) {
  auto st = b_.statfs(a.argv[0]);
  if (!st.ok()) return err(st.error());
  char type[32];
  std::snprintf(type, sizeof type, "0x%llx", static_cast<unsigned long long>(st->f_type));
  auto n = [](auto v) { return std::to_string(static_cast<unsigned long long>(v)); };
  return std::string("ok type=") + type + " bsize=" + n(st->f_bsize) +
         " namelen=" + n(st->f_namelen) + " blocks=" + n(st->f_blocks) +
         " bfree=" + n(st->f_bfree) + " bavail=" + n(st->f_bavail) +
         " files=" + n(st->f_files) + " ffree=" + n(st->f_ffree);
}

std::string Executor::cmd_getxattr(const Args& a) {
  std::string unknown;
  const auto flags = parse_at_flags(a.argv, 2, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &unknown);
  if (!flags) return bad("getxattr: unknown flag '" + unknown + "'");
  std::string value(kXattrSizeMax, '\0');
  auto n = b_.getxattrat(a.dirfd, a.argv[0], *flags, a.argv[1], value.data(), value.size());
  if (!n.ok()) return err(n.error());
  value.resize(*n);
  return "ok " + quote(value);
}

std::string Executor::cmd_setxattr(const Args& a) {
  std::vector<std::string> rest(a.argv.begin() + 3, a.argv.end());
  int xflags = 0;
  for (auto it = rest.begin(); it != rest.end();) {
    const int bit = *it == "create" ? XATTR_CREATE : *it == "replace" ? XATTR_REPLACE : 0;
    if (!bit) {
      ++it;
      continue;
    }
    if (xflags) return bad("setxattr: create and replace exclude each other");
    xflags = bit;
    it = rest.erase(it);
  }
  std::string unknown;
  const auto flags = parse_at_flags(rest, 0, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &unknown);
  if (!flags) return bad("setxattr: unknown flag '" + unknown + "'");
  return status_line(b_.setxattrat(a.dirfd, a.argv[0], *flags, a.argv[1], a.argv[2], xflags));
}

std::string Executor::cmd_listxattr(const Args& a) {
  std::string unknown;
  const auto flags = parse_at_flags(a.argv, 1, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &unknown);
  if (!flags) return bad("listxattr: unknown flag '" + unknown + "'");
  std::string list(kXattrListMax, '\0');
  auto n = b_.listxattrat(a.dirfd, a.argv[0], *flags, list.data(), list.size());
  if (!n.ok()) return err(n.error());
  std::vector<std::string> names;
  for_each_xattr_name(list.data(), *n, [&](std::string_view name) { names.emplace_back(name); });
  std::sort(names.begin(), names.end());
  std::string out = "ok";
  for (const auto& name : names) out += " " + quote_if_needed(name);
  return out;
}

std::string Executor::cmd_removexattr(const Args& a) {
  std::string unknown;
  const auto flags = parse_at_flags(a.argv, 2, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &unknown);
  if (!flags) return bad("removexattr: unknown flag '" + unknown + "'");
  return status_line(b_.removexattrat(a.dirfd, a.argv[0], *flags, a.argv[1]));
}

std::string Executor::cmd_ls(const Args& a) {
  OpenHow how{};
  how.flags = O_RDONLY | O_DIRECTORY;
  auto fd = b_.openat2(a.dirfd, a.argv[0], how);
  if (!fd.ok()) return err(fd.error());
  std::vector<DirEntry> entries;
  int error = 0;
  while (true) {
    auto n = b_.getdents(*fd, entries, 1024);
    if (!n.ok()) {
      error = n.error();
      break;
    }
    if (*n == 0) break;
  }
  auto c = b_.close(*fd);
  if (error) return err(error);
  if (!c.ok()) return err(c.error());
  std::vector<std::string> names;
  for (auto& e : entries)
    if (e.name != "." && e.name != "..") names.push_back(std::move(e.name));
  std::sort(names.begin(), names.end());  // std::string compares bytes as unsigned
  std::string out = "ok";
  for (const auto& n : names) out += " " + quote_if_needed(n);
  return out;
}

std::string Executor::cmd_open(const Args& a) {
  static const std::pair<const char*, int> kFlags[] = {
      {"rdonly", O_RDONLY},       {"wronly", O_WRONLY},     {"rdwr", O_RDWR},
      {"creat", O_CREAT},         {"excl", O_EXCL},         {"trunc", O_TRUNC},
      {"append", O_APPEND},       {"directory", O_DIRECTORY}, {"nofollow", O_NOFOLLOW},
      {"path", O_PATH},           {"cloexec", O_CLOEXEC}};
  static const std::pair<const char*, uint64_t> kResolve[] = {
      {"beneath", RESOLVE_BENEATH},         {"in_root", RESOLVE_IN_ROOT},
      {"no_xdev", RESOLVE_NO_XDEV},         {"no_symlinks", RESOLVE_NO_SYMLINKS},
      {"no_magiclinks", RESOLVE_NO_MAGICLINKS}, {"cached", RESOLVE_CACHED}};
  OpenHow how{};
  std::optional<unsigned> mode;
  for (size_t i = 1; i < a.argv.size(); ++i) {
    std::string_view f = a.argv[i];
    if (f.rfind("mode=", 0) == 0) {
      mode = parse_mode(f.substr(5));
      if (!mode) return bad("open: bad mode '" + std::string(f) + "'");
      continue;
    }
    if (f.rfind("resolve=", 0) == 0) {
      std::string_view list = f.substr(8);
      while (true) {
        size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        bool found = false;
        for (const auto& [n, v] : kResolve)
          if (item == n) {
            how.resolve |= v;
            found = true;
          }
        if (!found) return bad("open: unknown resolve flag '" + std::string(item) + "'");
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
      continue;
    }
    bool found = false;
    for (const auto& [n, v] : kFlags)
      if (f == n) {
        how.flags |= static_cast<uint64_t>(v);
        found = true;
      }
    if (!found) return bad("open: unknown flag '" + std::string(f) + "'");
  }
  if (mode)
    how.mode = *mode;
  else if (how.flags & O_CREAT)
    how.mode = 0666;
  auto fd = b_.openat2(a.dirfd, a.argv[0], how);
  if (!fd.ok()) return err(fd.error());
  return "ok fd=" + std::to_string(*fd);
}

std::string Executor::cmd_close(const Args& a) {
  auto fd = parse_fd(a.argv[0]);
  if (!fd) return bad("close: bad descriptor '" + a.argv[0] + "'");
  return status_line(b_.close(*fd));
}

std::string Executor::cmd_fdpath(const Args& a) {
  auto fd = parse_fd(a.argv[0]);
  if (!fd) return bad("fdpath: bad descriptor '" + a.argv[0] + "'");
  auto p = b_.fdpath(*fd);
  if (!p.ok()) return err(p.error());
  // Printed raw (" (deleted)" has a space) unless a byte needs escaping.
  bool plain = !p->empty() && std::all_of(p->begin(), p->end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
  });
  return "ok " + (plain ? *p : quote(*p));
}

std::string Executor::cmd_statfd(const Args& a) {
  auto fd = parse_fd(a.argv[0]);
  if (!fd) return bad("statfd: bad descriptor '" + a.argv[0] + "'");
  auto st = b_.statx(*fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS);
  if (!st.ok()) return err(st.error());
  return "ok " + format_stat(*st);
}

std::string Executor::cmd_chmod(const Args& a) {
  auto m = parse_mode(a.argv[1]);
  if (!m) return bad("chmod: bad mode '" + a.argv[1] + "'");
  return status_line(b_.fchmodat(a.dirfd, a.argv[0], *m, 0));
}

std::string Executor::cmd_chown(const Args& a) {
  auto uid = parse_id(a.argv[1]);
  auto gid = parse_id(a.argv[2]);
  if (!uid || !gid) return bad("chown: bad uid or gid");
  return status_line(b_.fchownat(a.dirfd, a.argv[0], *uid, *gid, 0));
}

std::string Executor::cmd_truncate(const Args& a) {
  // A negative size is the call's to refuse (EINVAL), not the line's.
  auto size = parse_signed_decimal(a.argv[1]);
  if (!size) return bad("truncate: bad size '" + a.argv[1] + "'");
  return status_line(b_.truncate(a.argv[0], static_cast<off_t>(*size)));
}

std::string Executor::cmd_cd(const Args& a) {
  if (a.dirfd == AT_FDCWD) return status_line(b_.chdir(a.argv[0]));
  // `at FD cd PATH`: move to FD, then to PATH; the old cwd comes back on failure.
  OpenHow how{};
  how.flags = O_PATH | O_DIRECTORY;
  auto saved = b_.openat2(AT_FDCWD, ".", how);
  if (!saved.ok()) return err(saved.error());
  Status s = b_.fchdir(a.dirfd);
  if (s.ok()) {
    s = b_.chdir(a.argv[0]);
    if (!s.ok()) (void)b_.fchdir(*saved);
  }
  (void)b_.close(*saved);
  return status_line(s);
}

std::string Executor::cmd_chroot(const Args& a) {
  return status_line(b_.chroot(a.argv[0]));
}

std::string Executor::cmd_umask(const Args& a) {
  auto m = parse_mode(a.argv[0]);
  if (!m || *m > 0777) return bad("umask: bad mode '" + a.argv[0] + "'");
  b_.umask(*m);
  return ok();
}

std::string Executor::cmd_as(const Args& a) {
  Cred cred;
  std::vector<uint32_t> ids;
  for (const auto& s : a.argv) {
    auto v = parse_decimal(s, UINT32_MAX - 1);  // (uid_t)-1 means "no change"
    if (!v) return bad("as: bad id '" + s + "'");
    ids.push_back(static_cast<uint32_t>(*v));
  }
  cred.uid = ids[0];
  cred.gid = ids[1];
  cred.groups.assign(ids.begin() + 2, ids.end());
  return status_line(b_.set_cred(cred));
}

std::string Executor::cmd_nofile(const Args& a) {
  auto n = parse_decimal(a.argv[0], UINT64_MAX);
  if (!n) return bad("nofile: bad number '" + a.argv[0] + "'");
  return status_line(b_.set_fd_limit(*n));
}

std::string Executor::cmd_watch(const Args& a) {
  auto mask = parse_inotify_mask(a.argv[1]);
  if (!mask) return bad("watch: bad mask '" + a.argv[1] + "'");
  if (watch_fd_ < 0) {
    auto fd = b_.inotify_init1(IN_NONBLOCK);
    if (!fd.ok()) return err(fd.error());
    watch_fd_ = *fd;
  }
  auto wd = b_.inotify_add_watch(watch_fd_, a.argv[0], *mask);
  if (!wd.ok()) return err(wd.error());
  return "ok wd=" + std::to_string(*wd);
}

std::string Executor::cmd_unwatch(const Args& a) {
  // Any int, as the call takes one (a negative one is simply no watch).
  auto wd = parse_signed_decimal(a.argv[0]);
  if (!wd || *wd < INT_MIN || *wd > INT_MAX)
    return bad("unwatch: bad watch descriptor '" + a.argv[0] + "'");
  if (watch_fd_ < 0) return err(EINVAL);  // no instance: no such watch
  return status_line(b_.inotify_rm_watch(watch_fd_, static_cast<int>(*wd)));
}

std::string Executor::cmd_events(const Args&) {
  std::string out = "ok";
  if (watch_fd_ < 0) return out;
  alignas(struct inotify_event) char buf[65536];
  for (;;) {
    auto n = b_.read(watch_fd_, buf, sizeof buf);
    if (!n.ok()) {
      if (n.error() == EAGAIN) break;
      return err(n.error());
    }
    if (*n == 0) break;
    for (size_t off = 0; off + sizeof(struct inotify_event) <= *n;) {
      struct inotify_event ev;
      std::memcpy(&ev, buf + off, sizeof ev);
      const char* name = buf + off + sizeof ev;
      out += ' ' + std::to_string(ev.wd) + ':' + inotify_mask_names(ev.mask) + ':' +
             (ev.len ? quote_if_needed(std::string_view(name, strnlen(name, ev.len))) : "");
      off += sizeof ev + ev.len;
    }
  }
  return out;
}

std::string Executor::cmd_mount(const Args& a) {
  return status_line(b_.mount(a.argv[0], a.argv[1]));
}

std::string Executor::cmd_bind(const Args& a) {
  bool rec = false;
  if (a.argv.size() > 2) {
    if (a.argv[2] != "rec") return bad("bind: unknown flag '" + a.argv[2] + "'");
    rec = true;
  }
  if (!b_.supports_bind()) return bad("bind is not supported yet");
  return status_line(b_.bind(a.argv[0], a.argv[1], rec));
}

std::string Executor::cmd_umount(const Args& a) {
  int flags = 0;
  if (a.argv.size() > 1) {
    if (a.argv[1] != "detach") return bad("umount: unknown flag '" + a.argv[1] + "'");
    flags = MNT_DETACH;
  }
  return status_line(b_.umount(a.argv[0], flags));
}

std::string Executor::cmd_audit(const Args& a) {
  if (!b_.supports_security()) return bad("audit is not supported here");
  return status_line(b_.audit(a.argv[0]));
}

std::string Executor::cmd_restrict(const Args& a) {
  if (!b_.supports_security()) return bad("restrict is not supported here");
  const bool enforce = a.argv[0] == "enforce";
  if (!enforce && a.argv.size() != 2)
    return bad("usage: restrict PATH RIGHT[,RIGHT...] | restrict enforce [RIGHT,...]");
  std::string_view rights = a.argv.size() > 1 ? std::string_view(a.argv[1]) : "";
  // Every item of the list must be a right ("" only for `restrict enforce`).
  for (std::string_view list = rights; !(enforce && rights.empty());) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (!b_.is_access_right(item))
      return bad("restrict: unknown right '" + std::string(item) + "'");
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (enforce) return status_line(b_.restrict_enforce(rights));
  return status_line(b_.restrict_add(a.argv[0], rights));
}

std::string Executor::cmd_stats(const Args&) {
  std::string out = "ok";
  for (const auto& [k, v] : b_.stats()) out += " " + k + "=" + std::to_string(v);
  return out;
}

}  // namespace rcuvfs::shell
