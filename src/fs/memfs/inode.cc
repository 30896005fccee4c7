#include "fs/memfs/memfs.h"

#include <rcuvfs/fs/object_cache.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <new>

#include <sys/sysmacros.h>

namespace rcuvfs::memfs {

namespace {
ObjectCache& inode_cache() {
  static ObjectCache& cache = *new ObjectCache(sizeof(MemInode));
  return cache;
}
}  // namespace

void* MemInode::operator new([[maybe_unused]] size_t size) {
  assert(size == sizeof(MemInode));  // no class derives from MemInode
  return inode_cache().alloc();
}
void MemInode::operator delete(void* p) { inode_cache().free(p); }

LinkBody* LinkBody::make(std::string_view s) {
  void* mem = ::operator new(offsetof(LinkBody, text) + s.size() + 1);
  auto* b = new (mem) LinkBody;
  b->len = s.size();
  std::memcpy(b->text, s.data(), s.size());
  b->text[s.size()] = '\0';
  return b;
}

void LinkBody::retire(LinkBody* b) {
  if (!b) return;
  rcu_defer(&b->rcu, [](RcuHead* h) { ::operator delete(reinterpret_cast<LinkBody*>(h)); });
}

void MemInode::release_body(uintptr_t p, bool now) {
  if (!(p & kBodyTag)) return;
  auto* b = reinterpret_cast<LinkBody*>(p & ~kBodyTag);
  if (now)
    ::operator delete(b);
  else
    LinkBody::retire(b);
}

MemInode::MemInode(MemSuper* sb) : Inode(sb) {}

MemInode::~MemInode() {
  // Freed after a grace period (or with the superblock): no reader is left. A regular
  // file's contents went at eviction, with the superblock still there to take its
  // pages back.
  assert(!file_data());
  release_body(payload_.load(kRelaxed), true);
}

void MemInode::init(mode_t m, uid_t u, gid_t g, dev_t rd) {
  const int64_t now = now_ns();
  assert(!file_data());  // let go when the object's last file was evicted
  {
    // Readers may still hold a stale pointer to this object (recyclefs): make the
    // change look like one attribute update to them.
    AttrWrite w(*this);
    ino.store(super().next_ino(), kRelaxed);
    generation.store(generation.load(kRelaxed) + 1, kRelaxed);
    mode.store(m, kRelaxed);
    uid.store(u, kRelaxed);
    gid.store(g, kRelaxed);
    nlink.store(S_ISDIR(m) ? 2 : 1, kRelaxed);
    size.store(S_ISDIR(m) ? kEmptyDirSize : 0, kRelaxed);
    atime_ns.store(now, kRelaxed);
    mtime_ns.store(now, kRelaxed);
    ctime_ns.store(now, kRelaxed);
    btime_ns.store(now, kRelaxed);
    const uintptr_t p = S_ISCHR(m) || S_ISBLK(m) ? dev_payload(rd) : 0;
    release_body(payload_.exchange(p, std::memory_order_acq_rel), false);
  }
  refcount.store(1, kRelaxed);
}

Result<MemInode*> MemInode::new_child(mode_t m, dev_t rd, const Cred& cred) {
  uid_t u;
  gid_t g;
  init_owner(*this, m, u, g, cred);
  if (!super().reserve_ispace(kInodeSpace)) return Err{ENOSPC};
  MemInode* child = super().alloc_inode();
  child->init(m, u, g, rd);
  return child;
}

// This directory gained or lost entries (and subdirectories).
void MemInode::touch_dir(int64_t entries_delta, int64_t nlink_delta) {
  const int64_t now = now_ns();
  AttrWrite w(*this);
  size.store(size.load(kRelaxed) + entries_delta * static_cast<int64_t>(kDirentSize), kRelaxed);
  nlink.store(static_cast<uint32_t>(nlink.load(kRelaxed) + nlink_delta), kRelaxed);
  mtime_ns.store(now, kRelaxed);
  ctime_ns.store(now, kRelaxed);
}

Result<Inode*> MemInode::create(std::string_view, mode_t m, dev_t rd, const Cred& cred) {
  auto child = new_child(m, rd, cred);
  if (!child.ok()) return Err{child.error()};
  touch_dir(1, 0);
  return static_cast<Inode*>(*child);
}

Result<Inode*> MemInode::mkdir(std::string_view, mode_t m, const Cred& cred) {
  auto child = new_child(S_IFDIR | (m & 07777), 0, cred);
  if (!child.ok()) return Err{child.error()};
  touch_dir(1, 1);
  return static_cast<Inode*>(*child);
}

Result<Inode*> MemInode::symlink(std::string_view, std::string_view target,
                                 const Cred& cred) {
  auto child = new_child(S_IFLNK | 0777, 0, cred);
  if (!child.ok()) return Err{child.error()};
  MemInode* c = *child;
  {
    AttrWrite w(*c);
    c->size.store(target.size(), kRelaxed);
  }
  c->payload_.store(reinterpret_cast<uintptr_t>(LinkBody::make(target)) | kBodyTag,
                    std::memory_order_release);
  touch_dir(1, 0);
  return static_cast<Inode*>(c);
}

Status MemInode::link(Inode* target, std::string_view) {
  // A name beyond the first takes the room of an object, as on tmpfs.
  if (!super().reserve_ispace(kInodeSpace)) return Err{ENOSPC};
  {
    AttrWrite w(*target);
    target->nlink.store(target->nlink.load(kRelaxed) + 1, kRelaxed);
    target->ctime_ns.store(now_ns(), kRelaxed);
  }
  touch_dir(1, 0);
  return {};
}

Status MemInode::unlink(std::string_view, Inode* victim) {
  // The last name's room goes with the object (evict).
  if (victim->nlink.load(kRelaxed) > 1) super().release_ispace(kInodeSpace);
  {
    AttrWrite w(*victim);
    victim->nlink.store(victim->nlink.load(kRelaxed) - 1, kRelaxed);
    victim->ctime_ns.store(now_ns(), kRelaxed);
  }
  touch_dir(-1, 0);
  return {};
}

Status MemInode::rmdir(std::string_view, Inode* victim) {
  if (victim->size.load(kRelaxed) != kEmptyDirSize) return Err{ENOTEMPTY};
  {
    AttrWrite w(*victim);
    victim->nlink.store(0, kRelaxed);
    victim->ctime_ns.store(now_ns(), kRelaxed);
  }
  touch_dir(-1, -1);
  return {};
}

Status MemInode::rename(std::string_view, Inode* source, Inode* new_dir_i, std::string_view,
                        Inode* target, unsigned flags) {
  auto* new_dir = static_cast<MemInode*>(new_dir_i);
  const bool src_dir = source->is_dir();
  const int64_t now = now_ns();
  if (flags & RENAME_EXCHANGE) {
    const bool tgt_dir = target->is_dir();
    if (new_dir != this && src_dir != tgt_dir) {
      // The directory among the two changes parent: move one link count over.
      int64_t d = src_dir ? 1 : -1;
      touch_dir(0, -d);
      new_dir->touch_dir(0, d);
    } else {
      touch_dir(0, 0);
      if (new_dir != this) new_dir->touch_dir(0, 0);
    }
    for (Inode* i : {source, target}) {
      AttrWrite w(*i);
      i->ctime_ns.store(now, kRelaxed);
    }
    return {};
  }
  if (target) {
    if (target->is_dir() && target->size.load(kRelaxed) != kEmptyDirSize)
      return Err{ENOTEMPTY};
    if (!target->is_dir() && target->nlink.load(kRelaxed) > 1)
      super().release_ispace(kInodeSpace);
    AttrWrite w(*target);
    target->nlink.store(target->is_dir() ? 0 : target->nlink.load(kRelaxed) - 1, kRelaxed);
    target->ctime_ns.store(now, kRelaxed);
  }
  // Entries: the old directory loses one; the new one gains one unless it replaced.
  int64_t old_nlink = 0, new_nlink = 0;
  if (src_dir) {
    if (target) {
      old_nlink = -1;  // target's ".." link goes; source's moves over
    } else if (new_dir != this) {
      old_nlink = -1;
      new_nlink = 1;
    }
  }
  if (new_dir == this) {
    touch_dir(target ? -1 : 0, old_nlink + new_nlink);
  } else {
    touch_dir(-1, old_nlink);
    new_dir->touch_dir(target ? 0 : 1, new_nlink);
  }
  AttrWrite w(*source);
  source->ctime_ns.store(now, kRelaxed);
  return {};
}

int MemInode::getattr_rcu(Statx& out, unsigned, unsigned) const {
  if (!super().rcu_callbacks()) return -ECHILD;
  return attr_snapshot_rcu(*this, out, read_extra);
}

Status MemInode::getattr(Statx& out, unsigned, unsigned) {
  std::shared_lock lk(lock);
  attr_snapshot_locked(*this, out, read_extra);
  return {};
}

void MemInode::read_extra(const Inode& inode, Statx& out) {
  // Acquire: a FileData published just now is read whole. Untagged, the word is a
  // FileData or 0 whatever the mode this snapshot saw: the object may have been
  // recycled since (a torn snapshot fails validation; the pointer stays valid until
  // the read-side section ends). Every field is written on every call: a failed try
  // of the snapshot must leave nothing behind for the next.
  const auto& self = static_cast<const MemInode&>(inode);
  const uintptr_t p = self.payload_.load(std::memory_order_acquire);
  const FileData* d = (p & kTags) ? nullptr : reinterpret_cast<const FileData*>(p);
  out.stx_blocks = d ? d->pages.load(kRelaxed) * 8 : 0;
  const auto rdev = (p & kDevTag) ? static_cast<dev_t>(p >> 2) : dev_t{0};
  out.stx_rdev_major = major(rdev);
  out.stx_rdev_minor = minor(rdev);
}

int MemInode::permission(int mask, const Cred& cred, unsigned flags) const {
  if ((flags & kMayNotBlock) && !super().rcu_callbacks()) return -ECHILD;
  return generic_permission(*this, mask, cred);
}

int MemInode::get_link(std::string_view& out, unsigned flags) const {
  if ((flags & kMayNotBlock) && !super().rcu_callbacks()) return -ECHILD;
  const LinkBody* b = body(std::memory_order_acquire);
  if (!b) return (flags & kMayNotBlock) ? -ECHILD : -EINVAL;
  out = {b->text, b->len};
  return 0;
}

Result<size_t> MemInode::read(void* buf, size_t count, off_t offset) {
  if (offset < 0) return Err{EINVAL};
  const uint64_t sz = size.load(kRelaxed);
  const auto off = static_cast<uint64_t>(offset);
  if (off >= sz) return size_t{0};
  const auto n = static_cast<size_t>(std::min<uint64_t>(count, sz - off));
  auto* out = static_cast<unsigned char*>(buf);
  if (const FileData* d = file_data())
    d->read(out, off, n);
  else
    std::memset(out, 0, n);  // all hole
  return n;
}

FileData* MemInode::contents() {
  FileData* d = file_data();
  if (!d) {
    d = new FileData;
    super().track(d);
    // Release: read_extra may load the word and the count at once.
    payload_.store(reinterpret_cast<uintptr_t>(d), std::memory_order_release);
  }
  return d;
}

void MemInode::drop_contents() {
  FileData* d = file_data();
  if (!d) return;
  d->clear(super());
  {
    AttrWrite w(*this);
    payload_.store(0, std::memory_order_release);
  }
  super().untrack(d);
  FileData::retire(d);
}

void MemInode::data_changed(uint64_t n) {
  const int64_t now = now_ns();
  FileData* d = file_data();
  const bool empty = d && d->map.empty();
  {
    AttrWrite w(*this);
    size.store(n, kRelaxed);
    mtime_ns.store(now, kRelaxed);
    ctime_ns.store(now, kRelaxed);
    if (d) d->pages.store(d->map.size(), kRelaxed);
    if (empty) payload_.store(0, std::memory_order_release);
  }
  if (empty) {
    super().untrack(d);
    FileData::retire(d);
  }
}

// Only regular files get contents (the core writes and truncates nothing else); the
// type checks also keep a symlink's body from ever being taken for them. The core
// has checked the range against the largest file size (LLONG_MAX, as tmpfs's).
Result<size_t> MemInode::write(const void* buf, size_t count, off_t offset) {
  if (offset < 0 || count > static_cast<uint64_t>(INT64_MAX - offset)) return Err{EINVAL};
  if (type() != S_IFREG) return Err{EINVAL};
  if (count == 0) return size_t{0};
  const auto off = static_cast<uint64_t>(offset);
  int error = 0;
  size_t done = 0;
  try {
    done = contents()->write(static_cast<const unsigned char*>(buf), off, count, super(), error);
  } catch (const std::bad_alloc&) {
    error = ENOMEM;  // no FileData: nothing written
  }
  // The times change even when no byte could be written: Linux updates them before
  // it copies.
  data_changed(done ? std::max(size.load(kRelaxed), off + done) : size.load(kRelaxed));
  if (done == 0) return Err{error};
  return done;
}

Status MemInode::truncate(off_t length) {
  if (length < 0) return Err{EINVAL};
  if (type() != S_IFREG) return Err{EINVAL};
  const auto n = static_cast<uint64_t>(length);
  if (FileData* d = file_data(); d && n < size.load(kRelaxed)) d->truncate(n, super());
  data_changed(n);
  return {};
}

int MemInode::getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const {
  if ((flags & kMayNotBlock) && !super().rcu_callbacks()) return -ECHILD;
  return xattrs_.get(name, buf, size);
}

int MemInode::listxattr(XattrNameFn fn, void* ctx, unsigned flags) const {
  if ((flags & kMayNotBlock) && !super().rcu_callbacks()) return -ECHILD;
  return xattrs_.list(fn, ctx);
}

void MemInode::touch_ctime() {
  const int64_t now = now_ns();
  AttrWrite w(*this);
  ctime_ns.store(now, kRelaxed);
}

Status MemInode::setxattr(std::string_view name, std::string_view value, int flags) {
  // As tmpfs: the new value's room first, whatever the flags will say.
  const uint64_t need = SimpleXattrs::space(name, value.size());
  if (!super().reserve_ispace(need)) return Err{ENOSPC};
  const ssize_t old = xattrs_.find(name);
  if (Status st = xattrs_.set(name, value, flags); !st.ok()) {
    super().release_ispace(need);
    return st;
  }
  if (old >= 0) super().release_ispace(SimpleXattrs::space(name, static_cast<size_t>(old)));
  touch_ctime();
  return {};
}

Status MemInode::removexattr(std::string_view name) {
  const ssize_t old = xattrs_.find(name);
  RCUVFS_TRY(xattrs_.remove(name));
  super().release_ispace(SimpleXattrs::space(name, static_cast<size_t>(old)));
  touch_ctime();
  return {};
}

void MemInode::evict() {
  drop_contents();
  super().release_ispace(kInodeSpace + xattrs_.space_used());
  xattrs_.clear();
  super().free_inode(this);
}

}  // namespace rcuvfs::memfs
