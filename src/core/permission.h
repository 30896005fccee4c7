// Permission checks shared by the walker and the namespace operations: the inode's
// own permission() (DAC) followed by the security modules.
#pragma once

#include "core/vfs_state.h"

#include <rcuvfs/fs/inode.h>

namespace rcuvfs::core {

// 0, -EACCES/-EPERM, or -ECHILD (only with kMayNotBlock in flags). The caller tells
// which of the two refused through `*why` when it is -ECHILD.
enum class Refuser : uint8_t { kNone, kFs, kSecurity };
int inode_permission(const VfsState& vfs, const Inode& inode, int mask, const Cred& cred,
                     unsigned flags, Refuser* why = nullptr);
int security_getattr(const VfsState& vfs, const Inode& inode, const Cred& cred,
                     unsigned flags);
int security_follow_link(const VfsState& vfs, const Inode& inode, const Cred& cred,
                         unsigned flags);

// Linux's in_group_p and the CAP_FOWNER test for the sticky bit and chmod/chown.
bool owner_or_root(const Inode& inode, const Cred& cred);
// Sticky directory: may `cred` delete or rename `victim` out of `dir`?
bool sticky_allows(const Inode& dir, const Inode& victim, const Cred& cred);

}  // namespace rcuvfs::core
