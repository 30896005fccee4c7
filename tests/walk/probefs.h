// probefs: memfs with switches that make its RCU callbacks refuse or misbehave on
// demand, so the tests can force each fallback of the walker deterministically.
#pragma once

#include "fs/memfs/memfs.h"

#include <atomic>
#include <cerrno>

namespace rcuvfs::probefs {

struct Switches {
  std::atomic<bool> refuse_getattr{false};  // getattr_rcu answers -ECHILD
  std::atomic<bool> refuse_link{false};     // get_link in RCU mode answers -ECHILD
  std::atomic<bool> writer_inside{false};   // getattr_rcu runs while attr_seq is odd
  // For regular files only (the walk's directories are not affected):
  std::atomic<bool> refuse_permission{false};  // permission in RCU mode answers -ECHILD
  std::atomic<int> attr_writes_in_permission{0};  // permission bumps attr_seq (N times)
  std::atomic<bool> refuse_statfs{false};      // statfs in RCU mode answers -ECHILD
  std::atomic<bool> refuse_xattr{false};  // getxattr/listxattr in RCU mode answer -ECHILD

  void reset() {
    refuse_getattr = refuse_link = writer_inside = refuse_permission = refuse_statfs =
        refuse_xattr = false;
    attr_writes_in_permission = 0;
  }
};
inline Switches g_switches;

class ProbeInode : public memfs::MemInode {
 public:
  using MemInode::MemInode;
  int getattr_rcu(Statx& out, unsigned mask, unsigned flags) const override {
    if (g_switches.refuse_getattr.load()) return -ECHILD;
    if (g_switches.writer_inside.load()) {
      // A writer that never leaves: the snapshot must give up, not spin.
      auto& seq = const_cast<SeqCount&>(attr_seq);
      seq.write_begin();
      int r = attr_snapshot_rcu(*this, out);
      seq.write_end();
      return r;
    }
    return MemInode::getattr_rcu(out, mask, flags);
  }
  int permission(int mask, const Cred& cred, unsigned flags) const override {
    if (type() == S_IFREG) {
      if ((flags & kMayNotBlock) && g_switches.refuse_permission.load()) return -ECHILD;
      if (g_switches.attr_writes_in_permission.load() > 0) {
        g_switches.attr_writes_in_permission--;
        AttrWrite w(const_cast<ProbeInode&>(*this));  // a chmod to the same mode
      }
    }
    return MemInode::permission(mask, cred, flags);
  }
  int statfs(Statfs& out, unsigned flags) const override {
    if ((flags & kMayNotBlock) && g_switches.refuse_statfs.load()) return -ECHILD;
    return MemInode::statfs(out, flags);
  }
  int getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const override {
    if ((flags & kMayNotBlock) && g_switches.refuse_xattr.load()) return -ECHILD;
    return MemInode::getxattr(name, buf, size, flags);
  }
  int listxattr(XattrNameFn fn, void* ctx, unsigned flags) const override {
    if ((flags & kMayNotBlock) && g_switches.refuse_xattr.load()) return -ECHILD;
    return MemInode::listxattr(fn, ctx, flags);
  }
  int get_link(std::string_view& out, unsigned flags) const override {
    if ((flags & kMayNotBlock) && g_switches.refuse_link.load()) return -ECHILD;
    return MemInode::get_link(out, flags);
  }
};

class ProbeSuper : public memfs::MemSuper {
 public:
  // Its getattr_rcu is its own: the walker must call it (no kSbAttrSnapshot).
  explicit ProbeSuper(const Cred& owner) : MemSuper(true, owner) { flags &= ~kSbAttrSnapshot; }
  memfs::MemInode* alloc_inode() override { return new ProbeInode(this); }
};

class ProbeFsType : public FsType {
 public:
  std::string_view name() const override { return "probefs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view,
                                                 const Cred& owner) override {
    return std::unique_ptr<Superblock>(std::make_unique<ProbeSuper>(owner));
  }
};

}  // namespace rcuvfs::probefs
