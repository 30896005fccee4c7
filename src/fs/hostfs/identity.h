// HostId: what tells one host object from another, and how hostfs reaches the host
// by it.
//
// (device, inode number) names an object only while it exists: once it is freed, a new
// file may get the same number (ext4 reuses them at once). hostfs keeps no descriptor
// that would keep an object alive, so it tells them apart by more: the object's file
// handle (name_to_handle_at), which carries the inode's generation, or, where the host
// filesystem cannot encode handles, its birth time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct statx;

namespace rcuvfs::hostfs {

struct HostId {
  uint64_t dev = 0, ino = 0;
  uint32_t type = 0;      // S_IFMT bits: an object never changes its type
  int64_t btime_ns = -1;  // -1: the host reports none
  std::string handle;     // a struct file_handle, header included; empty: none
};

// Do a and b name the same host object? Device, inode number and type must match, and
// so must the handles and the birth times where both sides have one.
bool same_object(const HostId& a, const HostId& b);

// The statx every hostfs call asks for (the attributes and the birth time), without
// following a symlink; `name` "" for `fd` itself. 0 or -1 with errno.
int host_statx(int fd, const char* name, struct ::statx& st);

// The identity of the object `fd` (whose statx is `st`); its handle too when `encode`.
HostId identify(int fd, const struct ::statx& st, bool encode);

// The host object behind descriptor `fd`, by a path the kernel resolves to it without
// walking a name (for the calls that take no O_PATH descriptor, and to open one with
// other flags). Needs /proc.
std::string proc_path(int fd);

// The handle of `name` in directory `dirfd` ("" with AT_EMPTY_PATH for dirfd itself),
// not following a symlink, and the id of the mount it is on: 0, or -1 with errno.
int encode_handle(int dirfd, const char* name, int flags, std::string& out, int& mount_id);

// Open the object of `handle` (as encode_handle made it) with `flags`; `mount_fd` is a
// descriptor, not O_PATH, of any object on its filesystem. -1 with errno (ESTALE: the
// object is gone).
int open_handle(int mount_fd, const std::string& handle, int flags);

// Open the entry `name` of directory `dirfd` O_PATH, never following a symlink nor
// crossing into another filesystem (a host mountpoint is EXDEV).
int open_entry(int dirfd, std::string_view name);

}  // namespace rcuvfs::hostfs
