#include "fs/hostfs/identity.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rcuvfs::hostfs {

namespace {
// A struct file_handle with room for the largest handle.
struct HandleBuf {
  struct file_handle h;
  unsigned char bytes[MAX_HANDLE_SZ];
};
}  // namespace

bool same_object(const HostId& a, const HostId& b) {
  if (a.dev != b.dev || a.ino != b.ino || a.type != b.type) return false;
  if (!a.handle.empty() && !b.handle.empty() && a.handle != b.handle) return false;
  return a.btime_ns < 0 || b.btime_ns < 0 || a.btime_ns == b.btime_ns;
}

int host_statx(int fd, const char* name, struct ::statx& st) {
  return ::statx(fd, name, (*name ? 0 : AT_EMPTY_PATH) | AT_SYMLINK_NOFOLLOW,
                 STATX_BASIC_STATS | STATX_BTIME, &st);
}

HostId identify(int fd, const struct ::statx& st, bool encode) {
  HostId id;
  id.dev = makedev(st.stx_dev_major, st.stx_dev_minor);
  id.ino = st.stx_ino;
  id.type = st.stx_mode & S_IFMT;
  if (st.stx_mask & STATX_BTIME)
    id.btime_ns = int64_t{st.stx_btime.tv_sec} * 1000000000 + st.stx_btime.tv_nsec;
  int mount_id;
  if (encode && encode_handle(fd, "", AT_EMPTY_PATH, id.handle, mount_id) != 0)
    id.handle.clear();
  return id;
}

std::string proc_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

int encode_handle(int dirfd, const char* name, int flags, std::string& out, int& mount_id) {
  HandleBuf buf;
  buf.h.handle_bytes = MAX_HANDLE_SZ;
  if (::name_to_handle_at(dirfd, name, &buf.h, &mount_id, flags) != 0) return -1;
  out.assign(reinterpret_cast<const char*>(&buf), sizeof buf.h + buf.h.handle_bytes);
  return 0;
}

int open_handle(int mount_fd, const std::string& handle, int flags) {
  HandleBuf buf;
  if (handle.size() < sizeof buf.h || handle.size() > sizeof buf) {
    errno = ESTALE;
    return -1;
  }
  std::memcpy(&buf, handle.data(), handle.size());
  return ::open_by_handle_at(mount_fd, &buf.h, flags | O_CLOEXEC);
}

int open_entry(int dirfd, std::string_view name) {
  // The host wants a NUL-terminated name; rcuvfs names never contain a NUL.
  const std::string n(name);
  open_how how{};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  // Never into another host filesystem: its inode numbers would collide with this
  // one's under the single device rcuvfs reports.
  how.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, n.c_str(), &how, sizeof how));
}

}  // namespace rcuvfs::hostfs
