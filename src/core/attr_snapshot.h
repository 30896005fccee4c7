// The attribute snapshot behind attr_snapshot_rcu/attr_snapshot_locked, inline: the
// speculative stat takes it itself on a kSbAttrSnapshot filesystem, with no virtual
// getattr_rcu call and no call of its own.
#pragma once

#include <rcuvfs/fs/inode.h>

#include "core/inject.h"

#include <cerrno>

namespace rcuvfs::core {

inline statx_timestamp to_ts(int64_t ns) {
  statx_timestamp t{};
  int64_t sec = ns / 1000000000, rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --sec;
  }
  t.tv_sec = sec;
  t.tv_nsec = static_cast<uint32_t>(rem);
  return t;
}

// Copy every attribute with relaxed loads; the caller makes it consistent (seq or lock).
// The other fields of `out` stay as they are (zero: see Inode::getattr).
inline void copy_attrs(const Inode& i, Statx& out) {
  constexpr auto r = std::memory_order_relaxed;
  out.stx_mask = STATX_BASIC_STATS | STATX_BTIME;
  out.stx_blksize = 4096;
  out.stx_nlink = i.nlink.load(r);
  out.stx_uid = i.uid.load(r);
  out.stx_gid = i.gid.load(r);
  out.stx_mode = static_cast<uint16_t>(i.mode.load(r));
  out.stx_ino = i.ino.load(r);
  out.stx_size = i.size.load(r);
  out.stx_atime = to_ts(i.atime_ns.load(r));
  out.stx_btime = to_ts(i.btime_ns.load(r));
  out.stx_ctime = to_ts(i.ctime_ns.load(r));
  out.stx_mtime = to_ts(i.mtime_ns.load(r));
}

// attr_snapshot_rcu (see <rcuvfs/fs/inode.h>).
[[gnu::always_inline]] inline int snapshot_rcu(const Inode& inode, Statx& out,
                                               AttrExtra extra) {
  if (injected(kInjectNoAttrSnapshot)) {
    copy_attrs(inode, out);  // the injected bug: no seqcount, torn reads possible
    if (extra) extra(inode, out);
    return 0;
  }
  // A few tries ride out a concurrent chmod; a writer that keeps winning sends the
  // caller to the locked path instead of spinning here.
  for (int attempt = 0; attempt < 4; ++attempt) {
    uint32_t s = inode.attr_seq.begin();
    if (s & 1) continue;
    copy_attrs(inode, out);
    if (extra) extra(inode, out);
    if (inode.attr_seq.validate(s)) return 0;
  }
  return -EAGAIN;
}

}  // namespace rcuvfs::core
