#include "fuse/mountpoint.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

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

namespace {
// /proc/self/mountinfo writes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::strtol(s.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}
}  // namespace

bool abort_connection(const std::string& path) {
  char real[PATH_MAX];
  if (!::realpath(path.c_str(), real)) return false;
  // The connection's number is its superblock's device (fs/fuse/control.c), read from
  // the mount table: a stat of the mount point would itself wait on the connection.
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  unsigned long conn = 0;
  bool found = false;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mp;
    if (!(f >> id >> parent >> dev >> root >> mp) || unescape(mp) != real) continue;
    unsigned maj = 0, min = 0;
    if (std::sscanf(dev.c_str(), "%u:%u", &maj, &min) != 2) continue;
    conn = (static_cast<unsigned long>(maj) << 20) | min;  // the kernel's dev_t
    found = true;
  }
  if (!found) return false;
  const char* dir = "/sys/fs/fuse/connections";
  const std::string abort_file = std::string(dir) + "/" + std::to_string(conn) + "/abort";
  if (::access(abort_file.c_str(), W_OK) != 0)
    (void)::mount("fusectl", dir, "fusectl", 0, nullptr);
  FILE* a = std::fopen(abort_file.c_str(), "w");
  if (!a) return false;
  const bool ok = std::fputs("1", a) >= 0;
  return std::fclose(a) == 0 && ok;
}

}  // namespace rcuvfs::fuse
