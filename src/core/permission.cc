#include "core/permission.h"

#include <algorithm>
#include <cerrno>

namespace rcuvfs {

bool Cred::in_group(gid_t g) const {
  return g == gid || std::find(groups.begin(), groups.end(), g) != groups.end();
}

int generic_permission(const Inode& inode, int mask, const Cred& cred) {
  const mode_t mode = inode.mode.load(std::memory_order_relaxed);
  mask &= kMayRead | kMayWrite | kMayExec;
  if (cred.is_root()) {
    // CAP_DAC_OVERRIDE: read and write always; execute only when some x bit is set
    // (directories: search always).
    if (!(mask & kMayExec) || S_ISDIR(mode) || (mode & 0111)) return 0;
    return -EACCES;
  }
  mode_t bits;
  if (inode.uid.load(std::memory_order_relaxed) == cred.uid)
    bits = (mode >> 6) & 7;
  else if (cred.in_group(inode.gid.load(std::memory_order_relaxed)))
    bits = (mode >> 3) & 7;
  else
    bits = mode & 7;
  return (static_cast<mode_t>(mask) & ~bits) ? -EACCES : 0;
}

namespace core {

int inode_permission(const VfsState& vfs, const Inode& inode, int mask, const Cred& cred,
                     unsigned flags, Refuser* why) {
  int err = inode.permission(mask, cred, flags);
  if (err) {
    if (why && err == -ECHILD) *why = Refuser::kFs;
    return err;
  }
  const ModuleList* mods = vfs.lsm.load(std::memory_order_acquire);
  if (!mods) return 0;
  for (const auto& m : *mods) {
    err = m->inode_permission(inode, mask, cred, flags);
    if (err) {
      if (why && err == -ECHILD) *why = Refuser::kSecurity;
      return err;
    }
  }
  return 0;
}

int security_getattr(const VfsState& vfs, const Inode& inode, const Cred& cred,
                     unsigned flags) {
  const ModuleList* mods = vfs.lsm.load(std::memory_order_acquire);
  if (!mods) return 0;
  for (const auto& m : *mods)
    if (int err = m->inode_getattr(inode, cred, flags)) return err;
  return 0;
}

int security_follow_link(const VfsState& vfs, const Inode& inode, const Cred& cred,
                         unsigned flags) {
  const ModuleList* mods = vfs.lsm.load(std::memory_order_acquire);
  if (!mods) return 0;
  for (const auto& m : *mods)
    if (int err = m->inode_follow_link(inode, cred, flags)) return err;
  return 0;
}

bool owner_or_root(const Inode& inode, const Cred& cred) {
  return cred.is_root() || inode.uid.load(std::memory_order_relaxed) == cred.uid;
}

bool sticky_allows(const Inode& dir, const Inode& victim, const Cred& cred) {
  if (!(dir.mode.load(std::memory_order_relaxed) & S_ISVTX)) return true;
  return cred.is_root() || victim.uid.load(std::memory_order_relaxed) == cred.uid ||
         dir.uid.load(std::memory_order_relaxed) == cred.uid;
}

}  // namespace core
}  // namespace rcuvfs
