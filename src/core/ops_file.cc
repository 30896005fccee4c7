// Descriptors: openat2/openat, the descriptor limit, close, read/write, lseek, getdents,
// ftruncate, fdpath.
#include "core/inotify.h"
#include "core/ops_common.h"
#include "core/rcu.h"

#include <algorithm>
#include <cerrno>
#include <climits>

namespace rcuvfs {

using namespace core;

namespace core {
Result<File*> make_file(const Path& path, Inode* inode, int flags);
Status truncate_inode(const TaskState& t, const Path& p, Inode* inode, off_t length,
                      const Cred& cred, bool check_perm);
void kill_suid_locked(Inode* inode, const Cred& cred);
}  // namespace core

Result<int> Task::openat2(int dirfd, std::string_view path, const OpenHow& how) {
  if (how.flags & ~kValidOpenFlags) return Err{EINVAL};
  if (how.resolve & ~kResolveAll) return Err{EINVAL};
  if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT)) return Err{EINVAL};
  if (how.mode & ~uint64_t{07777}) return Err{EINVAL};
  const bool creat = how.flags & O_CREAT;
  // build_open_flags: a mode only for a call that may create (O_CREAT or O_TMPFILE).
  if (how.mode && !creat && !(how.flags & kTmpfileBit)) return Err{EINVAL};
  if (how.flags & kTmpfileBit) {
    // O_TMPFILE needs O_DIRECTORY, excludes O_CREAT and needs write access.
    if ((how.flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE) return Err{EINVAL};
    if ((how.flags & O_ACCMODE) == O_RDONLY || (how.flags & O_PATH)) return Err{EINVAL};
  }
  if (creat && (how.flags & O_DIRECTORY)) return Err{EINVAL};
  if ((how.flags & O_PATH) && (how.flags & ~kPathFlags)) return Err{EINVAL};
  if ((how.resolve & RESOLVE_CACHED) && (how.flags & (O_TRUNC | O_CREAT | kTmpfileBit)))
    return Err{EAGAIN};
  RCUVFS_TRY(check_path(path, false));
  // As Linux's do_sys_openat2: the descriptor first, so that an open that would find
  // no descriptor for its file walks nothing and creates nothing.
  FdReservation new_fd(s_->files);
  if (new_fd.error()) return Err{new_fd.error()};

  OpenHow h = how;
  if (h.flags & O_CREAT && h.flags & O_EXCL) h.flags |= O_NOFOLLOW;  // O_EXCL never follows
  unsigned lf = resolve_to_lookup(how.resolve) | s_->lookup_flags;
  if (!(h.flags & O_NOFOLLOW)) lf |= kLookupFollow;
  if (h.flags & O_DIRECTORY) lf |= kLookupDirectory;
  if (how.flags & kTmpfileBit) {
    // do_tmpfile: the directory must resolve; then the filesystem is asked for an
    // unnamed file, and none of ours makes them.
    auto dir = lookup_path(*s_, dirfd, path, lf);
    if (!dir.ok()) return Err{dir.error()};
    path_put(*dir);
    return Err{EOPNOTSUPP};
  }
  auto f = open_path(*s_, dirfd, path, h, lf);
  if (!f.ok()) return Err{f.error()};
  return new_fd.install(*f);
}

Result<int> Task::openat(int dirfd, std::string_view path, int flags, mode_t mode) {
  OpenHow how{};
  // open(2) ignores unknown flags and the mode without O_CREAT/O_TMPFILE.
  how.flags = static_cast<uint64_t>(static_cast<unsigned>(flags)) & kValidOpenFlags;
  if (how.flags & O_CREAT) how.mode = mode & 07777;
  return openat2(dirfd, path, how);
}

Status Task::set_fd_limit(uint64_t n) { return s_->files.set_limit(n); }

uint64_t Task::fd_limit() const { return s_->files.limit(); }

Status Task::close(int fd) {
  File* f = s_->files.remove(fd);
  if (!f) return Err{EBADF};
  fput(f);
  return {};
}

// FIFOs have no pipe behind them (see may_open): reading finds no writer (end of
// file), writing finds no room, and they have no offsets.
namespace {
bool is_fifo(const Inode* inode) { return S_ISFIFO(inode->mode.load(std::memory_order_relaxed)); }

// Linux's MAX_RW_COUNT: one read or write moves at most this much (INT_MAX rounded
// down to a page); a larger count is cut to it.
constexpr size_t kMaxRwCount = INT_MAX & ~size_t{4095};
// The largest file size (MAX_LFS_FILESIZE on 64-bit, every filesystem's s_maxbytes).
constexpr uint64_t kMaxFileSize = INT64_MAX;

// rw_verify_area: the bytes a read or write at `pos` would touch must all have
// offsets (pos + count may be LLONG_MAX, not more); EINVAL otherwise.
bool range_ok(off_t pos, size_t count) {
  return pos >= 0 && count <= static_cast<uint64_t>(INT64_MAX - pos);
}
}  // namespace

Result<size_t> Task::pread(int fd, void* buf, size_t count, off_t offset) {
  FileRef f(s_->files.get(fd));
  if (!f || !f->readable()) return Err{EBADF};
  Inode* inode = f->inode;
  if (is_fifo(inode)) return Err{ESPIPE};
  if (!range_ok(offset, count)) return Err{EINVAL};
  if (inode->is_dir()) return Err{EISDIR};
  Result<size_t> r = size_t{0};
  {
    std::shared_lock lk(inode->lock);
    r = inode->read(buf, std::min(count, kMaxRwCount), offset);
  }
  if (r.ok() && *r) notify_dentry(f->path.dentry, inode, IN_ACCESS);
  return r;
}

Result<size_t> Task::read(int fd, void* buf, size_t count) {
  FileRef f(s_->files.get(fd));
  if (!f || !f->readable()) return Err{EBADF};
  if (f->inotify) return f->inotify->read(buf, count, f->flags & O_NONBLOCK);
  Inode* inode = f->inode;
  if (is_fifo(inode)) return size_t{0};
  Result<size_t> r = size_t{0};
  {
    std::lock_guard pos(f->pos_lock);
    if (!range_ok(f->pos, count)) return Err{EINVAL};
    if (inode->is_dir()) return Err{EISDIR};
    std::shared_lock lk(inode->lock);
    r = inode->read(buf, std::min(count, kMaxRwCount), f->pos);
    if (r.ok()) f->pos += static_cast<off_t>(*r);
  }
  if (r.ok() && *r) notify_dentry(f->path.dentry, inode, IN_ACCESS);
  return r;
}

namespace {
// vfs_write and generic_write_checks. `pos` is the descriptor's offset (write) or the
// caller's (pwrite); an O_APPEND write goes to the end whatever it says, but must have
// a valid range there too.
Result<size_t> do_write(TaskState& t, File* f, const void* buf, size_t count, off_t* pos) {
  Inode* inode = f->inode;
  if (!is_fifo(inode) && !range_ok(*pos, count)) return Err{EINVAL};
  if (count == 0) return size_t{0};  // nothing happens, not even a change of times
  if (is_fifo(inode)) return Err{EAGAIN};
  count = std::min(count, kMaxRwCount);
  std::unique_lock lk(inode->lock);
  off_t off = *pos;
  if (f->flags & O_APPEND) {
    auto size = inode->current_size();
    if (!size.ok()) return Err{size.error()};
    off = static_cast<off_t>(*size);
  }
  // Nothing at or past the largest size; a write that would cross it stops there.
  if (static_cast<uint64_t>(off) >= kMaxFileSize) return Err{EFBIG};
  count = static_cast<size_t>(std::min<uint64_t>(count, kMaxFileSize - off));
  // Before the copy, as Linux: a write that then fails (ENOSPC) has dropped them too.
  kill_suid_locked(inode, current_cred(t));
  auto r = inode->write(buf, count, off);
  if (!r.ok()) return r;
  *pos = off + static_cast<off_t>(*r);
  lk.unlock();
  if (*r) notify_dentry(f->path.dentry, inode, IN_MODIFY);
  return r;
}
}  // namespace

Result<size_t> Task::write(int fd, const void* buf, size_t count) {
  FileRef f(s_->files.get(fd));
  if (!f || !f->writable()) return Err{EBADF};
  std::lock_guard pos(f->pos_lock);
  return do_write(*s_, f.operator->(), buf, count, &f->pos);
}

Result<size_t> Task::pwrite(int fd, const void* buf, size_t count, off_t offset) {
  FileRef f(s_->files.get(fd));
  if (!f || !f->writable()) return Err{EBADF};
  if (is_fifo(f->inode)) return Err{ESPIPE};
  if (offset < 0) return Err{EINVAL};
  // Like Linux, pwrite on an O_APPEND descriptor appends.
  off_t pos = offset;
  return do_write(*s_, f.operator->(), buf, count, &pos);
}

namespace {
// Put the file's readdir cursor into its directory's list (caller holds pos_lock).
void attach_cursor(File& f) {
  if (f.cursor_attached) return;
  if (!f.cursor) f.cursor = d_alloc_cursor();
  d_cursor_attach(f.path.dentry, f.cursor);
  f.cursor_attached = true;
}
}  // namespace

Result<off_t> Task::lseek(int fd, off_t offset, int whence) {
  FileRef f(s_->files.get(fd));
  if (!f || f->is_path_only()) return Err{EBADF};
  if (is_fifo(f->inode)) return Err{ESPIPE};
  std::lock_guard pos(f->pos_lock);
  off_t base;
  switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f->pos; break;
    case SEEK_END: {
      auto size = f->inode->current_size();
      if (!size.ok()) return Err{size.error()};
      base = static_cast<off_t>(*size);
      break;
    }
    default: return Err{EINVAL};
  }
  if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0) return Err{EINVAL};
  f->pos = base + offset;
  if (f->inode->is_dir() && (f->inode->sb->flags & kSbDcacheComplete)) {
    // Positions: 0 ".", 1 "..", 2 + k after the k-th entry (Linux's dcache_dir_lseek).
    if (f->pos < 2) {
      if (f->cursor_attached) d_cursor_detach(f->path.dentry, f->cursor);
      f->cursor_attached = false;
    } else {
      attach_cursor(*f);
      d_cursor_seek(f->path.dentry, f->cursor, static_cast<uint64_t>(f->pos - 2));
    }
  }
  return f->pos;
}

Status Task::ftruncate(int fd, off_t length) {
  // Linux refuses the length before it looks the descriptor up.
  if (length < 0) return Err{EINVAL};
  FileRef f(s_->files.get(fd));
  if (!f || f->is_path_only()) return Err{EBADF};
  if (!f->writable()) return Err{EINVAL};
  return truncate_inode(*s_, f->path, f->inode, length, current_cred(*s_), false);
}

Result<size_t> Task::getdents(int fd, std::vector<DirEntry>& out, size_t max_entries) {
  FileRef f(s_->files.get(fd));
  if (!f || f->is_path_only()) return Err{EBADF};
  Inode* inode = f->inode;
  if (!inode->is_dir()) return Err{ENOTDIR};
  std::lock_guard pos(f->pos_lock);
  std::shared_lock lk(inode->lock);
  if (is_dead_dir(inode)) return Err{ENOENT};
  // Every listing call is an access, even the one that finds the end (iterate_dir).
  notify_dentry(f->path.dentry, inode, IN_ACCESS);
  size_t n = 0;
  Dentry* dir = f->path.dentry;
  if (f->pos == 0 && n < max_entries) {
    out.push_back({inode->ino.load(), 1, DT_DIR, "."});
    f->pos = 1;
    ++n;
  }
  if (f->pos == 1 && n < max_entries) {
    Inode* parent;
    {
      // ".." of a mount root is the root itself within its own filesystem, as Linux.
      DLockGuard g(dir);
      parent = dir->parent.load()->inode.load();
    }
    out.push_back({parent->ino.load(), 2, DT_DIR, ".."});
    f->pos = 2;
    ++n;
  }
  if (f->pos >= 2 && n < max_entries && !(inode->sb->flags & kSbDcacheComplete)) {
    // The filesystem lists its own directories; the dcache holds only what was looked up.
    auto r = inode->readdir(f->pos, out, max_entries - n);
    if (!r.ok()) return Err{r.error()};
    n += *r;
  } else if (f->pos >= 2 && n < max_entries) {
    attach_cursor(*f);
    d_for_each_child(dir, f->cursor, [&](Dentry* child) {
      Inode* ci = child->inode.load();
      f->pos++;
      out.push_back({ci->ino.load(), f->pos, static_cast<unsigned char>(IFTODT(ci->type())),
                     std::string(core::d_name(child).view())});
      return ++n < max_entries;
    });
  }
  return n;
}

Result<std::string> Task::fdpath(int fd) {
  FileRef f(s_->files.get(fd));
  if (!f) return Err{EBADF};
  for (;;) {
    RcuLock rcu;
    const uint32_t ms = g_mount_seq.begin(), rs = g_rename_seq.begin();
    if ((ms | rs) & 1) continue;
    const FsContext* fs = s_->fs.load(std::memory_order_acquire);
    std::vector<std::string_view> parts;
    Mount* m = f->path.mnt;
    Dentry* d = f->path.dentry;
    const bool deleted = d->has_flag(kDDeleted);
    for (int guard = 0; guard < (1 << 20); ++guard) {
      if (m == fs->root.mnt && d == fs->root.dentry) break;
      if (d == m->root) {
        Mount* parent = m->parent.load(std::memory_order_acquire);
        if (parent == m) break;  // above the task's root: the global path, as Linux
        d = m->mountpoint.load(std::memory_order_acquire);
        m = parent;
        continue;
      }
      parts.push_back(core::d_name(d, std::memory_order_acquire).view());
      d = d->parent.load(std::memory_order_acquire);
    }
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      out.push_back('/');
      out.append(*it);
    }
    if (out.empty()) out.push_back('/');
    if (deleted) out += " (deleted)";
    // Linux's readlink of /proc/self/fd/N builds the path in a PATH_MAX buffer that
    // must hold its NUL too.
    const bool too_long = out.size() >= kPathMax;
    if (!g_mount_seq.validate(ms) || !g_rename_seq.validate(rs)) continue;
    if (too_long) return Err{ENAMETOOLONG};
    return out;
  }
}

}  // namespace rcuvfs
