// The Linux user-space ABI that rcuvfs speaks: flag names, values and the stat layout
// are Linux's own, taken from the system headers so they cannot drift.
//
//   AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH, AT_REMOVEDIR
//   O_* open flags, struct open_how and RESOLVE_* (linux/openat2.h)
//   struct statx and STATX_* (sys/stat.h)
//   RENAME_NOREPLACE, RENAME_EXCHANGE (stdio.h)
//   IN_* inotify events and flags, struct inotify_event (sys/inotify.h)
//   struct statfs (sys/vfs.h), ST_* flags (sys/statvfs.h), *_MAGIC (linux/magic.h)
//   F_OK, R_OK, W_OK, X_OK and AT_EACCESS for faccessat2 (unistd.h, fcntl.h)
//   XATTR_CREATE, XATTR_REPLACE (sys/xattr.h); XATTR_NAME_MAX, XATTR_SIZE_MAX,
//   XATTR_LIST_MAX (linux/limits.h)
#pragma once

#ifndef _GNU_SOURCE
#error "rcuvfs needs _GNU_SOURCE (g++ defines it by default)"
#endif

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <linux/magic.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <linux/limits.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/types.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs {

using Statx = struct ::statx;
using OpenHow = struct ::open_how;
using Statfs = struct ::statfs;

inline constexpr size_t kNameMax = 255;   // NAME_MAX
inline constexpr size_t kPathMax = 4096;  // PATH_MAX, counting the terminating NUL
inline constexpr int kMaxSymlinks = 40;   // MAXSYMLINKS
// statfs's f_flags bit saying the flags are filled (Linux's ST_VALID, which no
// user-space header defines).
inline constexpr unsigned long kStValid = 0x0020;

// Extended attributes: a name is at most XATTR_NAME_MAX bytes with its prefix
// ("user.", "trusted.", "security."), a value at most XATTR_SIZE_MAX, a list of names
// (each with its NUL) at most XATTR_LIST_MAX.
inline constexpr size_t kXattrNameMax = XATTR_NAME_MAX;
inline constexpr size_t kXattrSizeMax = XATTR_SIZE_MAX;
inline constexpr size_t kXattrListMax = XATTR_LIST_MAX;
// Calls fn(std::string_view) for each name of a list as listxattr fills it, each name
// ended by a NUL (a last name missing its NUL is passed as it stands).
template <class Fn>
void for_each_xattr_name(const char* list, size_t size, Fn&& fn) {
  for (size_t i = 0; i < size;) {
    const void* nul = std::memchr(list + i, '\0', size - i);
    const size_t len = nul ? static_cast<size_t>(static_cast<const char*>(nul) - (list + i))
                           : size - i;
    fn(std::string_view(list + i, len));
    i += len + 1;
  }
}

// RESOLVE_* bits rcuvfs understands; any other bit in open_how.resolve is EINVAL.
inline constexpr uint64_t kResolveAll = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
                                        RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
                                        RESOLVE_IN_ROOT | RESOLVE_CACHED;

class SecurityDomain;  // <rcuvfs/security.h>

// Credentials used for permission checks (the fsuid/fsgid of Linux).
struct Cred {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
  // The security modules' per-task layers (see <rcuvfs/security.h>); immutable and
  // shared. Task::set_cred keeps the task's current chain: a layer cannot be shed.
  std::shared_ptr<const SecurityDomain> domain;
  bool is_root() const { return uid == 0; }
  bool in_group(gid_t g) const;
};

// One directory entry from getdents. d_type uses DT_* values.
struct DirEntry {
  uint64_t ino = 0;
  int64_t off = 0;  // position to continue after this entry
  unsigned char type = 0;
  std::string name;
};

}  // namespace rcuvfs
