#include "fuse/mountpoint.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace rcuvfs::fuse {

std::string check_mountpoint(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    std::string msg = path + ": " + std::strerror(err);
    // The FUSE connection of a server that died is gone while its mount stays.
    if (err == ENOTCONN)
      msg += " (a server that ended without unmounting left it: run fusermount3 -u " +
             path + ")";
    return msg;
  }
  // libfuse gives the root the mount point's type: on a file, the root directory the
  // server answers with would be a mismatch, and the kernel fails every access (EIO).
  if (!S_ISDIR(st.st_mode)) return path + ": " + std::strerror(ENOTDIR);
  return "";
}

}  // namespace rcuvfs::fuse
