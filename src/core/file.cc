#include "core/file.h"

#include "core/dcache.h"
#include "core/inotify.h"

namespace rcuvfs::core {

Result<File*> make_file(const Path& path, Inode* inode, int flags) {
  auto* f = new File;
  f->path = path_get(path);
  iget(inode);
  f->inode = inode;
  f->flags = flags;
  return f;
}

void fput(File* f) {
  if (f->refcount.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (f->inotify)
    inotify_release(f->inotify);
  else if (!f->is_path_only())
    notify_dentry(f->path.dentry, f->inode, f->writable() ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
  if (f->cursor_attached) d_cursor_detach(f->path.dentry, f->cursor);
  if (f->cursor) d_free_cursor(f->cursor);
  Path p = f->path;
  Inode* inode = f->inode;
  // Walks that started at this descriptor may still read f->path under RCU; the
  // path and inode stay valid for them because dentries and inodes are themselves
  // freed after a grace period.
  rcu_defer(&f->rcu, [](RcuHead* h) {
    delete reinterpret_cast<File*>(reinterpret_cast<char*>(h) - offsetof(File, rcu));
  });
  iput(inode);
  path_put(p);
}

}  // namespace rcuvfs::core
