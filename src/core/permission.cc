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

namespace {
// Ask every module through `call`; under RCU, an answer that rests on an ancestry
// which may have changed since is turned into -ECHILD.
template <class Call>
int ask_modules(const VfsState& vfs, const SecPath& at, Refuser* why, Call&& call) {
  const ModuleList* mods = vfs.lsm.load(std::memory_order_acquire);
  if (!mods) return 0;
  int err = 0;
  for (const auto& m : *mods) {
    err = call(*m);
    if (err) break;
  }
  if (err == -ECHILD) {
    if (why) *why = Refuser::kSecurity;
    return err;
  }
  if (at.may_not_block() && !SecPathAccess::still_valid(at)) {
    if (why) *why = Refuser::kRace;
    return -ECHILD;
  }
  return err;
}
}  // namespace

int inode_permission(const VfsState& vfs, const SecPath& at, int mask, const Cred& cred,
                     Refuser* why) {
  const unsigned flags = at.may_not_block() ? kMayNotBlock : 0;
  int err = at.inode().permission(mask, cred, flags);
  if (err) {
    if (why && err == -ECHILD) *why = Refuser::kFs;
    return err;
  }
  return ask_modules(vfs, at, why, [&](SecurityModule& m) {
    return m.inode_permission(at, mask, cred, flags);
  });
}

int security_getattr(const VfsState& vfs, const SecPath& at, const Cred& cred,
                     Refuser* why) {
  const unsigned flags = at.may_not_block() ? kMayNotBlock : 0;
  return ask_modules(vfs, at, why,
                     [&](SecurityModule& m) { return m.inode_getattr(at, cred, flags); });
}

int security_follow_link(const VfsState& vfs, const SecPath& link, const Cred& cred,
                         Refuser* why) {
  const unsigned flags = link.may_not_block() ? kMayNotBlock : 0;
  return ask_modules(vfs, link, why, [&](SecurityModule& m) {
    return m.inode_follow_link(link, cred, flags);
  });
}

int security_getxattr(const VfsState& vfs, const SecPath& at, std::string_view name,
                      const Cred& cred, Refuser* why) {
  const unsigned flags = at.may_not_block() ? kMayNotBlock : 0;
  return ask_modules(vfs, at, why, [&](SecurityModule& m) {
    return m.inode_getxattr(at, name, cred, flags);
  });
}

int security_listxattr(const VfsState& vfs, const SecPath& at, const Cred& cred,
                       Refuser* why) {
  const unsigned flags = at.may_not_block() ? kMayNotBlock : 0;
  return ask_modules(vfs, at, why,
                     [&](SecurityModule& m) { return m.inode_listxattr(at, cred, flags); });
}

int security_readlink(const VfsState& vfs, const SecPath& link, const Cred& cred,
                      Refuser* why) {
  const unsigned flags = link.may_not_block() ? kMayNotBlock : 0;
  return ask_modules(vfs, link, why,
                     [&](SecurityModule& m) { return m.inode_readlink(link, cred, flags); });
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
