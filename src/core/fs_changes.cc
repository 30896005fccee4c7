// Changes behind rcuvfs's back (<rcuvfs/fs/changes.h>).
#include <rcuvfs/fs/changes.h>

#include "core/dcache.h"
#include "core/dcache_lru.h"
#include "core/mount.h"
#include "core/notify.h"

#include <mutex>
#include <vector>

namespace rcuvfs {

using namespace core;

namespace {
// The cached dentry of directory `dir`, with a reference, or nullptr.
Dentry* dir_dentry(const Inode& dir) {
  SbCache* c = dir.sb->dcache;
  if (!c || !(dir.sb->flags & kSbWatched)) return nullptr;
  MutexLock g(c->alias_mu);
  auto it = c->dir_alias.find(&dir);
  return it != c->dir_alias.end() && dget_not_dead(it->second) ? it->second : nullptr;
}
}  // namespace

Inode* entry_changed(Inode& dir, std::string_view name, uint32_t mask, uint32_t cookie) {
  Dentry* dd = dir_dentry(dir);
  Inode* was = nullptr;   // the object the removed name was bound to
  Inode* gone = nullptr;  // the same, when its entry went (the feed reports it)
  if (Dentry* c = dd ? d_lookup(dd, name) : nullptr) {
    // A mount on the entry keeps it: the mount tree is rcuvfs's own. Otherwise the
    // entry goes as a stale one does when revalidated (with what is cached below it).
    // iget: the drop may free the object.
    if (mask & (IN_DELETE | IN_MOVED_FROM)) was = c->inode.load(std::memory_order_acquire);
    if (was) iget(was);
    if (d_invalidate_unless_mounted(c) == Invalidated::kDropped) gone = was;
    dput(c);
  }
  if (Feed* f = feed_of(&dir)) f->post({mask, gone, &dir, name, cookie});
  if (dd) dput(dd);
  return was;
}

void object_changed(Inode& inode, uint32_t mask, Inode* dir, std::string_view name) {
  Feed* f = feed_of(&inode);
  if (!f) return;
  Event e{mask | isdir_bit(&inode), &inode, dir, dir ? name : std::string_view{}, 0};
  f->post(e);
}

void mode_changed(Inode& dir) {
  SbCache* c = dir.sb->dcache;
  if (!c || !(dir.sb->flags & kSbWatched)) return;
  MutexLock g(c->alias_mu);
  if (auto it = c->dir_alias.find(&dir); it != c->dir_alias.end())
    set_search_watched(it->second, &dir);
}

namespace {
// Drop every cached entry below `d` but those on the way to a mount (the mount tree is
// rcuvfs's own: a mount must stay reachable, and Linux's d_invalidate would detach
// it instead). Returns whether a mount was found below `d`. The entries below go
// first, so that an entry with none of its own left is dropped with little to shrink.
bool drop_all_but_mounts(Dentry* d) {
  bool mounts = false;
  for (Dentry* c : d_children(d)) {
    // A mount made below c while its entries were looked at is looked for again.
    Invalidated r;
    do {
      const uint32_t mseq = g_mount_seq.begin();
      r = drop_all_but_mounts(c) ? Invalidated::kMounted
                                 : d_invalidate_unless_mounted(c, mseq);
    } while (r == Invalidated::kMountsMoved);
    if (r == Invalidated::kMounted) mounts = true;
    dput(c);
  }
  return mounts;
}
}  // namespace

void everything_changed(Inode& root) {
  if (Dentry* d = dir_dentry(root)) {
    (void)drop_all_but_mounts(d);
    dput(d);
  }
  if (Feed* f = feed_of(&root)) f->post({IN_Q_OVERFLOW, nullptr, nullptr, {}, 0});
}

}  // namespace rcuvfs
