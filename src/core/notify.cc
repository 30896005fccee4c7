// The change feed and the reporters (notify.h).
#include "core/notify.h"

#include "core/dcache.h"


namespace rcuvfs::core {

void Feed::subscribe_locked(FeedSubscriber* s) {
  subs.push_back(s);
  active.store(static_cast<uint32_t>(subs.size()), std::memory_order_relaxed);
}

void Feed::unsubscribe_locked(FeedSubscriber* s) {
  std::erase(subs, s);
  active.store(static_cast<uint32_t>(subs.size()), std::memory_order_relaxed);
}

void Feed::subscribe(FeedSubscriber* s) {
  std::lock_guard g(lock);
  subscribe_locked(s);
}

void Feed::unsubscribe(FeedSubscriber* s) {
  std::lock_guard g(lock);
  unsubscribe_locked(s);
}

void Feed::post(const Event& e) {
  std::lock_guard g(lock);
  for (FeedSubscriber* s : subs) s->deliver(e);
}

void Feed::super_gone(Superblock* sb) {
  std::lock_guard g(lock);
  for (FeedSubscriber* s : subs) s->super_gone(sb);
}

namespace {
thread_local uint64_t t_change_origin = 0;
}  // namespace

uint64_t change_origin() { return t_change_origin; }

uint32_t next_cookie() {
  static std::atomic<uint32_t> cookie{0};
  uint32_t c;
  do c = cookie.fetch_add(1, std::memory_order_relaxed) + 1;
  while (c == 0);
  return c;
}

void notify_create(Inode* dir, Dentry* d) {
  Feed* f = feed_of(dir);
  if (!f) return;
  Inode* inode = d->inode.load(std::memory_order_acquire);
  f->post({IN_CREATE | isdir_bit(inode), inode, dir, d_name(d).view(), 0});
}

void notify_link(Inode* dir, Inode* inode, Dentry* d) {
  Feed* f = feed_of(dir);
  if (!f) return;
  f->post({IN_ATTRIB, inode, nullptr, {}, 0});
  f->post({IN_CREATE, inode, dir, d_name(d).view(), 0});
}

void notify_delete(Inode* dir, Inode* inode, std::string_view name) {
  if (Feed* f = feed_of(dir)) f->post({IN_DELETE | isdir_bit(inode), inode, dir, name, 0});
}

void notify_dentry(Dentry* d, Inode* inode, uint32_t mask) {
  Feed* f = feed_of(inode);
  if (!f || !mask) return;
  Event e{mask | isdir_bit(inode), inode, nullptr, {}, 0};
  // A rename may move d meanwhile: the event then names one of the two places, as
  // Linux's does. The reference keeps the directory for the delivery (d, which holds
  // its parent, may move away from it).
  std::string name;
  {
    DLockGuard g(d);
    Dentry* parent = d->parent.load(std::memory_order_relaxed);
    if (parent != d) {
      e.dir = parent->inode.load(std::memory_order_acquire);
      iget(e.dir);
      name = d_name(d).view();
      e.unlinked = d->has_flag(kDDeleted);
    }
  }
  e.name = name;
  f->post(e);
  if (e.dir) iput(e.dir);
}

void notify_inode(Inode* inode, uint32_t mask) {
  if (Feed* f = feed_of(inode)) f->post({mask | isdir_bit(inode), inode, nullptr, {}, 0});
}

void notify_move(Inode* old_dir, std::string_view old_name, Inode* new_dir,
                 std::string_view new_name, Inode* source, Inode* target) {
  Feed* f = feed_of(old_dir);
  if (!f) return;
  const uint32_t isdir = isdir_bit(source);
  const uint32_t cookie = next_cookie();
  f->post({IN_MOVED_FROM | isdir, source, old_dir, old_name, cookie});
  f->post({IN_MOVED_TO | isdir, source, new_dir, new_name, cookie});
  if (target) f->post({IN_ATTRIB | isdir_bit(target), target, nullptr, {}, 0});
  // The kernel reports IN_MOVE_SELF and IN_DELETE_SELF without IN_ISDIR.
  f->post({IN_MOVE_SELF, source, nullptr, {}, 0});
}

void notify_gone(Inode* inode) {
  if (Feed* f = feed_of(inode)) f->post({IN_DELETE_SELF, inode, nullptr, {}, 0});
}

uint32_t attr_change_mask(unsigned valid) {
  uint32_t mask = 0;
  if (valid & (kAttrUid | kAttrGid | kAttrMode)) mask |= IN_ATTRIB;
  if (valid & kAttrSize) mask |= IN_MODIFY;
  // Both times: a utimes call. One of them alone is what reading or writing does.
  if ((valid & (kAttrAtime | kAttrMtime)) == (kAttrAtime | kAttrMtime))
    mask |= IN_ATTRIB;
  else if (valid & kAttrAtime)
    mask |= IN_ACCESS;
  else if (valid & kAttrMtime)
    mask |= IN_MODIFY;
  return mask;
}

}  // namespace rcuvfs::core

namespace rcuvfs {
void set_change_origin(uint64_t origin) { core::t_change_origin = origin; }
}  // namespace rcuvfs
