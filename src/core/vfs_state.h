// The state behind a public Vfs: the namespace's root mount, the registry of
// filesystem types and the security modules.
//
//   root_mount       set at creation; the namespace root is never unmounted
//   types            guarded by types_lock
//   lsm              immutable vector of modules, replaced as a whole (under
//                    lsm_lock) and read under RCU by the walker
//   cache            the dentry cache's budget and accounting (dcache_lru.h); shared
//                    with the superblocks, which may outlive this state by a grace
//                    period
#pragma once

#include "core/dcache_lru.h"
#include "core/mount.h"

#include <rcuvfs/fs/superblock.h>
#include <rcuvfs/security.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rcuvfs::core {

using ModuleList = std::vector<std::shared_ptr<SecurityModule>>;

struct VfsState {
  Mount* root_mount = nullptr;
  std::mutex types_lock;
  std::map<std::string, std::shared_ptr<FsType>, std::less<>> types;
  std::atomic<const ModuleList*> lsm{nullptr};
  std::mutex lsm_lock;
  std::shared_ptr<NsCache> cache = std::make_shared<NsCache>();

  ~VfsState();

  // A fresh instance of `type` (with options), registered and with its root
  // dentry: the caller mounts it. Options the core takes (`cache=SIZE`, the mount's
  // dcache budget) come first; the rest are the filesystem's.
  Result<Mount*> new_mount(std::string_view type, std::string_view options,
                           const Cred& owner);
};

// Built-in filesystem types (memfs, legacyfs, recyclefs, ...), registered in every
// new Vfs. Defined by src/fs/builtin.cc: the core itself names no filesystem.
std::vector<std::shared_ptr<FsType>> builtin_filesystems();

}  // namespace rcuvfs::core
