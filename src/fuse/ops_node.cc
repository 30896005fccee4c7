// Per-node requests: lookup, forget, getattr, setattr, readlink, access, statfs.
#include "fuse/attr.h"
#include "fuse/ops.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace rcuvfs::fuse {
namespace {

void do_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Server& s = server(req);
  fuse_entry_param e;
  auto st = lookup_entry(s, *s.nodes.get(parent), name, e);
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  fuse_reply_entry(req, &e);
}

void do_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Server& s = server(req);
  s.nodes.forget(s.nodes.get(ino), nlookup);
  fuse_reply_none(req);
}

void do_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  Server& s = server(req);
  for (size_t i = 0; i < count; ++i)
    s.nodes.forget(s.nodes.get(forgets[i].ino), forgets[i].nlookup);
  fuse_reply_none(req);
}

void do_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Server& s = server(req);
  auto st = node_stat(s, *s.nodes.get(ino));
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  fuse_reply_attr(req, &*st, s.opt.attr_timeout);
}

// Truncate through the open handle when it is writable (ftruncate), else through a
// descriptor reopened for writing (truncate by name; the kernel checked permission).
Status set_size(Server& s, const Node& node, off_t size, fuse_file_info* fi) {
  if (fi) {
    auto st = s.task.ftruncate(static_cast<int>(fi->fh), size);
    if (st.ok() || (st.error() != EINVAL && st.error() != EBADF)) return st;
  }
  auto fd = s.task.reopen(node.fd, O_WRONLY | O_CLOEXEC);
  if (!fd.ok()) return Err{fd.error()};
  s.note_fd(*fd);
  auto st = s.task.ftruncate(*fd, size);
  (void)s.task.close(*fd);
  return st;
}

void do_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                fuse_file_info* fi) {
  Server& s = server(req);
  Node& node = *s.nodes.get(ino);
  constexpr int kSelf = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
  Status st;
  if (to_set & FUSE_SET_ATTR_MODE) st = s.task.fchmodat(node.fd, "", attr->st_mode, kSelf);
  if (st.ok() && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
    uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : static_cast<uid_t>(-1);
    gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : static_cast<gid_t>(-1);
    st = s.task.fchownat(node.fd, "", uid, gid, kSelf);
  }
  if (st.ok() && (to_set & FUSE_SET_ATTR_SIZE)) st = set_size(s, node, attr->st_size, fi);
  if (st.ok() && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))) {
    struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (to_set & FUSE_SET_ATTR_ATIME_NOW) ts[0].tv_nsec = UTIME_NOW;
    else if (to_set & FUSE_SET_ATTR_ATIME) ts[0] = attr->st_atim;
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) ts[1].tv_nsec = UTIME_NOW;
    else if (to_set & FUSE_SET_ATTR_MTIME) ts[1] = attr->st_mtim;
    st = s.task.utimensat(node.fd, "", ts, kSelf);
  }
  // chown(f, -1, -1) reaches us as a SETATTR of nothing (FUSE_SET_ATTR_CTIME at most,
  // with a writeback cache): Linux still counts it a change and stamps ctime, and so
  // does rcuvfs's fchownat with -1, -1.
  constexpr int kChanges = FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
                           FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME;
  if (!(to_set & kChanges))
    st = s.task.fchownat(node.fd, "", static_cast<uid_t>(-1), static_cast<gid_t>(-1), kSelf);
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  auto now = node_stat(s, node);
  if (!now.ok()) return (void)fuse_reply_err(req, now.error());
  fuse_reply_attr(req, &*now, s.opt.attr_timeout);
}

void do_readlink(fuse_req_t req, fuse_ino_t ino) {
  Server& s = server(req);
  auto body = s.task.readlinkat(s.nodes.get(ino)->fd, "");
  if (!body.ok()) return (void)fuse_reply_err(req, body.error());
  fuse_reply_readlink(req, body->c_str());
}

// Only reached when the mount runs without default_permissions (the kernel answers
// access(2) itself otherwise): Linux's generic_permission on the node's attributes
// for the requester's fsuid, fsgid and supplementary groups.
void do_access(fuse_req_t req, fuse_ino_t ino, int mask) {
  Server& s = server(req);
  auto st = node_stat(s, *s.nodes.get(ino));
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  const fuse_ctx* ctx = fuse_req_ctx(req);
  const mode_t mode = st->st_mode;
  if (mask == F_OK) return (void)fuse_reply_err(req, 0);
  if (ctx->uid == 0) {
    // Root: read/write always; execute when some x bit is set (or a directory).
    bool ok = !(mask & X_OK) || S_ISDIR(mode) || (mode & 0111);
    return (void)fuse_reply_err(req, ok ? 0 : EACCES);
  }
  mode_t bits;
  if (ctx->uid == st->st_uid) {
    bits = (mode >> 6) & 7;
  } else {
    bool in_group = ctx->gid == st->st_gid;
    if (!in_group) {
      std::vector<gid_t> groups(64);
      int n = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
      if (n > static_cast<int>(groups.size())) {
        groups.resize(static_cast<size_t>(n));
        n = fuse_req_getgroups(req, n, groups.data());
      }
      for (int i = 0; i < n && i < static_cast<int>(groups.size()); ++i)
        if (groups[static_cast<size_t>(i)] == st->st_gid) in_group = true;
    }
    bits = in_group ? (mode >> 3) & 7 : mode & 7;
  }
  fuse_reply_err(req, (static_cast<mode_t>(mask) & ~bits & 7) ? EACCES : 0);
}

// The namespace's own answer for the node (memfs: its size= limit and the pages in
// use, as tmpfs; hostfs: the host filesystem's), so that df and tools that check for
// space see the limits a write will meet.
void do_statfs(fuse_req_t req, fuse_ino_t ino) {
  Server& s = server(req);
  auto st = s.task.fstatfs(s.nodes.get(ino)->fd);
  if (!st.ok()) return (void)fuse_reply_err(req, st.error());
  struct statvfs sv {};
  sv.f_bsize = static_cast<unsigned long>(st->f_bsize);
  sv.f_frsize = static_cast<unsigned long>(st->f_frsize);
  sv.f_blocks = st->f_blocks;
  sv.f_bfree = st->f_bfree;
  sv.f_bavail = st->f_bavail;
  sv.f_files = st->f_files;
  sv.f_ffree = st->f_ffree;
  sv.f_favail = st->f_ffree;
  sv.f_namemax = static_cast<unsigned long>(st->f_namelen);
  fuse_reply_statfs(req, &sv);
}

}  // namespace

void add_node_ops(fuse_lowlevel_ops& ops) {
  ops.lookup = do_lookup;
  ops.forget = do_forget;
  ops.forget_multi = do_forget_multi;
  ops.getattr = do_getattr;
  ops.setattr = do_setattr;
  ops.readlink = do_readlink;
  ops.access = do_access;
  ops.statfs = do_statfs;
}

}  // namespace rcuvfs::fuse
