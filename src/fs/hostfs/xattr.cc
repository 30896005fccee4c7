// hostfs extended attributes: the host's own, reached through the object's O_PATH
// descriptor as /proc/self/fd/N (which lands on the object itself, a symlink too; the
// f*xattr calls and the *xattrat ones refuse O_PATH descriptors). Nothing is cached:
// each call is a host system call, so in RCU mode the answer is -ECHILD.
#include "fs/hostfs/hostfs.h"

#include <sys/xattr.h>

#include <cerrno>
#include <string>
#include <vector>

namespace rcuvfs::hostfs {

int HostInode::getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const {
  if (flags & kMayNotBlock) return -ECHILD;
  auto fd = pin(FdKind::kPath);
  if (!fd.ok()) return -fd.error();
  const ssize_t n =
      ::getxattr(proc_path(fd->get()).c_str(), std::string(name).c_str(), buf, size);
  return n < 0 ? -errno : static_cast<int>(n);
}

int HostInode::listxattr(XattrNameFn fn, void* ctx, unsigned flags) const {
  if (flags & kMayNotBlock) return -ECHILD;
  auto fd = pin(FdKind::kPath);
  if (!fd.ok()) return -fd.error();
  const std::string at = proc_path(fd->get());
  std::vector<char> list;
  for (;;) {
    // Ask for the length, then the names; a list that grew in between is asked again.
    ssize_t n = ::listxattr(at.c_str(), nullptr, 0);
    if (n < 0) return -errno;
    list.resize(static_cast<size_t>(n));
    // A list longer than XATTR_LIST_MAX cannot be read (E2BIG): neither can its length
    // then be told to the caller, who gets E2BIG for every size.
    n = n ? ::listxattr(at.c_str(), list.data(), list.size()) : 0;
    if (n < 0 && errno == ERANGE) continue;
    if (n < 0) return -errno;
    list.resize(static_cast<size_t>(n));
    break;
  }
  for_each_xattr_name(list.data(), list.size(), [&](std::string_view name) { fn(ctx, name); });
  return 0;
}

Status HostInode::setxattr(std::string_view name, std::string_view value, int flags) {
  auto fd = pin(FdKind::kPath);
  if (!fd.ok()) return Err{fd.error()};
  if (::setxattr(proc_path(fd->get()).c_str(), std::string(name).c_str(), value.data(),
                 value.size(), flags) != 0)
    return Err{errno};
  return refresh(fd->get());  // the host stamped ctime
}

Status HostInode::removexattr(std::string_view name) {
  auto fd = pin(FdKind::kPath);
  if (!fd.ok()) return Err{fd.error()};
  if (::removexattr(proc_path(fd->get()).c_str(), std::string(name).c_str()) != 0)
    return Err{errno};
  return refresh(fd->get());
}

}  // namespace rcuvfs::hostfs
