#include "shell/stat_format.h"

#include <cinttypes>
#include <cstdio>

namespace rcuvfs::shell {

const char* file_type_name(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "lnk";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock";
    default: return "unknown";
  }
}

std::string format_stat(const Statx& st) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "type=%s mode=%04o nlink=%u uid=%u gid=%u size=%" PRIu64 " ino=%" PRIu64
                " dev=%u:%u rdev=%u:%u",
                file_type_name(st.stx_mode), static_cast<unsigned>(st.stx_mode & 07777),
                st.stx_nlink, st.stx_uid, st.stx_gid, static_cast<uint64_t>(st.stx_size),
                static_cast<uint64_t>(st.stx_ino), st.stx_dev_major, st.stx_dev_minor,
                st.stx_rdev_major, st.stx_rdev_minor);
  return buf;
}

}  // namespace rcuvfs::shell
