// The core side of SecPath (the security modules' view of where an object is): how
// the walker and the namespace operations make one, and the re-check of what a hook
// read under RCU.
#pragma once

#include "core/mount.h"

#include <rcuvfs/security.h>

namespace rcuvfs::core {

struct TaskState;

struct SecPathAccess {
  // A view of `p` (whose inode the caller saw as `inode`) for a hook called with
  // `flags`. Ref mode: the caller holds references on p; RCU mode: p was sampled by
  // the walker and the caller is inside the read-side section.
  static SecPath make(const TaskState& t, const Path& p, const Inode* inode,
                      unsigned flags) {
    SecPath s;
    s.mnt_ = p.mnt;
    s.dentry_ = p.dentry;
    s.task_ = &t;
    s.inode_ = inode;
    s.flags_ = flags;
    return s;
  }
  // After a hook that ran under RCU: false when it read the ancestry and a rename or
  // mount may have changed it since (its answer must then be thrown away).
  static bool still_valid(const SecPath& s);
  static void link(SecurityDomain& layer, std::shared_ptr<const SecurityDomain> below) {
    layer.parent_ = std::move(below);
  }
};

inline SecPath sec_path(const TaskState& t, const Path& p, const Inode* inode,
                        unsigned flags = 0) {
  return SecPathAccess::make(t, p, inode, flags);
}

}  // namespace rcuvfs::core
