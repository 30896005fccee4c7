#include "fuse/owner.h"

namespace rcuvfs::fuse {

Status give_to_requester(Server& s, fuse_req_t req, const Node& parent, const Node& node,
                         mode_t mode) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  // Root's objects are already root's: nothing to do on the common path of a root
  // user (and no extra stat).
  if (ctx->uid == 0 && ctx->gid == 0) return {};
  auto dir = s.task.fstat(parent.fd);
  if (!dir.ok()) return Err{dir.error()};
  const bool setgid_dir = dir->stx_mode & S_ISGID;
  const gid_t gid = setgid_dir ? static_cast<gid_t>(-1) : ctx->gid;
  constexpr int kSelf = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
  RCUVFS_TRY(s.task.fchownat(node.fd, "", ctx->uid, gid, kSelf));
  // chown of a non-directory drops setuid/setgid; the creator keeps what it asked
  // for when the file ends up in its own group (setgid in a foreign group is dropped,
  // as inode_init_owner does for a caller without CAP_FSETID).
  if (S_ISDIR(mode) || S_ISLNK(mode) || !(mode & (S_ISUID | S_ISGID))) return {};
  mode_t keep = mode & 07777;
  if (setgid_dir && dir->stx_gid != ctx->gid) keep &= ~S_ISGID;
  return s.task.fchmodat(node.fd, "", keep, kSelf);
}

}  // namespace rcuvfs::fuse
