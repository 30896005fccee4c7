// etcd directories: lookup, the namespace changes (each one transaction, see
// etcdfs.h), revalidation and readdir.
#include "fs/etcd/etcdfs.h"

#include <dirent.h>
#include <linux/fs.h>
#include <sys/stat.h>

#include <cerrno>
#include <optional>

namespace rcuvfs::etcdfs {

namespace {
uint64_t ino_of(const Inode* inode) { return inode->ino.load(kRelaxed); }

// What a change read: keys at one revision, each present or not.
struct Read {
  std::vector<std::optional<KeyValue>> kv;
  std::vector<std::vector<KeyValue>> ranges;  // the ranges asked for after the keys
};

// Read `keys` (and `ranges`, each [key, end) with a limit) in one transaction.
Result<Read> read_keys(Client& c, const std::vector<std::string>& keys,
                       const std::vector<Op>& ranges = {}) {
  std::vector<Op> ops;
  for (const auto& k : keys) ops.push_back(Op::get(k));
  ops.insert(ops.end(), ranges.begin(), ranges.end());
  auto t = c.txn({}, ops);
  if (!t.ok()) return Err{t.error()};
  if (t->ranges.size() != ops.size()) return Err{EIO};
  Read out;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (t->ranges[i].empty())
      out.kv.emplace_back();
    else
      out.kv.emplace_back(std::move(t->ranges[i][0]));
  }
  for (size_t i = keys.size(); i < ops.size(); ++i) out.ranges.push_back(std::move(t->ranges[i]));
  return out;
}

// The compare that a key is as it was read: the same mod revision, or still absent.
Compare unchanged(const std::string& key, const std::optional<KeyValue>& kv) {
  return kv ? Compare::mod(key, kv->mod_rev) : Compare::absent(key);
}

Result<Record> record_of(const std::optional<KeyValue>& kv) {
  if (!kv) return Err{ENOENT};
  return decode_record(kv->value);
}

Result<Entry> entry_of(const std::optional<KeyValue>& kv) {
  if (!kv) return Err{ENOENT};
  return decode_entry(kv->value);
}
}  // namespace

Result<Inode*> EtcdInode::lookup(std::string_view name) {
  auto& s = super();
  const uint64_t dir = ino_of(this);
  auto got = s.client().range(s.layout().entry(dir, name), "");
  if (!got.ok()) return Err{got.error()};
  if (got->kvs.empty()) return static_cast<Inode*>(nullptr);
  auto e = decode_entry(got->kvs[0].value);
  if (!e.ok()) return Err{e.error()};
  // A live inode's attributes are the store's while the watch is in step.
  if (s.in_step())
    if (EtcdInode* live = s.find_inode(e->ino)) return static_cast<Inode*>(live);
  auto rec = s.client().range(s.layout().inode(e->ino), "");
  if (!rec.ok()) return Err{rec.error()};
  // Removed between the two reads: the entry is gone too (the watch will say so).
  if (rec->kvs.empty()) return static_cast<Inode*>(nullptr);
  auto r = decode_record(rec->kvs[0].value);
  if (!r.ok()) return Err{r.error()};
  return static_cast<Inode*>(s.get_inode(e->ino, *r, rec->kvs[0].mod_rev, rec->revision));
}

Result<Inode*> EtcdInode::make(std::string_view name, Record r, const Cred& cred) {
  auto& s = super();
  mode_t m = r.mode;
  uid_t u;
  gid_t g;
  init_owner(*this, m, u, g, cred);
  r.mode = m;
  r.uid = u;
  r.gid = g;
  auto number = s.allocate_ino();
  if (!number.ok()) return Err{number.error()};
  const uint64_t dir = ino_of(this), ino = *number;
  const std::string dkey = s.layout().inode(dir), ekey = s.layout().entry(dir, name);
  r.atime = r.mtime = r.ctime = r.btime = now_ns();
  const bool is_dir = S_ISDIR(r.mode);
  for (int i = 0; i < kAttempts; ++i) {
    auto got = read_keys(s.client(), {dkey, ekey});
    if (!got.ok()) return Err{got.error()};
    auto d = record_of(got->kv[0]);
    if (!d.ok()) return Err{d.error() == ENOENT ? ENOENT : d.error()};
    if (got->kv[1]) {
      // An attempt that seemed to fail may have made it (client.h): then it is ours.
      auto e = decode_entry(got->kv[1]->value);
      if (!e.ok() || e->ino != ino) return Err{EEXIST};
      s.committed(got->kv[1]->mod_rev);
      store(*d, got->kv[0]->mod_rev);
      auto rec = s.client().range(s.layout().inode(ino), "");
      if (!rec.ok()) return Err{rec.error()};
      if (rec->kvs.empty()) return Err{ENOENT};
      auto made = decode_record(rec->kvs[0].value);
      if (!made.ok()) return Err{made.error()};
      return static_cast<Inode*>(s.get_inode(ino, *made, rec->kvs[0].mod_rev, rec->revision));
    }
    if (d->nlink == 0) return Err{ENOENT};  // removed, still open here
    const uint64_t pos = d->next_pos++;
    d->mtime = d->ctime = r.ctime;
    d->size += kEntrySize;
    if (is_dir) ++d->nlink;
    const unsigned char type = dtype_of(r.mode);
    auto t = s.commit(
        {unchanged(dkey, got->kv[0]), Compare::absent(ekey)},
        {Op::put(s.layout().inode(ino), encode(r)), Op::put(ekey, encode(Entry{ino, type, pos})),
         Op::put(s.layout().position(dir, pos), encode(Slot{std::string(name), ino, type})),
         Op::put(dkey, encode(*d))});
    if (!t.ok()) return Err{t.error()};
    if (*t) {
      store(*d, *t);
      return static_cast<Inode*>(s.get_inode(ino, r, *t, *t));
    }
  }
  return Err{EIO};
}

Result<Inode*> EtcdInode::create(std::string_view name, mode_t m, dev_t rdev,
                                 const Cred& cred) {
  Record r;
  r.mode = m;
  r.nlink = 1;
  r.rdev = (S_ISCHR(m) || S_ISBLK(m)) ? rdev : 0;
  return make(name, r, cred);
}

Result<Inode*> EtcdInode::mkdir(std::string_view name, mode_t m, const Cred& cred) {
  Record r;
  r.mode = S_IFDIR | (m & 07777);
  r.nlink = 2;
  r.size = kEmptyDirSize;
  return make(name, r, cred);
}

Result<Inode*> EtcdInode::symlink(std::string_view name, std::string_view target,
                                  const Cred& cred) {
  Record r;
  r.mode = S_IFLNK | 0777;
  r.nlink = 1;
  r.size = target.size();
  r.body = std::string(target);
  return make(name, r, cred);
}

Status EtcdInode::link(Inode* target, std::string_view name) {
  auto& s = super();
  auto* t = static_cast<EtcdInode*>(target);
  const uint64_t dir = ino_of(this), ino = ino_of(t);
  const std::string dkey = s.layout().inode(dir), ekey = s.layout().entry(dir, name),
                    tkey = s.layout().inode(ino);
  for (int i = 0; i < kAttempts; ++i) {
    auto got = read_keys(s.client(), {dkey, ekey, tkey});
    if (!got.ok()) return Err{got.error()};
    auto d = record_of(got->kv[0]);
    if (!d.ok()) return Err{d.error()};
    auto r = record_of(got->kv[2]);
    if (!r.ok()) return Err{r.error()};
    if (got->kv[1]) {
      auto e = decode_entry(got->kv[1]->value);
      // After an attempt that seemed to fail (client.h), the name may be this link.
      return i > 0 && e.ok() && e->ino == ino ? Status{} : Err{EEXIST};
    }
    if (d->nlink == 0 || r->nlink == 0) return Err{ENOENT};
    const int64_t now = now_ns();
    const uint64_t pos = d->next_pos++;
    d->mtime = d->ctime = now;
    d->size += kEntrySize;
    ++r->nlink;
    r->ctime = now;
    const unsigned char type = dtype_of(r->mode);
    auto c = s.commit(
        {unchanged(dkey, got->kv[0]), unchanged(tkey, got->kv[2]), Compare::absent(ekey)},
        {Op::put(ekey, encode(Entry{ino, type, pos})),
         Op::put(s.layout().position(dir, pos), encode(Slot{std::string(name), ino, type})),
         Op::put(dkey, encode(*d)), Op::put(tkey, encode(*r))});
    if (!c.ok()) return Err{c.error()};
    if (*c) {
      store(*d, *c);
      t->store(*r, *c);
      return {};
    }
  }
  return Err{EIO};
}

// unlink and rmdir: `name` bound to `victim` goes; an emptied directory or a file's
// last name leaves an orphan until this instance lets the inode go.
static Status remove_entry(EtcdInode* dir, std::string_view name, EtcdInode* victim,
                           bool is_rmdir) {
  auto& s = dir->super();
  const uint64_t d_ino = ino_of(dir), v_ino = ino_of(victim);
  const std::string dkey = s.layout().inode(d_ino), ekey = s.layout().entry(d_ino, name),
                    vkey = s.layout().inode(v_ino);
  const std::string below = s.layout().entries(v_ino);
  for (int i = 0; i < kAttempts; ++i) {
    std::vector<Op> ranges;
    if (is_rmdir) ranges.push_back(Op::range(below, prefix_end(below), 1));
    auto got = read_keys(s.client(), {dkey, ekey, vkey}, ranges);
    if (!got.ok()) return Err{got.error()};
    auto d = record_of(got->kv[0]);
    if (!d.ok()) return Err{d.error()};
    // After an attempt that seemed to fail (client.h), the name may be gone by it.
    if (i > 0 && !got->kv[1]) return {};
    auto e = entry_of(got->kv[1]);
    if (!e.ok()) return Err{e.error()};
    // The name is bound to something else now: the core walks again (ESTALE).
    if (e->ino != v_ino) return Err{ESTALE};
    auto v = record_of(got->kv[2]);
    if (!v.ok()) return Err{ESTALE};
    if (is_rmdir && !got->ranges[0].empty()) return Err{ENOTEMPTY};
    const int64_t now = now_ns();
    d->mtime = d->ctime = now;
    d->size -= kEntrySize;
    if (is_rmdir) {
      --d->nlink;
      v->nlink = 0;
    } else {
      --v->nlink;
    }
    v->ctime = now;
    std::vector<Op> ops = {Op::del(ekey), Op::del(s.layout().position(d_ino, e->pos)),
                           Op::put(dkey, encode(*d)), Op::put(vkey, encode(*v))};
    // This instance has the victim: it holds it while it has it.
    if (v->nlink == 0) s.add_hold(ops, v_ino);
    // The victim's record is compared too: a directory another instance fills changes
    // it (its times), so it is still empty when this commits.
    auto t = s.commit({unchanged(dkey, got->kv[0]), unchanged(ekey, got->kv[1]),
                             unchanged(vkey, got->kv[2])},
                            ops);
    if (!t.ok()) return Err{t.error()};
    if (*t) {
      dir->store(*d, *t);
      if (v->nlink == 0) victim->mark_held();
      victim->store(*v, *t);
      return {};
    }
  }
  return Err{EIO};
}

Status EtcdInode::unlink(std::string_view name, Inode* victim) {
  return remove_entry(this, name, static_cast<EtcdInode*>(victim), false);
}

Status EtcdInode::rmdir(std::string_view name, Inode* victim) {
  return remove_entry(this, name, static_cast<EtcdInode*>(victim), true);
}

Status EtcdInode::rename(std::string_view old_name, Inode* source, Inode* new_dir,
                         std::string_view new_name, Inode* target, unsigned flags) {
  if (flags & RENAME_WHITEOUT) return Err{EINVAL};
  const bool exchange = flags & RENAME_EXCHANGE;
  auto& s = super();
  auto* src = static_cast<EtcdInode*>(source);
  auto* dst_dir = static_cast<EtcdInode*>(new_dir);
  auto* tgt = static_cast<EtcdInode*>(target);
  const uint64_t d1 = ino_of(this), d2 = ino_of(dst_dir), s_ino = ino_of(src);
  const uint64_t t_ino = tgt ? ino_of(tgt) : 0;
  const bool same_dir = d1 == d2;
  const auto& L = s.layout();
  // Keys read: 0 old dir, 1 new dir, 2 old entry, 3 new entry, 4 source, 5 target.
  std::vector<std::string> keys = {L.inode(d1), L.inode(d2), L.entry(d1, old_name),
                                   L.entry(d2, new_name), L.inode(s_ino)};
  if (tgt) keys.push_back(L.inode(t_ino));
  const std::string below = tgt ? L.entries(t_ino) : std::string();
  for (int i = 0; i < kAttempts; ++i) {
    std::vector<Op> ranges;
    if (tgt && tgt->is_dir() && !exchange) ranges.push_back(Op::range(below, prefix_end(below), 1));
    auto got = read_keys(s.client(), keys, ranges);
    if (!got.ok()) return Err{got.error()};
    auto rd1 = record_of(got->kv[0]);
    auto rd2 = record_of(got->kv[1]);
    if (!rd1.ok() || !rd2.ok()) return Err{ENOENT};
    std::optional<Entry> e2;
    if (got->kv[3]) {
      auto e = decode_entry(got->kv[3]->value);
      if (!e.ok()) return Err{e.error()};
      e2 = *e;
    }
    auto e1 = entry_of(got->kv[2]);
    // After an attempt that seemed to fail (client.h), the store may show its result.
    if (i > 0 && e2 && e2->ino == s_ino &&
        (exchange ? e1.ok() && e1->ino == t_ino : !got->kv[2]))
      return {};
    if (!e1.ok() || e1->ino != s_ino) return Err{ESTALE};
    // What the core decided from its cache must still hold in the store.
    if (tgt ? !e2 || e2->ino != t_ino : e2.has_value()) return Err{ESTALE};
    auto rs = record_of(got->kv[4]);
    if (!rs.ok()) return Err{ESTALE};
    std::optional<Record> rt;
    if (tgt) {
      auto r = record_of(got->kv[5]);
      if (!r.ok()) return Err{ESTALE};
      rt = *r;
    }
    if (!ranges.empty() && !got->ranges[0].empty()) return Err{ENOTEMPTY};
    if (rd2->nlink == 0) return Err{ENOENT};

    const int64_t now = now_ns();
    // One record per directory: with a single directory both names are in rd1.
    Record& a = *rd1;
    Record& b = same_dir ? *rd1 : *rd2;
    a.mtime = a.ctime = b.mtime = b.ctime = now;
    rs->ctime = now;
    const bool s_dir = S_ISDIR(rs->mode);
    const bool t_dir = rt && S_ISDIR(rt->mode);
    const unsigned char s_type = dtype_of(rs->mode);
    std::vector<Op> ops;
    if (exchange) {
      rt->ctime = now;
      if (!same_dir && s_dir != t_dir) {
        // A directory moved each way changes the link counts ("..").
        if (s_dir) --a.nlink, ++b.nlink;
        else ++a.nlink, --b.nlink;
      }
      const unsigned char t_type = dtype_of(rt->mode);
      ops.push_back(Op::put(keys[2], encode(Entry{t_ino, t_type, e1->pos})));
      ops.push_back(Op::put(L.position(d1, e1->pos),
                            encode(Slot{std::string(old_name), t_ino, t_type})));
      ops.push_back(Op::put(keys[3], encode(Entry{s_ino, s_type, e2->pos})));
      ops.push_back(Op::put(L.position(d2, e2->pos),
                            encode(Slot{std::string(new_name), s_ino, s_type})));
    } else {
      // The new name keeps the replaced entry's position, or takes a new one.
      const uint64_t pos = e2 ? e2->pos : b.next_pos++;
      ops.push_back(Op::del(keys[2]));
      ops.push_back(Op::del(L.position(d1, e1->pos)));
      ops.push_back(Op::put(keys[3], encode(Entry{s_ino, s_type, pos})));
      ops.push_back(Op::put(L.position(d2, pos),
                            encode(Slot{std::string(new_name), s_ino, s_type})));
      if (s_dir && !same_dir) --a.nlink, ++b.nlink;
      a.size -= kEntrySize;
      if (!e2) b.size += kEntrySize;
      if (rt) {
        rt->ctime = now;
        if (t_dir) {
          --b.nlink;
          rt->nlink = 0;
        } else {
          --rt->nlink;
        }
        if (rt->nlink == 0) s.add_hold(ops, t_ino);
      }
    }
    ops.push_back(Op::put(keys[0], encode(a)));
    if (!same_dir) ops.push_back(Op::put(keys[1], encode(b)));
    ops.push_back(Op::put(keys[4], encode(*rs)));
    if (rt) ops.push_back(Op::put(keys[5], encode(*rt)));
    std::vector<Compare> cmp;
    for (size_t k = 0; k < keys.size(); ++k)
      if (k != 1 || !same_dir) cmp.push_back(unchanged(keys[k], got->kv[k]));
    auto t = s.commit(cmp, ops);
    if (!t.ok()) return Err{t.error()};
    if (*t) {
      store(a, *t);
      if (!same_dir) dst_dir->store(b, *t);
      src->store(*rs, *t);
      if (tgt) {
        if (rt->nlink == 0) tgt->mark_held();
        tgt->store(*rt, *t);
      }
      return {};
    }
  }
  return Err{EIO};
}

int EtcdInode::revalidate(std::string_view name, const Inode* child, uint32_t age_ms,
                          unsigned flags) const {
  // In step, the watch has dropped every entry that changed (entry_fresh says so).
  if (flags & kMayNotBlock) return super().entry_fresh(age_ms) ? 1 : -ECHILD;
  if (super().entry_fresh(age_ms) && !(flags & kRevalForce)) return 1;
  auto& s = super();
  s.count_fetch();
  auto got = s.client().range(s.layout().entry(ino_of(this), name), "");
  if (!got.ok()) return 0;
  if (got->kvs.empty()) return child ? 0 : 1;
  auto e = decode_entry(got->kvs[0].value);
  return e.ok() && child && e->ino == ino_of(child) ? 1 : 0;
}

Result<size_t> EtcdInode::readdir(int64_t& pos, std::vector<DirEntry>& out,
                                  size_t max_entries) {
  auto& s = super();
  const uint64_t dir = ino_of(this);
  const std::string all = s.layout().positions(dir);
  const uint64_t from = pos < 2 ? 2 : static_cast<uint64_t>(pos);
  // A page at a time: an etcd response stays small however large the directory.
  const int64_t limit = static_cast<int64_t>(std::min<size_t>(max_entries, 1024));
  auto got = s.client().range(s.layout().position(dir, from), prefix_end(all), limit);
  if (!got.ok()) return Err{got.error()};
  size_t n = 0;
  for (const auto& kv : got->kvs) {
    auto slot = decode_slot(kv.value);
    if (!slot.ok()) return Err{slot.error()};
    const uint64_t at = s.layout().position_of(kv.key);
    out.push_back(DirEntry{slot->ino, static_cast<int64_t>(at + 1), slot->type,
                           std::move(slot->name)});
    pos = static_cast<int64_t>(at + 1);
    ++n;
  }
  return n;
}

}  // namespace rcuvfs::etcdfs
