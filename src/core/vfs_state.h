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
//   feed             the change feed (notify.h), shared with the superblocks likewise
//   anon             the mount of anon_inodefs (anon_inode.h), made on first use
//                    under anon_lock; never attached, freed with the state
#pragma once

#include "core/dcache_lru.h"
#include "core/mount.h"
#include "core/notify.h"

#include <rcuvfs/fs/mutex.h>
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
  Mutex types_lock;
  std::map<std::string, std::shared_ptr<FsType>, std::less<>> types
      RCUVFS_GUARDED_BY(types_lock);
  std::atomic<const ModuleList*> lsm{nullptr};
  std::mutex lsm_lock;
  std::shared_ptr<NsCache> cache = std::make_shared<NsCache>();
  std::shared_ptr<Feed> feed = std::make_shared<Feed>();
  Mutex anon_lock;
  Mount* anon RCUVFS_GUARDED_BY(anon_lock) = nullptr;

  ~VfsState();

  // The anon_inodefs position every anonymous descriptor of the namespace points at.
  Path anon_path();

  // A fresh instance of `type` (with options), registered and with its root
  // dentry: the caller mounts it. Options the core takes (`cache=SIZE`, the mount's
  // dcache budget) come first; the rest are the filesystem's.
  Result<Mount*> new_mount(std::string_view type, std::string_view options,
                           const Cred& owner);
  Result<Mount*> new_mount(FsType& type, std::string_view options, const Cred& owner);
};

}  // namespace rcuvfs::core
