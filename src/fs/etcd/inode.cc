// etcd objects: cached attributes, stat, attribute changes, symlinks, file data.
#include "fs/etcd/etcdfs.h"

#include <rcuvfs/fs/changes.h>

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace rcuvfs::etcdfs {

namespace {
// A string's trailing zero bytes dropped: absent bytes of a chunk read as zeros.
void trim_zeros(std::string& s) {
  size_t n = s.size();
  while (n && s[n - 1] == '\0') --n;
  s.resize(n);
}
}  // namespace

EtcdInode::EtcdInode(EtcdSuper* sb, uint64_t number, const Record& r, int64_t rev)
    : Inode(sb), body_(r.body) {
  ino.store(number, kRelaxed);
  store(r, rev);
}

bool EtcdInode::store(const Record& r, int64_t rev) {
  mode_t was;
  {
    AttrWrite w(*this);
    if (!store_attrs(r, rev, was)) return false;
  }
  // The walker decides search on a directory from its entry (kSbAttrsWithEntries).
  if (S_ISDIR(r.mode) && ((was ^ r.mode) & 0111)) mode_changed(*this);
  return true;
}

bool EtcdInode::store_attrs(const Record& r, int64_t rev, mode_t& was) {
  if (rev <= rev_) return false;
  rev_ = rev;
  was = mode.load(kRelaxed);
  mode.store(r.mode, kRelaxed);
  uid.store(r.uid, kRelaxed);
  gid.store(r.gid, kRelaxed);
  nlink.store(r.nlink, kRelaxed);
  size.store(r.size, kRelaxed);
  rdev_.store(r.rdev, kRelaxed);
  atime_ns.store(r.atime, kRelaxed);
  mtime_ns.store(r.mtime, kRelaxed);
  ctime_ns.store(r.ctime, kRelaxed);
  btime_ns.store(r.btime, kRelaxed);
  if (r.xattr_gen != xattr_gen_) {
    xattr_gen_ = r.xattr_gen;
    xattrs_.assign(r.xattrs);
  }
  if (r.nlink == 0) hold();
  return true;
}

void EtcdInode::hold() {
  if (!held_.exchange(true)) super().hold(ino.load(kRelaxed));
}

void EtcdInode::read_extra(const Inode& inode, Statx& out) {
  const uint64_t rdev = static_cast<const EtcdInode&>(inode).rdev_.load(kRelaxed);
  out.stx_rdev_major = major(rdev);
  out.stx_rdev_minor = minor(rdev);
  // Whole 4 KiB pages up to the size: what the data would take at most (sparse ranges
  // cost etcd nothing, but the chunks are not counted here).
  out.stx_blocks = (inode.size.load(kRelaxed) + 4095) / 4096 * 8;
}

Result<int64_t> EtcdInode::refetch() {
  super().count_fetch();
  auto got = super().client().range(super().layout().inode(ino.load(kRelaxed)), "");
  if (!got.ok()) return Err{got.error()};
  if (got->kvs.empty()) {
    mark_gone();
    return Err{ESTALE};
  }
  auto r = decode_record(got->kvs[0].value);
  if (!r.ok()) return Err{r.error()};
  store(*r, got->kvs[0].mod_rev);
  return got->revision;
}

int EtcdInode::getattr_rcu(Statx& out, unsigned, unsigned) const {
  // In step is read first: a snapshot taken after it is at least that new.
  if (!super().in_step()) return -ECHILD;
  return attr_snapshot_rcu(*this, out, read_extra);
}

Status EtcdInode::getattr(Statx& out, unsigned, unsigned) {
  if (gone()) return Err{ESTALE};
  if (!super().in_step())
    if (auto r = refetch(); !r.ok()) return Err{r.error()};
  while (attr_snapshot_rcu(*this, out, read_extra) != 0) {
  }
  return {};
}

int EtcdInode::fresh_or_refetch(unsigned flags) const {
  if (super().in_step()) return 0;
  if (flags & kMayNotBlock) return -ECHILD;
  return -const_cast<EtcdInode*>(this)->refetch().error();
}

int EtcdInode::permission(int mask, const Cred& cred, unsigned flags) const {
  // Other failures leave the cached attributes to decide; a gone object is gone.
  if (int e = fresh_or_refetch(flags); e == -ECHILD || e == -ESTALE) return e;
  return generic_permission(*this, mask, cred);
}

int EtcdInode::getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const {
  if (int e = fresh_or_refetch(flags)) return e;
  return xattrs_.get(name, buf, size);
}

int EtcdInode::listxattr(XattrNameFn fn, void* ctx, unsigned flags) const {
  if (int e = fresh_or_refetch(flags)) return e;
  return xattrs_.list(fn, ctx);
}

Status EtcdInode::setxattr(std::string_view name, std::string_view value, int flags) {
  return change_xattrs([&](Record& r) -> Status {
    auto it = std::find_if(r.xattrs.begin(), r.xattrs.end(),
                           [&](const auto& x) { return x.first == name; });
    if (it != r.xattrs.end() && (flags & XATTR_CREATE)) return Err{EEXIST};
    if (it == r.xattrs.end() && (flags & XATTR_REPLACE)) return Err{ENODATA};
    if (it != r.xattrs.end())
      it->second.assign(value);
    else
      r.xattrs.emplace_back(std::string(name), std::string(value));
    // A record stays well within etcd's request limit (1.5 MiB by default).
    size_t total = 0;
    for (const auto& [n, v] : r.xattrs) total += SimpleXattrs::space(n, v.size());
    if (total > kXattrSpace) return Err{ENOSPC};
    return {};
  });
}

Status EtcdInode::removexattr(std::string_view name) {
  return change_xattrs([&](Record& r) -> Status {
    auto it = std::find_if(r.xattrs.begin(), r.xattrs.end(),
                           [&](const auto& x) { return x.first == name; });
    if (it == r.xattrs.end()) return Err{ENODATA};
    r.xattrs.erase(it);
    return {};
  });
}

Status EtcdInode::change_xattrs(const std::function<Status(Record&)>& change) {
  return update_record([&](Record& r) -> Status {
    RCUVFS_TRY(change(r));
    ++r.xattr_gen;
    r.ctime = now_ns();
    return {};
  });
}

int EtcdInode::get_link(std::string_view& out, unsigned) const {
  if (!is_symlink()) return -EINVAL;
  out = body_;
  return 0;
}

int EtcdInode::statfs(Statfs& out, unsigned) const {
  // Space is etcd's quota, which its API does not report: numbers like a filesystem
  // without a fixed size (as tmpfs without size=).
  out.f_type = 0x45544344;  // "ETCD"
  out.f_bsize = out.f_frsize = 4096;
  out.f_namelen = 255;
  out.f_fsid.__val[0] = static_cast<int>(sb->dev);
  return 0;
}

Status EtcdInode::setattr(const AttrChange& c) {
  if (c.valid & kAttrSize) RCUVFS_TRY(truncate(c.size));
  if (!(c.valid & ~kAttrSize)) return {};
  return update_record([&](Record& r) -> Status {
    if (c.valid & kAttrMode) r.mode = (r.mode & S_IFMT) | (c.mode & 07777);
    if (c.valid & kAttrUid) r.uid = c.uid;
    if (c.valid & kAttrGid) r.gid = c.gid;
    if (c.valid & kAttrAtime) r.atime = c.atime_ns;
    if (c.valid & kAttrMtime) r.mtime = c.mtime_ns;
    if (c.valid & kAttrCtime) r.ctime = c.ctime_ns;
    return {};
  });
}

Status EtcdInode::update_record(const std::function<Status(Record&)>& change) {
  auto& s = super();
  const std::string key = s.layout().inode(ino.load(kRelaxed));
  for (int i = 0; i < kAttempts; ++i) {
    auto got = s.client().range(key, "");
    if (!got.ok()) return Err{got.error()};
    if (got->kvs.empty()) return Err{ESTALE};
    auto r = decode_record(got->kvs[0].value);
    if (!r.ok()) return Err{r.error()};
    RCUVFS_TRY(change(*r));
    auto t = s.commit({Compare::mod(key, got->kvs[0].mod_rev)},
                            {Op::put(key, encode(*r))});
    if (!t.ok()) return Err{t.error()};
    if (*t) {
      store(*r, *t);
      return {};
    }
  }
  return Err{EIO};
}

Result<size_t> EtcdInode::read(void* buf, size_t count, off_t offset) {
  auto& s = super();
  const uint64_t id = ino.load(kRelaxed);
  const auto off = static_cast<uint64_t>(offset);
  size_t done = 0;
  char* out = static_cast<char*>(buf);
  while (done < count) {
    // A span of chunks and the size, read at one revision.
    const uint64_t at = off + done;
    const uint64_t first = at / kChunk;
    const uint64_t span =
        std::min<uint64_t>(count - done, kChunksPerTxn * kChunk - at % kChunk);
    const uint64_t last = (at + span - 1) / kChunk;
    auto t = s.client().txn({}, {Op::get(s.layout().inode(id)),
                                 Op::range(s.layout().chunk(id, first),
                                           s.layout().chunk(id, last + 1))});
    if (!t.ok()) {
      if (done) break;
      return Err{t.error()};
    }
    if (t->ranges.size() != 2 || t->ranges[0].empty()) {
      mark_gone();
      if (done) break;
      return Err{ESTALE};
    }
    auto r = decode_record(t->ranges[0][0].value);
    if (!r.ok()) return Err{r.error()};
    store(*r, t->ranges[0][0].mod_rev);
    if (at >= r->size) break;
    const uint64_t n = std::min<uint64_t>(span, r->size - at);
    std::memset(out + done, 0, n);
    for (const auto& kv : t->ranges[1]) {
      const uint64_t base = s.layout().chunk_index(kv.key) * kChunk;
      // The part of this chunk inside [at, at + n).
      const uint64_t from = std::max(base, at);
      const uint64_t to = std::min(base + kv.value.size(), at + n);
      if (from < to) std::memcpy(out + done + (from - at), kv.value.data() + (from - base), to - from);
    }
    done += n;
    if (n < span) break;
  }
  return done;
}

Status EtcdInode::write_span(const char* data, size_t count, uint64_t offset) {
  auto& s = super();
  const uint64_t id = ino.load(kRelaxed);
  const std::string key = s.layout().inode(id);
  const bool cut = data == nullptr;  // a truncate to `offset`
  for (int i = 0; i < kAttempts; ++i) {
    // The chunks the change touches: those it writes, or for a cut the one it shortens.
    const uint64_t first = offset / kChunk;
    const uint64_t last = cut ? first : (offset + count - 1) / kChunk;
    auto got = s.client().txn({}, {Op::get(key), Op::range(s.layout().chunk(id, first),
                                                          s.layout().chunk(id, last + 1))});
    if (!got.ok()) return Err{got.error()};
    if (got->ranges.size() != 2 || got->ranges[0].empty()) {
      mark_gone();
      return Err{ESTALE};
    }
    const int64_t rev = got->ranges[0][0].mod_rev;
    auto r = decode_record(got->ranges[0][0].value);
    if (!r.ok()) return Err{r.error()};
    std::map<uint64_t, std::string> old;
    for (auto& kv : got->ranges[1]) old[s.layout().chunk_index(kv.key)] = std::move(kv.value);
    std::vector<Op> ops;
    const int64_t now = now_ns();
    if (cut) {
      if (offset < r->size) {
        // Whole chunks past the new end go; the one it ends inside is shortened.
        const uint64_t keep = (offset + kChunk - 1) / kChunk;
        ops.push_back(Op::del(s.layout().chunk(id, keep),
                              prefix_end(s.layout().chunks(id))));
        if (offset % kChunk) {
          auto it = old.find(first);
          if (it != old.end() && it->second.size() > offset % kChunk) {
            std::string v = it->second.substr(0, offset % kChunk);
            trim_zeros(v);
            ops.push_back(v.empty() ? Op::del(s.layout().chunk(id, first))
                                    : Op::put(s.layout().chunk(id, first), std::move(v)));
          }
        }
      }
      r->size = offset;
    } else {
      for (uint64_t index = first; index <= last; ++index) {
        std::string v = old.count(index) ? old[index] : std::string();
        const uint64_t base = index * kChunk;
        const uint64_t from = std::max(base, offset);
        const uint64_t to = std::min(base + kChunk, offset + count);
        if (v.size() < to - base) v.resize(to - base, '\0');
        std::memcpy(v.data() + (from - base), data + (from - offset), to - from);
        trim_zeros(v);
        ops.push_back(v.empty() ? Op::del(s.layout().chunk(id, index))
                                : Op::put(s.layout().chunk(id, index), std::move(v)));
      }
      r->size = std::max<uint64_t>(r->size, offset + count);
    }
    r->mtime = r->ctime = now;
    ops.push_back(Op::put(key, encode(*r)));
    // Every change of a file's data puts its record: comparing the record's revision
    // covers its chunks too.
    auto t = s.commit({Compare::mod(key, rev)}, ops);
    if (!t.ok()) return Err{t.error()};
    if (*t) {
      store(*r, *t);
      return {};
    }
  }
  return Err{EIO};
}

Result<size_t> EtcdInode::write(const void* buf, size_t count, off_t offset) {
  const char* data = static_cast<const char*>(buf);
  size_t done = 0;
  while (done < count) {
    const uint64_t at = static_cast<uint64_t>(offset) + done;
    const size_t n = std::min<uint64_t>(count - done, kChunksPerTxn * kChunk - at % kChunk);
    if (auto st = write_span(data + done, n, at); !st.ok()) {
      if (done) break;
      return Err{st.error()};
    }
    done += n;
  }
  return done;
}

Status EtcdInode::truncate(off_t length) {
  if (length < 0) return Err{EINVAL};
  if (type() != S_IFREG) return Err{EINVAL};
  return write_span(nullptr, 0, static_cast<uint64_t>(length));
}

// Another instance may have written the file since the attributes were cached.
Result<uint64_t> EtcdInode::current_size() {
  if (auto r = refetch(); !r.ok()) return Err{r.error()};
  return size.load(kRelaxed);
}

void EtcdInode::evict() {
  auto& s = super();
  if (this == s.root()) s.stop_watch();
  s.forget(this);
  // Its last name went while it was open (or cached): this instance lets it go.
  if (nlink.load(kRelaxed) == 0 && !gone()) s.reap(ino.load(kRelaxed));
  Inode::evict();
}

}  // namespace rcuvfs::etcdfs
