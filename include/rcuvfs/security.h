// Security modules: stackable hooks consulted by the walker and the namespace
// operations, after the DAC checks pass.
//
// Every hook that can run during an RCU walk receives kMayNotBlock in `flags` there.
// It must then not block, allocate or write shared state, and may answer -ECHILD:
// "I can't decide without blocking — retry with references". The walker then redoes
// the step in ref-walk mode and calls the hook again without kMayNotBlock.
//
// Return values: 0 allow, a negative errno (-EACCES, -EPERM) deny, -ECHILD as above.
// Modules are called in registration order; the first non-zero answer wins.
#pragma once

#include <rcuvfs/fs/inode.h>

#include <string_view>

namespace rcuvfs {

class SecurityModule {
 public:
  virtual ~SecurityModule() = default;
  virtual std::string_view name() const = 0;

  // Access check on an inode (search on every directory walked, read/write on open).
  virtual int inode_permission(const Inode& inode, int mask, const Cred& cred,
                               unsigned flags) {
    (void)inode, (void)mask, (void)cred, (void)flags;
    return 0;
  }
  // stat of an inode, called before its attributes are read.
  virtual int inode_getattr(const Inode& inode, const Cred& cred, unsigned flags) {
    (void)inode, (void)cred, (void)flags;
    return 0;
  }
  // Following a symlink during a walk.
  virtual int inode_follow_link(const Inode& link, const Cred& cred, unsigned flags) {
    (void)link, (void)cred, (void)flags;
    return 0;
  }
};

}  // namespace rcuvfs
