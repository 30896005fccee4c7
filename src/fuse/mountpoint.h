// What is checked of the mount point before anything is mounted on it.
#pragma once

#include <string>

namespace rcuvfs::fuse {

// "" when `path` is a directory rcuvfs can mount on, else the message to print:
// "PATH: reason", with what to do when the reason is a stale FUSE mount.
std::string check_mountpoint(const std::string& path);

}  // namespace rcuvfs::fuse
