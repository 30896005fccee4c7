// The `<stat fields>` of `stat` and `statfd` output (protocol: docs/shell-protocol.md).
#pragma once

#include <rcuvfs/uapi.h>

#include <string>

namespace rcuvfs::shell {

// "type=reg mode=0644 nlink=1 uid=0 gid=0 size=0 ino=N dev=MAJ:MIN rdev=MAJ:MIN"
std::string format_stat(const Statx& st);

// "reg", "dir", "lnk", "chr", "blk", "fifo", "sock", or "unknown".
const char* file_type_name(unsigned mode);

}  // namespace rcuvfs::shell
