// The host watch's fanotify source (watcher.h): one filesystem-wide mark per host
// filesystem, events naming their directory by file handle and the entry by name.
// No limit per directory (inotify's max_user_watches) and nothing to add or remove as
// directories come and go; the price is that the host merges events of one object
// in its queue, so their order is read back from the host's present state.
#include "fs/hostfs/watcher.h"

#include "fs/hostfs/hostfs.h"

#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

namespace rcuvfs::hostfs {

namespace {
#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200  // Linux 6.5: the handle fanotify reports, for any filesystem
#endif

constexpr uint64_t kFanNames = FAN_CREATE | FAN_DELETE | FAN_RENAME;
constexpr uint64_t kFanObjects = FAN_ATTRIB | FAN_MODIFY | FAN_CLOSE_WRITE;

// A directory as fanotify names it: its filesystem's id and its handle (`handle`:
// `size` bytes of a struct file_handle, header included).
std::string fid_key(const __kernel_fsid_t& fsid, const char* handle, size_t size) {
  std::string k(reinterpret_cast<const char*>(&fsid), sizeof fsid);
  k.append(handle, size);
  return k;
}
}  // namespace

bool Watcher::init_fanotify() {
  const int fd = ::fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME | FAN_NONBLOCK |
                                     FAN_CLOEXEC,
                                 O_RDONLY);
  if (fd < 0) {
    error_ = errno;  // EPERM without CAP_SYS_ADMIN, EINVAL before Linux 5.9
    return false;
  }
  ifd_ = fd;
  fanotify_ = true;
  // The root's filesystem is marked here, not by the root's watch(): a kernel without
  // FAN_RENAME (5.17), or a host filesystem without file handles, refuses the mark,
  // and the instance is then refused with that error instead of watching nothing.
  if (::fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM | FAN_MARK_DONT_FOLLOW,
                      kFanNames | kFanObjects | FAN_ONDIR, sb_.root_fd(), nullptr) != 0) {
    error_ = errno;
    ::close(fd);
    ifd_ = -1;
    fanotify_ = false;
    return false;
  }
  struct ::stat st;
  if (::fstat(sb_.root_fd(), &st) == 0) marked_devs_.push_back(st.st_dev);
  return true;
}

int Watcher::watch_fanotify(int fd) {
  struct ::statfs sfs;
  struct ::stat st;
  std::string handle;
  int mount_id;
  if (::fstatfs(fd, &sfs) != 0 || ::fstat(fd, &st) != 0 ||
      (encode_handle(fd, "", AT_EMPTY_PATH | AT_HANDLE_FID, handle, mount_id) != 0 &&
       encode_handle(fd, "", AT_EMPTY_PATH, handle, mount_id) != 0))
    return -1;
  __kernel_fsid_t fsid;
  static_assert(sizeof fsid == sizeof sfs.f_fsid);
  std::memcpy(&fsid, &sfs.f_fsid, sizeof fsid);
  const std::string key = fid_key(fsid, handle.data(), handle.size());
  std::lock_guard g(mu_);
  if (std::find(marked_devs_.begin(), marked_devs_.end(), st.st_dev) == marked_devs_.end()) {
    // A host filesystem mounted inside the served tree: marked as it is reached. One
    // that refuses is followed within ttl only: said once, as for inotify's limit.
    if (::fanotify_mark(ifd_, FAN_MARK_ADD | FAN_MARK_FILESYSTEM | FAN_MARK_DONT_FOLLOW,
                        kFanNames | kFanObjects | FAN_ONDIR, fd, nullptr) != 0) {
      if (!limit_reported_.exchange(true))
        std::fprintf(stderr,
                     "rcuvfs hostfs: fanotify cannot mark a host filesystem inside the "
                     "served tree (%s): its directories follow the host within ttl only\n",
                     std::strerror(errno));
      return -1;
    }
    marked_devs_.push_back(st.st_dev);
  }
  // The same host directory under two inodes (a stale one and its replacement) keeps
  // its number, as inotify gives one watch descriptor to one object.
  auto [it, fresh] = wd_of_fid_.try_emplace(key, next_wd_);
  if (fresh) fid_of_wd_[next_wd_++] = key;
  return it->second;
}

void Watcher::add_name_events(int wd, std::string_view name, uint64_t mask) {
  const uint32_t isdir = (mask & FAN_ONDIR) ? IN_ISDIR : 0;
  const bool made = mask & FAN_CREATE, removed = mask & FAN_DELETE;
  if (!made && !removed) return;
  if (made && removed) {
    // Merged: the order that leaves what the host has now.
    bool exists = false;
    HostInode* dir = nullptr;
    {
      std::lock_guard g(mu_);
      auto it = dir_of_.find(wd);
      if (it != dir_of_.end() && iget_live(it->second)) dir = it->second;
    }
    if (dir) {
      if (auto dfd = dir->pin(FdKind::kPath); dfd.ok()) {
        struct ::statx sx;
        exists = host_statx(dfd->get(), std::string(name).c_str(), sx) == 0;
      }
      iput(dir);
    }
    const uint32_t first = exists ? IN_DELETE : IN_CREATE;
    batch_.push_back({wd, first | isdir, 0, name, 0, 0});
    batch_.push_back({wd, (first == IN_DELETE ? IN_CREATE : IN_DELETE) | isdir, 0, name, 0, 0});
    return;
  }
  batch_.push_back({wd, (made ? IN_CREATE : IN_DELETE) | isdir, 0, name, 0, 0});
}

void Watcher::parse_fanotify(const char* buf, size_t n) {
  // The host packs events and their records at any alignment (a record's length
  // follows its name): every header is copied out before it is read.
  for (size_t off = 0; off + sizeof(fanotify_event_metadata) <= n;) {
    struct fanotify_event_metadata meta;
    std::memcpy(&meta, buf + off, sizeof meta);
    if (meta.event_len < meta.metadata_len || meta.metadata_len < sizeof meta ||
        off + meta.event_len > n)
      break;
    const char* event = buf + off;
    off += meta.event_len;
    if (meta.mask & FAN_Q_OVERFLOW) {
      batch_.push_back({-1, IN_Q_OVERFLOW, 0, {}, 0, 0});
      continue;
    }
    // The records: a directory and a name (DFID_NAME), or both ends of a rename.
    struct Where {
      int wd = 0;  // 0: not a directory hostfs has
      std::string_view name;
    } at, from, to;
    const char* end = event + meta.event_len;
    for (const char* p = event + meta.metadata_len;
         p + sizeof(fanotify_event_info_header) <= end;) {
      struct fanotify_event_info_header h;
      std::memcpy(&h, p, sizeof h);
      if (h.len == 0 || p + h.len > end) break;
      Where* w = h.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME       ? &at
                 : h.info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME ? &from
                 : h.info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME ? &to
                                                                    : nullptr;
      const size_t handle_at = offsetof(struct fanotify_event_info_fid, handle);
      struct file_handle fh;
      if (w && h.len >= handle_at + sizeof fh) {
        __kernel_fsid_t fsid;
        std::memcpy(&fsid, p + offsetof(struct fanotify_event_info_fid, fsid), sizeof fsid);
        std::memcpy(&fh, p + handle_at, sizeof fh);
        const size_t handle_size = sizeof fh + fh.handle_bytes;
        if (handle_at + handle_size > h.len) break;
        const char* nm = p + handle_at + handle_size;
        w->name = std::string_view(nm, ::strnlen(nm, static_cast<size_t>(p + h.len - nm)));
        std::lock_guard g(mu_);
        auto it = wd_of_fid_.find(fid_key(fsid, p + handle_at, handle_size));
        if (it != wd_of_fid_.end()) w->wd = it->second;
      }
      p += h.len;
    }
    const uint32_t isdir = (meta.mask & FAN_ONDIR) ? IN_ISDIR : 0;
    if ((meta.mask & FAN_RENAME) && (from.wd || to.wd)) {
      const uint32_t cookie = ++next_cookie_;
      if (from.wd) batch_.push_back({from.wd, IN_MOVED_FROM | isdir, cookie, from.name, 0, 0});
      if (to.wd) batch_.push_back({to.wd, IN_MOVED_TO | isdir, cookie, to.name, 0, 0});
    }
    if (!at.wd) continue;
    // "." names the directory itself: its own changes, reported as inotify reports
    // those of a watched directory (no name).
    const std::string_view name = at.name == "." ? std::string_view{} : at.name;
    if (!name.empty()) add_name_events(at.wd, name, meta.mask & (kFanNames | FAN_ONDIR));
    if (meta.mask & kFanObjects) {
      const uint32_t kinds = ((meta.mask & FAN_ATTRIB) ? IN_ATTRIB : 0) |
                             ((meta.mask & (FAN_MODIFY | FAN_CLOSE_WRITE)) ? IN_MODIFY : 0);
      // Merged with a name event: the object is looked up after it, by its name now.
      const uint32_t first = (kinds & IN_ATTRIB) ? IN_ATTRIB : IN_MODIFY;
      batch_.push_back({at.wd, first | isdir, 0, name, kinds, first});
    }
  }
}

}  // namespace rcuvfs::hostfs
