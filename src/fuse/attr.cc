#include "fuse/attr.h"

#include <cerrno>
#include <cstring>

namespace rcuvfs::fuse {

struct stat to_stat(const Statx& sx) {
  struct stat st {};
  st.st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  st.st_ino = sx.stx_ino;
  st.st_mode = sx.stx_mode;
  st.st_nlink = sx.stx_nlink;
  st.st_uid = sx.stx_uid;
  st.st_gid = sx.stx_gid;
  st.st_rdev = makedev(sx.stx_rdev_major, sx.stx_rdev_minor);
  st.st_size = static_cast<off_t>(sx.stx_size);
  st.st_blksize = sx.stx_blksize;
  st.st_blocks = static_cast<blkcnt_t>(sx.stx_blocks);
  st.st_atim = {sx.stx_atime.tv_sec, sx.stx_atime.tv_nsec};
  st.st_mtim = {sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec};
  st.st_ctim = {sx.stx_ctime.tv_sec, sx.stx_ctime.tv_nsec};
  return st;
}

Result<struct stat> node_stat(Server& s, const Node& node) {
  auto sx = s.task.statx(node.fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS);
  if (!sx.ok()) return Err{sx.error()};
  return to_stat(*sx);
}

namespace {
Status find_entry(Server& s, int parent_fd, const char* name, fuse_entry_param& e) {
  // The kernel sends single components; anything else is a protocol error, not a path.
  if (!*name || std::strchr(name, '/')) return Err{EINVAL};
  // A speculative stat first: most lookups name an object the kernel already knows
  // (its dentry expired, the inode did not), and then no descriptor is opened. The
  // kernel holds the parent locked against changes made through the mount, so the
  // name still means the same object when the node is used.
  auto sx = s.task.statx(parent_fd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS);
  if (!sx.ok()) return Err{sx.error()};
  if (Node* known = s.nodes.find(makedev(sx->stx_dev_major, sx->stx_dev_minor), sx->stx_ino)) {
    e = fuse_entry_param{};
    e.ino = s.nodes.id_of(known);
    e.generation = known->generation;
    e.attr = to_stat(*sx);
    e.attr_timeout = s.opt.attr_timeout;
    e.entry_timeout = s.opt.entry_timeout;
    return {};
  }
  OpenHow how{};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  auto fd = s.task.openat2(parent_fd, name, how);
  if (!fd.ok()) return Err{fd.error()};
  return entry_from_fd(s, *fd, e);
}
}  // namespace

Status lookup_entry(Server& s, const Node& parent, const char* name, fuse_entry_param& e) {
  RCUVFS_TRY(find_entry(s, parent.fd, name, e));
  s.nodes.named(s.nodes.get(e.ino), s.nodes.id_of(&parent), name);
  return {};
}

Status entry_from_fd(Server& s, int fd, fuse_entry_param& e) {
  s.note_fd(fd);
  auto node = s.nodes.enter(fd);
  if (!node.ok()) return Err{node.error()};
  auto st = node_stat(s, **node);
  if (!st.ok()) {
    s.nodes.forget(*node, 1);
    return Err{st.error()};
  }
  e = fuse_entry_param{};
  e.ino = s.nodes.id_of(*node);
  e.generation = (*node)->generation;
  e.attr = *st;
  e.attr_timeout = s.opt.attr_timeout;
  e.entry_timeout = s.opt.entry_timeout;
  return {};
}

}  // namespace rcuvfs::fuse
