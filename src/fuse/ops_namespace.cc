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
  auto st = lookup_entry(s, parent, name, e);
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
  st = lookup_entry(s, dir, newname, e);
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  fuse_reply_entry(req, &e);
}

// The object `name` names in directory node `dir` (dev, ino), or {0, 0}.
std::pair<uint64_t, uint64_t> object_at(Server& s, const Node& dir, const char* name) {
  auto sx = s.task.statx(dir.fd, name, AT_SYMLINK_NOFOLLOW, STATX_INO);
  if (!sx.ok()) return {0, 0};
  return {makedev(sx->stx_dev_major, sx->stx_dev_minor), sx->stx_ino};
}

// unlink and rmdir: the kernel drops its entry; the node's record of it goes too.
void remove_entry(fuse_req_t req, fuse_ino_t parent, const char* name, int flags) {
  Server& s = server(req);
  Node& dir = *s.nodes.get(parent);
  const auto [dev, ino] = object_at(s, dir, name);
  auto st = s.task.unlinkat(dir.fd, name, flags);
  if (st.ok()) s.nodes.unnamed(dev, ino, parent, name);
  reply_status(req, st);
}

void do_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  remove_entry(req, parent, name, 0);
}

void do_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  remove_entry(req, parent, name, AT_REMOVEDIR);
}

// flags: RENAME_NOREPLACE, RENAME_EXCHANGE (anything else is EINVAL from rcuvfs). The
// kernel moves its entries itself; the nodes' records of them move along.
void do_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
               const char* newname, unsigned flags) {
  Server& s = server(req);
  Node& from = *s.nodes.get(parent);
  Node& to = *s.nodes.get(newparent);
  auto st = s.task.renameat2(from.fd, name, to.fd, newname, flags);
  if (st.ok()) {
    const auto [dev, ino] = object_at(s, to, newname);
    s.nodes.renamed(dev, ino, parent, name, newparent, newname);
    if (flags & RENAME_EXCHANGE) {
      const auto [xdev, xino] = object_at(s, from, name);
      s.nodes.renamed(xdev, xino, newparent, newname, parent, name);
    }
  }
  reply_status(req, st);
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
