#include "fs/memfs/memfs.h"

#include <rcuvfs/fs/object_cache.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <sys/sysmacros.h>

namespace rcuvfs::memfs {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

uint64_t blocks_for(mode_t mode, uint64_t size) {
  return S_ISREG(mode) ? (size + 4095) / 4096 * 8 : 0;
}

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

void MemInode::release_payload(uintptr_t p, bool now) {
  if (p & kDevTag) return;
  if (p & kBodyTag) {
    auto* b = reinterpret_cast<LinkBody*>(p & ~kBodyTag);
    if (now)
      ::operator delete(b);
    else
      LinkBody::retire(b);
  } else {
    delete reinterpret_cast<std::string*>(p);
  }
}

MemInode::MemInode(MemSuper* sb) : Inode(sb) {}

MemInode::~MemInode() {
  // Freed after a grace period (or with the superblock): no reader is left.
  release_payload(payload_.load(kRelaxed), true);
}

void MemInode::init(mode_t m, uid_t u, gid_t g, dev_t rd) {
  const int64_t now = now_ns();
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
    release_payload(payload_.exchange(p, std::memory_order_acq_rel), false);
  }
  refcount.store(1, kRelaxed);
}

Result<MemInode*> MemInode::new_child(mode_t m, dev_t rd, const Cred& cred) {
  uid_t u;
  gid_t g;
  init_owner(*this, m, u, g, cred);
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
  {
    AttrWrite w(*target);
    target->nlink.store(target->nlink.load(kRelaxed) + 1, kRelaxed);
    target->ctime_ns.store(now_ns(), kRelaxed);
  }
  touch_dir(1, 0);
  return {};
}

Status MemInode::unlink(std::string_view, Inode* victim) {
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
  out.stx_blocks = blocks_for(out.stx_mode, out.stx_size);
  const uintptr_t p = static_cast<const MemInode&>(inode).payload_.load(kRelaxed);
  if (!(p & kDevTag)) return;
  const auto rdev = static_cast<dev_t>(p >> 2);
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

void MemInode::set_size_locked(uint64_t n) {
  const int64_t now = now_ns();
  AttrWrite w(*this);
  size.store(n, kRelaxed);
  mtime_ns.store(now, kRelaxed);
  ctime_ns.store(now, kRelaxed);
}

Result<size_t> MemInode::read(void* buf, size_t count, off_t offset) {
  if (offset < 0) return Err{EINVAL};
  const std::string* d = data();
  const auto off = static_cast<size_t>(offset);
  if (!d || off >= d->size()) return size_t{0};
  const size_t n = std::min(count, d->size() - off);
  std::memcpy(buf, d->data() + off, n);
  return n;
}

std::string* MemInode::contents() {
  std::string* d = data();
  if (!d) {
    d = new std::string;
    payload_.store(reinterpret_cast<uintptr_t>(d), kRelaxed);
  }
  return d;
}

// Only regular files get contents (the core writes and truncates nothing else); the
// type checks also keep a symlink's body from ever being taken for them.
Result<size_t> MemInode::write(const void* buf, size_t count, off_t offset) {
  if (offset < 0) return Err{EINVAL};
  if (type() != S_IFREG) return Err{EINVAL};
  const auto off = static_cast<size_t>(offset);
  if (off + count > (size_t{1} << 32)) return Err{EFBIG};
  std::string* d = off + count > 0 ? contents() : data();
  if (d) {
    if (d->size() < off + count) d->resize(off + count);
    if (count) std::memcpy(d->data() + off, buf, count);
  }
  set_size_locked(d ? d->size() : 0);
  return count;
}

Status MemInode::truncate(off_t length) {
  if (length < 0) return Err{EINVAL};
  if (static_cast<uint64_t>(length) > (uint64_t{1} << 32)) return Err{EFBIG};
  if (type() != S_IFREG) return Err{EINVAL};
  const auto n = static_cast<size_t>(length);
  if (n == 0) {
    // Empty again: give the memory back.
    delete data();
    payload_.store(0, kRelaxed);
  } else {
    contents()->resize(n);
  }
  set_size_locked(n);
  return {};
}

void MemInode::evict() { super().free_inode(this); }

}  // namespace rcuvfs::memfs
