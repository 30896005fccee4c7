// The object behind descriptors that name no file (Linux's anon_inodefs): one inode
// per namespace, mode 0600 with no file type, on an instance that is never attached
// to the mount tree. An inotify descriptor points at it, so that every call that
// takes a descriptor finds a Path and an inode and answers as Linux does for such a
// descriptor (ENOTDIR as a dirfd, fstat of a "weird file"), without special cases.
#pragma once

#include <rcuvfs/fs/superblock.h>

#include <memory>

namespace rcuvfs::core {

// The filesystem type of that instance (not in any registry: nobody can mount it).
std::shared_ptr<FsType> anon_inode_fs();

}  // namespace rcuvfs::core
