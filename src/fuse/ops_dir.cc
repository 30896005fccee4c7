// Directories: opendir, readdir, readdirplus, releasedir, fsyncdir.
//
// A directory handle is an rcuvfs descriptor plus the entries read from it but not
// yet sent (a reply buffer fills up mid-batch). Positions are rcuvfs's own getdents
// offsets (0 ".", 1 "..", 2 + k after the k-th entry), which lseek understands, so
// the kernel's offset for the next call is the last sent entry's `off`.
#include "fuse/attr.h"
#include "fuse/ops.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace rcuvfs::fuse {
namespace {

struct DirHandle {
  int fd = -1;         // immutable
  std::mutex mu;       // guards the rest: the kernel may read one handle from two threads
  off_t next_off = 0;  // the position of pending[next]
  std::vector<DirEntry> pending;
  size_t next = 0;
};

DirHandle* handle(const fuse_file_info* fi) {
  return reinterpret_cast<DirHandle*>(static_cast<uintptr_t>(fi->fh));
}

void do_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Server& s = server(req);
  auto fd = s.task.reopen(s.nodes.get(ino)->fd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (!fd.ok()) return (void)fuse_reply_err(req, fd.error());
  s.note_fd(*fd);
  auto* dh = new DirHandle;
  dh->fd = *fd;
  fi->fh = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(dh));
  // The kernel drops a cached listing itself when it changes the directory, and the
  // invalidator drops it for every other change.
  if (s.coherent) {
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
  }
  s.open_dirs.fetch_add(1, std::memory_order_relaxed);
  if (fuse_reply_open(req, fi) != 0) {
    (void)s.task.close(dh->fd);
    delete dh;
    s.open_dirs.fetch_sub(1, std::memory_order_relaxed);
  }
}

bool is_dot(const std::string& name) { return name == "." || name == ".."; }

// Fill `buf` with entries from offset `off`: the number of bytes used, or an errno.
// The caller replies after this returns: once the reply is out the kernel may
// release the handle on another thread, so nothing of it may be touched then.
Result<size_t> fill_dir(fuse_req_t req, fuse_ino_t ino, DirHandle* dh, char* buf,
                        size_t size, off_t off, bool plus) {
  Server& s = server(req);
  std::lock_guard g(dh->mu);
  if (off != dh->next_off) {
    auto pos = s.task.lseek(dh->fd, off, SEEK_SET);
    if (!pos.ok()) return Err{pos.error()};
    dh->pending.clear();
    dh->next = 0;
    dh->next_off = off;
  }
  size_t used = 0;
  for (;;) {
    if (dh->next == dh->pending.size()) {
      dh->pending.clear();
      dh->next = 0;
      auto n = s.task.getdents(dh->fd, dh->pending, 256);
      if (!n.ok()) {
        // An error after some entries: send those; the next call reports it.
        if (used) break;
        return Err{n.error()};
      }
      if (*n == 0) break;
    }
    const DirEntry& d = dh->pending[dh->next];
    size_t need;
    if (!plus) {
      struct stat st {};
      st.st_ino = d.ino;
      st.st_mode = static_cast<mode_t>(DTTOIF(d.type));
      need = fuse_add_direntry(req, buf + used, size - used, d.name.c_str(), &st, d.off);
    } else {
      // readdirplus: each entry but "." and ".." is a lookup (the kernel takes a
      // lookup count for it); one that vanished since getdents goes without attributes.
      fuse_entry_param e;
      const bool entered =
          !is_dot(d.name) && lookup_entry(s, *s.nodes.get(ino), d.name.c_str(), e).ok();
      if (!entered) {
        e = fuse_entry_param{};
        e.attr.st_ino = d.ino;
        e.attr.st_mode = static_cast<mode_t>(DTTOIF(d.type));
      }
      need = fuse_add_direntry_plus(req, buf + used, size - used, d.name.c_str(), &e,
                                    d.off);
      if (need > size - used && entered) s.nodes.forget(s.nodes.get(e.ino), 1);
    }
    if (need > size - used) break;
    used += need;
    dh->next_off = d.off;
    dh->next++;
  }
  return used;
}

void read_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi,
              bool plus) {
  std::unique_ptr<char[]> buf(new (std::nothrow) char[size]);
  if (!buf) return (void)fuse_reply_err(req, ENOMEM);
  auto used = fill_dir(req, ino, handle(fi), buf.get(), size, off, plus);
  if (!used.ok()) return (void)fuse_reply_err(req, used.error());
  fuse_reply_buf(req, buf.get(), *used);
}

void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  read_dir(req, ino, size, off, fi, false);
}

void do_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    fuse_file_info* fi) {
  read_dir(req, ino, size, off, fi, true);
}

void do_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  Server& s = server(req);
  DirHandle* dh = handle(fi);
  auto st = s.task.close(dh->fd);
  delete dh;
  s.open_dirs.fetch_sub(1, std::memory_order_relaxed);
  reply_status(req, st);
}

void do_fsyncdir(fuse_req_t req, fuse_ino_t, int datasync, fuse_file_info* fi) {
  reply_status(req, server(req).task.fsync(handle(fi)->fd, datasync != 0));
}

}  // namespace

void add_dir_ops(fuse_lowlevel_ops& ops) {
  ops.opendir = do_opendir;
  ops.readdir = do_readdir;
  ops.readdirplus = do_readdirplus;
  ops.releasedir = do_releasedir;
  ops.fsyncdir = do_fsyncdir;
}

}  // namespace rcuvfs::fuse
