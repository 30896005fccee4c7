// The filesystem types every Vfs starts with.
#include <rcuvfs/fs/superblock.h>

#include "fs/etcd/etcdfs.h"
#include "fs/hostfs/hostfs.h"
#include "fs/legacyfs/legacyfs.h"
#include "fs/memfs/memfs.h"
#include "fs/recyclefs/recyclefs.h"

namespace rcuvfs {

std::vector<std::shared_ptr<FsType>> builtin_filesystems() {
  return {std::make_shared<memfs::MemFsType>(), std::make_shared<legacyfs::LegacyFsType>(),
          std::make_shared<recyclefs::RecycleFsType>(),
          std::make_shared<hostfs::HostFsType>(), std::make_shared<etcdfs::EtcdFsType>()};
}

}  // namespace rcuvfs
