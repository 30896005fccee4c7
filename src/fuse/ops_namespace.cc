// Namespace requests: mknod, mkdir, symlink, link, unlink, rmdir, rename. New objects
// are made as root and handed to the requester (the credential scheme is explained
// in server.h).
#include "fuse/attr.h"
#include "fuse/ops.h"
#include "fuse/owner.h"

#include <cerrno>

namespace rcuvfs::fuse {
namespace {

// `made` is the status of creating `name` in `parent`: enter the new object in the
// node table, give it to the requester and reply with its entry.
void reply_created(fuse_req_t req, Node& parent, const char* name, const Status& made,
                   mode_t mode) {
  if (!made.ok()) return (void)fuse_reply_err(req, made.error());
  Server& s = server(req);
  fuse_entry_param e;
  auto st = lookup_entry(s, parent.fd, name, e);
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  Node* node = s.nodes.get(e.ino);
  st = give_to_requester(s, req, parent, *node, mode);
  if (st.ok()) {
    auto now = node_stat(s, *node);
    if (now.ok()) e.attr = *now;
    else st = Err{now.error()};
  }
  if (!st.ok()) {
    s.nodes.forget(node, 1);
    return (void)fuse_reply_err(req, st.error());
  }
  fuse_reply_entry(req, &e);
}

void do_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Server& s = server(req);
  Node& dir = *s.nodes.get(parent);
  reply_created(req, dir, name, s.task.mknodat(dir.fd, name, mode, rdev), mode);
}

void do_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Server& s = server(req);
  Node& dir = *s.nodes.get(parent);
  reply_created(req, dir, name, s.task.mkdirat(dir.fd, name, mode), S_IFDIR | mode);
}

void do_symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  Server& s = server(req);
  Node& dir = *s.nodes.get(parent);
  reply_created(req, dir, name, s.task.symlinkat(target, dir.fd, name), S_IFLNK | 0777);
}

void do_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Server& s = server(req);
  Node& dir = *s.nodes.get(newparent);
  auto st = s.task.linkat(s.nodes.get(ino)->fd, "", dir.fd, newname, AT_EMPTY_PATH);
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  fuse_entry_param e;
  st = lookup_entry(s, dir.fd, newname, e);
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  fuse_reply_entry(req, &e);
}

void do_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Server& s = server(req);
  reply_status(req, s.task.unlinkat(s.nodes.get(parent)->fd, name, 0));
}

void do_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Server& s = server(req);
  reply_status(req, s.task.unlinkat(s.nodes.get(parent)->fd, name, AT_REMOVEDIR));
}

// flags: RENAME_NOREPLACE, RENAME_EXCHANGE (anything else is EINVAL from rcuvfs).
void do_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
               const char* newname, unsigned flags) {
  Server& s = server(req);
  reply_status(req, s.task.renameat2(s.nodes.get(parent)->fd, name,
                                     s.nodes.get(newparent)->fd, newname, flags));
}

}  // namespace

void add_namespace_ops(fuse_lowlevel_ops& ops) {
  ops.mknod = do_mknod;
  ops.mkdir = do_mkdir;
  ops.symlink = do_symlink;
  ops.link = do_link;
  ops.unlink = do_unlink;
  ops.rmdir = do_rmdir;
  ops.rename = do_rename;
}

}  // namespace rcuvfs::fuse
