// Extended attributes: setxattr, getxattr, listxattr, removexattr.
//
// The kernel has applied Linux's rules for the requester before a request gets here
// (xattr_permission with default_permissions: user. only on regular files and
// directories, trusted. for CAP_SYS_ADMIN, sticky directories; the capability check
// of security. writes), so the server's root Task runs the call. What the kernel does
// not do is hide trusted. names from an unprivileged listxattr (tmpfs does it itself):
// the server drops them.
//
// A node is an O_PATH descriptor, which the f*xattr calls refuse (as Linux's do):
// a regular file or a directory is reopened for reading for the call. rcuvfs has no
// /proc/self/fd through which Linux servers reach the attributes of a symlink or a
// special file by descriptor, so through the mount those have none: their list is
// empty and the other calls are EOPNOTSUPP, which tools read as "this filesystem has
// no such attributes" (cp -a then sets a FIFO's mode with chmod instead of an ACL).
// (Their user. attributes never get here: Linux allows none.)
#include "fuse/attr.h"
#include "fuse/ops.h"

#include <algorithm>
#include <cerrno>
#include <string>
#include <string_view>

namespace rcuvfs::fuse {
namespace {

// A readable descriptor of the node's object for one call, closed with it.
class Opened {
 public:
  Opened(Server& s, const Node& node) : s_(s) {
    auto st = s.task.fstat(node.fd);
    if (!st.ok()) {
      error_ = st.error();
      return;
    }
    const mode_t type = st->stx_mode & S_IFMT;
    if (type != S_IFREG && type != S_IFDIR) {
      none_ = true;
      return;
    }
    auto fd = s.task.reopen(node.fd, O_RDONLY | O_CLOEXEC);
    if (!fd.ok()) {
      error_ = fd.error();
      return;
    }
    s.note_fd(*fd);
    fd_ = *fd;
  }
  ~Opened() {
    if (fd_ >= 0) (void)s_.task.close(fd_);
  }
  Opened(const Opened&) = delete;
  Opened& operator=(const Opened&) = delete;

  int fd() const { return fd_; }
  // A symlink or a special file: no attributes through the mount.
  bool none() const { return none_; }
  int error() const { return error_; }

 private:
  Server& s_;
  int fd_ = -1;
  int error_ = 0;
  bool none_ = false;
};

void do_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value,
                 size_t size, int flags) {
  Server& s = server(req);
  Opened f(s, *s.nodes.get(ino));
  if (f.none() || f.error()) return (void)fuse_reply_err(req, f.none() ? EOPNOTSUPP : f.error());
  auto st = s.task.fsetxattr(f.fd(), name, std::string_view(value, size), flags);
  fuse_reply_err(req, st.ok() ? 0 : st.error());
}

void do_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  Server& s = server(req);
  Opened f(s, *s.nodes.get(ino));
  if (f.none() || f.error()) return (void)fuse_reply_err(req, f.none() ? EOPNOTSUPP : f.error());
  std::string value(std::min(size, kXattrSizeMax), '\0');
  auto n = s.task.fgetxattr(f.fd(), name, value.data(), value.size());
  if (!n.ok()) return (void)fuse_reply_err(req, n.error());
  if (size == 0) return (void)fuse_reply_xattr(req, *n);
  fuse_reply_buf(req, value.data(), *n);
}

void do_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  Server& s = server(req);
  Opened f(s, *s.nodes.get(ino));
  if (f.none()) return (void)(size ? fuse_reply_buf(req, nullptr, 0) : fuse_reply_xattr(req, 0));
  if (f.error()) return (void)fuse_reply_err(req, f.error());
  // The server is root and sees every name: ask for all, keep what the requester may.
  std::string all(kXattrListMax, '\0');
  auto n = s.task.flistxattr(f.fd(), all.data(), all.size());
  if (!n.ok()) return (void)fuse_reply_err(req, n.error());
  all.resize(*n);
  const bool root = fuse_req_ctx(req)->uid == 0;
  std::string list;
  for_each_xattr_name(all.data(), all.size(), [&](std::string_view name) {
    if (root || !name.starts_with("trusted.")) list.append(name).push_back('\0');
  });
  if (size == 0) return (void)fuse_reply_xattr(req, list.size());
  if (list.size() > size) return (void)fuse_reply_err(req, ERANGE);
  fuse_reply_buf(req, list.data(), list.size());
}

void do_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  Server& s = server(req);
  Opened f(s, *s.nodes.get(ino));
  if (f.none() || f.error()) return (void)fuse_reply_err(req, f.none() ? EOPNOTSUPP : f.error());
  auto st = s.task.fremovexattr(f.fd(), name);
  fuse_reply_err(req, st.ok() ? 0 : st.error());
}

}  // namespace

void add_xattr_ops(fuse_lowlevel_ops& ops) {
  ops.setxattr = do_setxattr;
  ops.getxattr = do_getxattr;
  ops.listxattr = do_listxattr;
  ops.removexattr = do_removexattr;
}

}  // namespace rcuvfs::fuse
