// Extended attributes: getxattr and listxattr (read-only questions answered by the
// speculative tail, as stat), setxattr and removexattr. The rules are Linux's
// (fs/xattr.c): the name is checked before the walk, then xattr_permission, then the
// security modules, then the filesystem.
#include "core/file.h"
#include "core/ops_common.h"
#include "core/rcu.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rcuvfs {

using namespace core;

namespace {

enum class XattrNs : uint8_t { kUser, kTrusted, kSecurity, kOther };

constexpr std::string_view kUserPrefix = "user.";
constexpr std::string_view kTrustedPrefix = "trusted.";
constexpr std::string_view kSecurityPrefix = "security.";

XattrNs xattr_ns(std::string_view name) {
  if (name.starts_with(kUserPrefix)) return XattrNs::kUser;
  if (name.starts_with(kTrustedPrefix)) return XattrNs::kTrusted;
  if (name.starts_with(kSecurityPrefix)) return XattrNs::kSecurity;
  return XattrNs::kOther;
}

// The name as Linux imports it, before anything is looked up: ERANGE for an empty
// one or one longer than XATTR_NAME_MAX; a NUL inside is EINVAL (a C caller could
// not have passed it).
int check_name(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) return -EINVAL;
  if (name.empty() || name.size() > kXattrNameMax) return -ERANGE;
  return 0;
}

// Is there a handler for the name (Linux's xattr_resolve_name, asked after the
// permission checks)? rcuvfs has the user., trusted. and security. namespaces and no
// ACLs: any other prefix is EOPNOTSUPP, a prefix with nothing after it EINVAL.
int resolve_name(std::string_view name) {
  for (std::string_view p : {kUserPrefix, kTrustedPrefix, kSecurityPrefix})
    if (name.starts_with(p)) return name.size() == p.size() ? -EINVAL : 0;
  return -EOPNOTSUPP;
}

// Linux's xattr_permission. (Its may_write_xattr has nothing to refuse here: rcuvfs
// has no immutable or append-only files and no idmapped mounts.) Reads mode and uid:
// callers run it under on_one_attr_state.
int xattr_permission(const TaskState& t, const SecPath& at, std::string_view name, int mask,
                     const Cred& cred, Refuser* why) {
  const Inode& inode = at.inode();
  switch (xattr_ns(name)) {
    case XattrNs::kSecurity:
      // Left to the security modules (and, for writes, to root: change_xattr).
      return 0;
    case XattrNs::kTrusted:
      if (!cred.is_root()) return (mask & kMayWrite) ? -EPERM : -ENODATA;
      return 0;
    case XattrNs::kUser: {
      const mode_t mode = inode.mode.load(std::memory_order_relaxed);
      if (!S_ISREG(mode) && !S_ISDIR(mode)) return (mask & kMayWrite) ? -EPERM : -ENODATA;
      if (S_ISDIR(mode) && (mode & S_ISVTX) && (mask & kMayWrite) &&
          !owner_or_root(inode, cred))
        return -EPERM;
      break;
    }
    case XattrNs::kOther:
      // Linux leaves system.* to the filesystem; other prefixes reach the DAC check
      // and then find no handler.
      if (name.starts_with("system.")) return 0;
      break;
  }
  return inode_permission(*t.vfs, at, mask, cred, why);
}

// A question's answer is a length, capped at what the caller's buffer takes.
class XattrQuery : public FinalQuery {
 public:
  XattrQuery(Counter speculative, Counter fallback)
      : FinalQuery(speculative, fallback, kInjectXattrSkipValidation) {}
  size_t length = 0;

 protected:
  ~XattrQuery() = default;
};

class GetxattrQuery final : public XattrQuery {
 public:
  GetxattrQuery(std::string_view name, void* buf, size_t size)
      : XattrQuery(Counter::kGetxattrSpeculative, Counter::kGetxattrFallback),
        name_(name), buf_(buf), size_(size) {}

  int ask(TaskState& t, const Cred& cred, const Path& at, Inode* inode, unsigned flags,
          Echild* why) override {
    const SecPath sp = sec_path(t, at, inode, flags);
    Refuser who = Refuser::kNone;
    int e = on_one_attr_state(inode, flags, [&] {
      return xattr_permission(t, sp, name_, kMayRead, cred, &who);
    });
    if (!e) e = security_getxattr(*t.vfs, sp, name_, cred, &who);
    if (e == -ECHILD) *why = echild_reason(who);
    if (e) return e;
    if (int r = resolve_name(name_)) return r;
    const int n = inode->getxattr(name_, buf_, size_, flags);
    if (n == -ECHILD) *why = Echild::kFsRefused;
    if (n < 0) return n;
    length = static_cast<size_t>(n);
    return 0;
  }

 private:
  const std::string_view name_;
  void* const buf_;
  const size_t size_;
};

// listxattr's names as the caller may see them: a root caller sees every name, others
// not the trusted. ones (Linux's simple_xattr_list). Counts the length and copies
// while the buffer has room; an overflow is ERANGE.
class ListxattrQuery final : public XattrQuery {
 public:
  ListxattrQuery(char* list, size_t size)
      : XattrQuery(Counter::kListxattrSpeculative, Counter::kListxattrFallback),
        list_(list), size_(size) {}

  int ask(TaskState& t, const Cred& cred, const Path& at, Inode* inode, unsigned flags,
          Echild* why) override {
    Refuser who = Refuser::kNone;
    if (int e = security_listxattr(*t.vfs, sec_path(t, at, inode, flags), cred, &who)) {
      if (e == -ECHILD) *why = echild_reason(who);
      return e;
    }
    length = 0;
    overflow_ = false;
    root_ = cred.is_root();
    const int e = inode->listxattr(
        [](void* ctx, std::string_view name) { static_cast<ListxattrQuery*>(ctx)->add(name); },
        this, flags);
    if (e == -ECHILD) *why = Echild::kFsRefused;
    if (e) return e;
    return overflow_ ? -ERANGE : 0;
  }

 private:
  void add(std::string_view name) {
    if (!root_ && xattr_ns(name) == XattrNs::kTrusted) return;
    const size_t need = name.size() + 1;
    if (size_) {
      if (overflow_ || size_ - length < need) {
        overflow_ = true;
        return;
      }
      std::memcpy(list_ + length, name.data(), name.size());
      list_[length + name.size()] = '\0';
    }
    length += need;
  }

  char* const list_;
  const size_t size_;
  bool overflow_ = false;
  bool root_ = false;
};

constexpr int kXattrAtFlags = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH;

// What an xattr call is about: the object a walk from `dirfd` finds, or an open file.
// The f* calls take an open file, and so do the *xattrat calls given AT_EMPTY_PATH, an
// empty path and a descriptor: Linux then uses the file itself (fdget), so an O_PATH
// descriptor is EBADF there, while AT_FDCWD means the cwd.
struct Target {
  int dirfd;
  std::string_view path;
  int at_flags;
  bool open_file;

  static Target at(int dirfd, std::string_view path, int at_flags) {
    return {dirfd, path, at_flags,
            dirfd != AT_FDCWD && path.empty() && (at_flags & AT_EMPTY_PATH)};
  }
  static Target file(int fd) { return {fd, "", AT_EMPTY_PATH, true}; }
};

// The checks of the target that Linux makes after those of the arguments: the file
// (EBADF: none, or O_PATH), read from the table under RCU without a reference, as
// the walk reads it; or the path (getname's).
Status check_target(TaskState& t, const Target& to) {
  if (to.open_file) {
    RcuLock rcu;
    const File* f = t.files.peek_rcu(to.dirfd);
    if (!f || f->is_path_only()) return Err{EBADF};
    return {};
  }
  return check_path(to.path, to.at_flags & AT_EMPTY_PATH);
}

unsigned lookup_flags(const TaskState& t, const Target& to) {
  unsigned lf = t.lookup_flags;
  if (!(to.at_flags & AT_SYMLINK_NOFOLLOW)) lf |= kLookupFollow;
  if (to.at_flags & AT_EMPTY_PATH) lf |= kLookupEmpty;
  return lf;
}

// Walk and ask `q`; the caller's buffer was `size` bytes: an answer that did not fit
// the largest buffer Linux allocates is E2BIG rather than ERANGE, as Linux says.
Result<size_t> ask_xattr(TaskState& t, const Target& to, size_t size, size_t max,
                         XattrQuery& q) {
  RCUVFS_TRY(check_target(t, to));
  int e = query_path(t, to.dirfd, to.path, lookup_flags(t, to), q);
  if (e == ERANGE && size >= max) e = E2BIG;
  if (e) return Err{e};
  return q.length;
}

// setxattr (value) or removexattr (no value) of the object the caller holds.
Status change_xattr(TaskState& t, const Path& p, Inode* inode, std::string_view name,
                    const std::string_view* value, int flags) {
  const Cred cred = current_cred(t);
  const SecPath at = sec_path(t, p, inode);
  int e = on_one_attr_state(inode, 0, [&] {
    return xattr_permission(t, at, name, kMayWrite, cred, nullptr);
  });
  // Linux's capability module: only CAP_SYS_ADMIN changes security. attributes.
  if (!e && xattr_ns(name) == XattrNs::kSecurity && !cred.is_root()) e = -EPERM;
  if (!e)
    e = security_call(*t.vfs, [&](SecurityModule& m) {
      return value ? m.inode_setxattr(at, name, *value, flags, cred)
                   : m.inode_removexattr(at, name, cred);
    });
  if (!e) e = resolve_name(name);
  if (e) return Err{-e};
  {
    std::unique_lock lk(inode->lock);
    RCUVFS_TRY(value ? inode->setxattr(name, *value, flags) : inode->removexattr(name));
  }
  notify_dentry(p.dentry, inode, IN_ATTRIB);
  return {};
}

Result<size_t> get_xattr(TaskState& t, const Target& to, std::string_view name, void* value,
                         size_t size) {
  if (int e = check_name(name)) return Err{-e};
  // Linux allocates at most XATTR_SIZE_MAX bytes for the value.
  GetxattrQuery q(name, value, std::min(size, kXattrSizeMax));
  return ask_xattr(t, to, size, kXattrSizeMax, q);
}

Result<size_t> list_xattr(TaskState& t, const Target& to, char* list, size_t size) {
  ListxattrQuery q(list, std::min(size, kXattrListMax));
  return ask_xattr(t, to, size, kXattrListMax, q);
}

// setxattr (value) or removexattr (nullptr), from the checks of the arguments on.
Status change_xattr(TaskState& t, const Target& to, std::string_view name,
                    const std::string_view* value, int flags) {
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return Err{EINVAL};
  if (int e = check_name(name)) return Err{-e};
  if (value && value->size() > kXattrSizeMax) return Err{E2BIG};
  RCUVFS_TRY(check_target(t, to));
  auto run = [&]() -> Status {
    auto p = lookup_path(t, to.dirfd, to.path, lookup_flags(t, to));
    if (!p.ok()) return Err{p.error()};
    PathRef ref(*p);
    return change_xattr(t, ref.get(), ref.inode(), name, value, flags);
  };
  if (auto r = retry_estale(run)) return *r;
  return run();
}

}  // namespace

Result<size_t> Task::getxattrat(int dirfd, std::string_view path, int at_flags,
                                std::string_view name, void* value, size_t size) {
  if (at_flags & ~kXattrAtFlags) return Err{EINVAL};
  return get_xattr(*s_, Target::at(dirfd, path, at_flags), name, value, size);
}

Result<size_t> Task::fgetxattr(int fd, std::string_view name, void* value, size_t size) {
  return get_xattr(*s_, Target::file(fd), name, value, size);
}

Result<size_t> Task::listxattrat(int dirfd, std::string_view path, int at_flags, char* list,
                                 size_t size) {
  if (at_flags & ~kXattrAtFlags) return Err{EINVAL};
  return list_xattr(*s_, Target::at(dirfd, path, at_flags), list, size);
}

Result<size_t> Task::flistxattr(int fd, char* list, size_t size) {
  return list_xattr(*s_, Target::file(fd), list, size);
}

Status Task::setxattrat(int dirfd, std::string_view path, int at_flags, std::string_view name,
                        std::string_view value, int flags) {
  if (at_flags & ~kXattrAtFlags) return Err{EINVAL};
  return change_xattr(*s_, Target::at(dirfd, path, at_flags), name, &value, flags);
}

Status Task::fsetxattr(int fd, std::string_view name, std::string_view value, int flags) {
  return change_xattr(*s_, Target::file(fd), name, &value, flags);
}

Status Task::removexattrat(int dirfd, std::string_view path, int at_flags,
                           std::string_view name) {
  if (at_flags & ~kXattrAtFlags) return Err{EINVAL};
  return change_xattr(*s_, Target::at(dirfd, path, at_flags), name, nullptr, 0);
}

Status Task::fremovexattr(int fd, std::string_view name) {
  return change_xattr(*s_, Target::file(fd), name, nullptr, 0);
}

}  // namespace rcuvfs
