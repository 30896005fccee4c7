// What is checked of the mount point before anything is mounted on it.
#pragma once

#include <string>

namespace rcuvfs::fuse {

// "" when `path` is a directory rcuvfs can mount on, else the message to print:
// "PATH: reason", with what to do when the reason is a stale FUSE mount.
std::string check_mountpoint(const std::string& path);

// Abort the FUSE connection mounted on `path` (fusectl's abort file, mounting fusectl
// when it is not): every request waiting on it fails with ENOTCONN. The way out for a
// server thread stuck in the kernel behind a request no worker will answer any more.
// False when it could not be done.
bool abort_connection(const std::string& path);

}  // namespace rcuvfs::fuse
