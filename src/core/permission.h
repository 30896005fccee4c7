// Permission checks shared by the walker and the namespace operations: the inode's
// own permission() (DAC) followed by the security modules.
#pragma once

#include "core/secpath.h"
#include "core/vfs_state.h"

#include <rcuvfs/counters.h>
#include <rcuvfs/fs/inode.h>

namespace rcuvfs::core {

// 0, -EACCES/-EPERM, or -ECHILD (only with kMayNotBlock in flags). The caller learns
// through `*why` who answered -ECHILD: the filesystem, a module, or the core because
// the ancestry a module read under RCU may have changed since (kRace: a rename or
// mount moved g_rename_seq/g_mount_seq).
enum class Refuser : uint8_t { kNone, kFs, kSecurity, kRace };
// The object is `at.inode()`; at's flags are the hook flags.
int inode_permission(const VfsState& vfs, const SecPath& at, int mask, const Cred& cred,
                     Refuser* why = nullptr);
int security_getattr(const VfsState& vfs, const SecPath& at, const Cred& cred,
                     Refuser* why = nullptr);
int security_follow_link(const VfsState& vfs, const SecPath& link, const Cred& cred,
                         Refuser* why = nullptr);
int security_getxattr(const VfsState& vfs, const SecPath& at, std::string_view name,
                      const Cred& cred, Refuser* why = nullptr);
int security_listxattr(const VfsState& vfs, const SecPath& at, const Cred& cred,
                       Refuser* why = nullptr);
int security_readlink(const VfsState& vfs, const SecPath& link, const Cred& cred,
                      Refuser* why = nullptr);
// The Echild reason to count for a -ECHILD from one of those above.
inline Echild echild_reason(Refuser why) {
  switch (why) {
    case Refuser::kSecurity: return Echild::kSecurityRefused;
    case Refuser::kRace: return Echild::kRenameSeq;
    default: return Echild::kFsRefused;
  }
}

// The namespace-changing hooks (ref mode): 0 or the first module's denial.
template <class Call>
int security_call(const VfsState& vfs, Call&& call) {
  const ModuleList* mods = vfs.lsm.load(std::memory_order_acquire);
  if (!mods) return 0;
  for (const auto& m : *mods)
    if (int err = call(*m)) return err;
  return 0;
}

// Linux's in_group_p and the CAP_FOWNER test for the sticky bit and chmod/chown.
bool owner_or_root(const Inode& inode, const Cred& cred);
// Sticky directory: may `cred` delete or rename `victim` out of `dir`?
bool sticky_allows(const Inode& dir, const Inode& victim, const Cred& cred);

}  // namespace rcuvfs::core
