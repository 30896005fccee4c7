// The libfuse low-level operations of `rcuvfs mount`, one group per file. Each
// handler runs on a libfuse worker thread, finds its Server through the request,
// and uses only the public rcuvfs API; errors are the errno rcuvfs returned.
#pragma once

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

namespace rcuvfs::fuse {

// ops_node.cc: lookup, forget, getattr, setattr, readlink, access, statfs
void add_node_ops(fuse_lowlevel_ops& ops);
// ops_namespace.cc: mknod, mkdir, symlink, link, unlink, rmdir, rename
void add_namespace_ops(fuse_lowlevel_ops& ops);
// ops_file.cc: create, open, read, write, flush, fsync, release
void add_file_ops(fuse_lowlevel_ops& ops);
// ops_dir.cc: opendir, readdir, readdirplus, releasedir, fsyncdir
void add_dir_ops(fuse_lowlevel_ops& ops);
// ops_xattr.cc: setxattr, getxattr, listxattr, removexattr
void add_xattr_ops(fuse_lowlevel_ops& ops);

inline fuse_lowlevel_ops make_ops() {
  fuse_lowlevel_ops ops{};
  add_node_ops(ops);
  add_namespace_ops(ops);
  add_file_ops(ops);
  add_dir_ops(ops);
  add_xattr_ops(ops);
  return ops;
}

}  // namespace rcuvfs::fuse
