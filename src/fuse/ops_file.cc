// Open files: create, open, read, write, flush, fsync, release. A file handle
// (fi->fh) is an rcuvfs descriptor opened in the server's Task.
#include "fuse/attr.h"
#include "fuse/ops.h"
#include "fuse/owner.h"

#include <cerrno>
#include <memory>

namespace rcuvfs::fuse {
namespace {

// Flags the kernel passes that mean nothing to an rcuvfs descriptor.
constexpr int kIgnoredOpenFlags = O_NOCTTY | O_LARGEFILE;

int handle_fd(const fuse_file_info* fi) { return static_cast<int>(fi->fh); }

void do_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
               fuse_file_info* fi) {
  Server& s = server(req);
  Node& dir = *s.nodes.get(parent);
  OpenHow how{};
  // O_EXCL tells whether this request made the file: only then is it handed to the
  // requester. A name that appeared since the kernel's lookup is opened as it is.
  how.flags = static_cast<uint64_t>((fi->flags & ~kIgnoredOpenFlags) | O_CREAT | O_EXCL |
                                    O_CLOEXEC);
  how.mode = mode & 07777;
  auto fd = s.task.openat2(dir.fd, name, how);
  bool made = fd.ok();
  if (!fd.ok() && fd.error() == EEXIST && !(fi->flags & O_EXCL)) {
    how.flags &= ~static_cast<uint64_t>(O_CREAT | O_EXCL);
    how.mode = 0;
    fd = s.task.openat2(dir.fd, name, how);
  }
  if (!fd.ok()) return (void)fuse_reply_err(req, fd.error());
  s.note_fd(*fd);
  // The node's descriptor is a second, O_PATH one: the handle is closed by release,
  // the node by forget, in either order.
  auto path_fd = s.task.reopen(*fd, O_PATH | O_CLOEXEC);
  fuse_entry_param e;
  Status st = path_fd.ok() ? entry_from_fd(s, *path_fd, e) : Status(Err{path_fd.error()});
  if (st.ok()) {
    Node* node = s.nodes.get(e.ino);
    s.nodes.named(node, parent, name);
    if (made) st = give_to_requester(s, req, dir, *node, S_IFREG | mode);
    if (st.ok()) {
      auto now = node_stat(s, *node);
      if (now.ok()) e.attr = *now;
      else st = Err{now.error()};
    }
    if (!st.ok()) s.nodes.forget(node, 1);
  }
  if (!st.ok()) {
    (void)s.task.close(*fd);
    return (void)fuse_reply_err(req, st.error());
  }
  fi->fh = static_cast<uint64_t>(*fd);
  s.open_files.fetch_add(1, std::memory_order_relaxed);
  if (fuse_reply_create(req, &e, fi) != 0) {
    // The request was interrupted: the kernel will send neither release nor forget.
    (void)s.task.close(*fd);
    s.open_files.fetch_sub(1, std::memory_order_relaxed);
    s.nodes.forget(s.nodes.get(e.ino), 1);
  }
}

void do_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Server& s = server(req);
  auto fd = s.task.reopen(s.nodes.get(ino)->fd,
                          (fi->flags & ~(kIgnoredOpenFlags | O_CREAT | O_EXCL)) | O_CLOEXEC);
  if (!fd.ok()) return (void)fuse_reply_err(req, fd.error());
  s.note_fd(*fd);
  fi->fh = static_cast<uint64_t>(*fd);
  s.open_files.fetch_add(1, std::memory_order_relaxed);
  if (fuse_reply_open(req, fi) != 0) {
    (void)s.task.close(*fd);
    s.open_files.fetch_sub(1, std::memory_order_relaxed);
  }
}

void do_read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  Server& s = server(req);
  std::unique_ptr<char[]> buf(new (std::nothrow) char[size ? size : 1]);
  if (!buf) return (void)fuse_reply_err(req, ENOMEM);
  auto n = s.task.pread(handle_fd(fi), buf.get(), size, off);
  if (!n.ok()) return (void)fuse_reply_err(req, n.error());
  fuse_reply_buf(req, buf.get(), *n);
}

void do_write(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t off,
              fuse_file_info* fi) {
  Server& s = server(req);
  auto n = s.task.pwrite(handle_fd(fi), buf, size, off);
  if (!n.ok()) return (void)fuse_reply_err(req, n.error());
  fuse_reply_write(req, *n);
}

// close(2) of one of possibly several descriptors of the handle: nothing is buffered.
void do_flush(fuse_req_t req, fuse_ino_t, fuse_file_info*) { fuse_reply_err(req, 0); }

void do_fsync(fuse_req_t req, fuse_ino_t, int datasync, fuse_file_info* fi) {
  reply_status(req, server(req).task.fsync(handle_fd(fi), datasync != 0));
}

void do_release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  Server& s = server(req);
  auto st = s.task.close(handle_fd(fi));
  if (st.ok()) s.open_files.fetch_sub(1, std::memory_order_relaxed);
  reply_status(req, st);
}

}  // namespace

void add_file_ops(fuse_lowlevel_ops& ops) {
  ops.create = do_create;
  ops.open = do_open;
  ops.read = do_read;
  ops.write = do_write;
  ops.flush = do_flush;
  ops.fsync = do_fsync;
  ops.release = do_release;
}

}  // namespace rcuvfs::fuse
