// diag::check: the namespace's consistency check, seen from the dentry cache. The
// generic rules live here; each filesystem adds its own through
// Superblock::check_inode.
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include "core/dcache.h"
#include "core/internals.h"
#include "core/dcache_lru.h"
#include "core/mount.h"
#include "core/rcu.h"
#include "core/vfs_state.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rcuvfs {

void Superblock::check_inode(const Inode&, const FsckFacts&, std::vector<std::string>&) const {}
void Superblock::check(std::vector<std::string>&) const {}

namespace diag {
namespace {

using core::Dentry;
using core::Mount;

constexpr auto kRelaxed = std::memory_order_relaxed;

// The path of `d` inside its filesystem, for messages.
std::string where(const Dentry* d) {
  std::vector<std::string_view> names;
  for (; !d->is_root(); d = d->parent.load(kRelaxed))
    names.push_back(core::d_name(d, kRelaxed).view());
  if (names.empty()) return "/";
  std::string p;
  for (auto it = names.rbegin(); it != names.rend(); ++it) p.append("/").append(*it);
  return p;
}

std::string describe(const Superblock* sb, const Dentry* d) {
  return "dev " + std::to_string(major(sb->dev)) + ":" + std::to_string(minor(sb->dev)) + " " +
         where(d);
}

class Checker {
 public:
  explicit Checker(std::vector<std::string>& problems) : problems_(problems) {}

  void check_super(Superblock* sb, Dentry* root) {
    sbs_.insert(sb);
    Inode* ri = root->inode.load(kRelaxed);
    if (!ri || !ri->is_dir()) report(sb, root, "root is not a directory");
    if (ri) facts_[ri];  // the root has no name but is still checked
    check_search_flag(sb, root, root->flags.load(kRelaxed), ri);
    if (ri) check_promises(sb, root, ri);
    walk(sb, root);
    if (!(sb->flags & kSbDcacheComplete)) return;
    for (auto& [inode, f] : facts_) {
      if (inode->sb != sb) continue;
      const Dentry* at = seen_at_.count(inode) ? seen_at_[inode] : root;
      const uint32_t nlink = inode->nlink.load(kRelaxed);
      if (inode->is_dir()) {
        if (nlink != 2 + f.subdirs)
          report(sb, at, "directory nlink " + std::to_string(nlink) + ", expected 2 + " +
                             std::to_string(f.subdirs) + " subdirectories");
        if (f.names > 1) report(sb, at, "directory has " + std::to_string(f.names) + " names");
      } else if (nlink != f.names) {
        report(sb, at, "nlink " + std::to_string(nlink) + " but " + std::to_string(f.names) +
                           " names");
      }
    }
    for (auto& [inode, f] : facts_) {
      if (inode->sb != sb) continue;
      std::vector<std::string> own;
      sb->check_inode(*inode, f, own);
      const Dentry* at = seen_at_.count(inode) ? seen_at_[inode] : root;
      for (auto& msg : own) report(sb, at, msg);
    }
    std::vector<std::string> own;
    sb->check(own);
    for (auto& msg : own) report(sb, root, msg);
  }

  // Every hashed dentry of a checked filesystem must be listed under its parent.
  void check_hash() {
    core::d_for_each_hashed(
        [](Dentry* d, void* arg) {
          auto* self = static_cast<Checker*>(arg);
          // A dentry is of its parent directory's filesystem.
          const Inode* dir = d->parent.load(kRelaxed)->inode.load(kRelaxed);
          if (!dir || !self->sbs_.count(dir->sb) || self->listed_.count(d)) return;
          // Messages are built after the scan: the bucket lock is held here.
          self->unlisted_.emplace_back(dir->sb, d);
        },
        this);
    for (auto [sb, d] : unlisted_)
      report(sb, d, "hashed but not in its parent's list of children");
  }

 private:
  void report(const Superblock* sb, const Dentry* d, const std::string& msg) {
    problems_.push_back(describe(sb, d) + ": " + msg);
  }

  // The walker trusts kDSearchAll, and kDSearchAllWatched while the attributes are
  // trusted, instead of the directory's mode.
  void check_search_flag(const Superblock* sb, const Dentry* d, uint32_t flags,
                         const Inode* inode) {
    const bool bit = flags & core::kDSearchAll;
    if (bit != core::searchable_by_all(inode))
      report(sb, d, bit ? "kDSearchAll on an entry not searchable by all" : "kDSearchAll missing");
    if ((flags & core::kDSearchAllWatched) && !core::searchable_by_all_watched(inode))
      report(sb, d, "kDSearchAllWatched on an entry not searchable by all");
  }

  // What a superblock flag promises about the filesystem's overrides, which the walker
  // relies on instead of calling them (Linux computes its IOP_FASTPERM itself; here a
  // filesystem declares it, and the check holds it to it). The namespace is quiescent:
  // every answer must be exactly the one the walker would have used.
  void check_promises(const Superblock* sb, const Dentry* d, const Inode* inode) {
    // kSbAttrsWithEntries promises both, while the entries are trusted.
    const bool trusted = sb->attrs_trusted();
    if ((sb->flags & kSbAttrSnapshot) || trusted) {
      Statx mine{}, theirs{};
      const int e = inode->getattr_rcu(theirs, STATX_BASIC_STATS | STATX_BTIME, kMayNotBlock);
      const int m = attr_snapshot_rcu(*inode, mine, sb->attr_extra);
      if (e != m || std::memcmp(&mine, &theirs, sizeof mine) != 0)
        report(sb, d, "kSbAttrSnapshot, but getattr_rcu is not attr_snapshot_rcu");
    }
    if ((sb->flags & kSbGenericPermission) || trusted) {
      const uid_t owner = inode->uid.load(kRelaxed);
      const gid_t group = inode->gid.load(kRelaxed);
      Cred creds[4];
      creds[1].uid = owner;
      creds[1].gid = group;
      creds[2].uid = owner + 1;  // in the group only
      creds[2].gid = group;
      creds[3].uid = owner + 1;  // neither
      creds[3].gid = group + 1;
      for (const Cred& cred : creds)
        for (int mask : {kMayRead, kMayWrite, kMayExec, kMayRead | kMayExec})
          for (unsigned flags : {0u, unsigned{kMayNotBlock}})
            if (inode->permission(mask, cred, flags) != generic_permission(*inode, mask, cred))
              return report(sb, d, "kSbGenericPermission, but permission(" +
                                       std::to_string(mask) + ") for uid " +
                                       std::to_string(cred.uid) + " is not generic_permission");
    }
  }

  // kSbEntryTtl: in RCU mode, revalidate answers 1 exactly while the entry is fresh
  // (the walker checks the age itself) and -ECHILD after.
  void check_entry_ttl(const Superblock* sb, const Dentry* d, const Inode* dir,
                       std::string_view name, const Inode* inode) {
    if (!(sb->flags & kSbEntryTtl)) return;
    const int64_t ttl_ms = sb->entry_ttl_ns / 1000000;
    if (sb->entry_ttl_ns <= 0 || ttl_ms >= int64_t{UINT32_MAX}) return;
    for (uint32_t age : {uint32_t{0}, static_cast<uint32_t>(ttl_ms + 1)}) {
      const int want = sb->entry_fresh(age) ? 1 : -ECHILD;
      if (dir->revalidate(name, inode, age, kMayNotBlock) != want)
        return report(sb, d, "kSbEntryTtl, but revalidate at age " + std::to_string(age) +
                                 " ms is not " + std::to_string(want));
    }
  }

  // The children of `dir`, referenced, in list order.
  static std::vector<Dentry*> children(Dentry* dir) {
    std::vector<Dentry*> out;
    core::DLockGuard g(dir);
    for (core::ListNode* n = dir->children.first; n; n = dir->children.next(n)) {
      if (Dentry::is_cursor(n)) continue;
      Dentry* c = Dentry::from_sibling(n);
      if (core::dget_not_dead(c)) out.push_back(c);
    }
    return out;
  }

  void walk(Superblock* sb, Dentry* dir) {
    Inode* dir_inode = dir->inode.load(kRelaxed);
    for (Dentry* c : children(dir)) {
      check_child(sb, dir, dir_inode, c);
      core::dput(c);
    }
  }

  void check_child(Superblock* sb, Dentry* dir, Inode* dir_inode, Dentry* c) {
    listed_.insert(c);
    const uint32_t flags = c->flags.load(kRelaxed);
    const core::NameRef name = core::d_name(c, kRelaxed);
    if (c->parent.load(kRelaxed) != dir)
      report(sb, dir, "child '" + std::string(name.view()) + "' points to another parent");
    if (!(flags & core::kDInList)) report(sb, c, "listed without kDInList");
    if (name.hash() != core::name_hash(name.view())) report(sb, c, "stale name hash");
    Inode* inode = c->inode.load(kRelaxed);
    check_search_flag(sb, c, flags, inode);
    const bool hashed = !(flags & core::kDUnhashed);
    Dentry* found = core::d_lookup(dir, name.view());
    if (hashed && found != c) report(sb, c, "hashed but lookup finds another entry");
    // Where the dcache is the directory, such an entry is an object that lost its
    // name. Elsewhere it is one the filesystem invalidated while in use (a working
    // directory the host renamed away): listed until its last reference, as Linux.
    if (!hashed && inode && found == nullptr && (sb->flags & kSbDcacheComplete))
      report(sb, c, "positive, listed, but not hashed");
    if (found) core::dput(found);
    if (!inode || !hashed) return;
    if (inode->sb != sb) report(sb, c, "inode of another superblock");
    check_promises(sb, c, inode);
    if (dir_inode) check_entry_ttl(sb, c, dir_inode, name.view(), inode);
    FsckFacts& f = facts_[inode];
    f.names++;
    seen_at_.emplace(inode, c);
    if (dir_inode) {
      FsckFacts& df = facts_[dir_inode];
      df.entries++;
      if (inode->is_dir()) df.subdirs++;
    }
    if (inode->is_dir() && f.names == 1) walk(sb, c);
  }

  std::vector<std::string>& problems_;
  std::unordered_set<const Superblock*> sbs_;
  std::unordered_set<const Dentry*> listed_;
  std::vector<std::pair<const Superblock*, Dentry*>> unlisted_;
  std::unordered_map<Inode*, FsckFacts> facts_;
  std::unordered_map<const Inode*, const Dentry*> seen_at_;
};

// Each filesystem instance in the mount tree once, with the root dentry of the
// instance (a bind mount's root may be any directory in it).
void collect(Mount* m, std::unordered_map<Superblock*, Dentry*>& out)
    RCUVFS_REQUIRES(core::g_mount_lock) {
  Dentry* root = m->root;
  while (!root->is_root()) root = root->parent.load(kRelaxed);
  out.emplace(m->sb, root);
  for (Mount* c : m->children) collect(c, out);
}

}  // namespace

std::vector<std::string> check(Vfs& vfs, bool scan_hash) {
  std::unordered_map<Superblock*, Dentry*> supers;
  std::vector<Dentry*> roots;
  {
    MutexLock g(core::g_mount_lock);
    collect(core::state_of(vfs).root_mount, supers);
    // Keep the instances alive while we look at them without the lock.
    for (auto& [sb, root] : supers) {
      core::sb_get(sb);
      roots.push_back(core::dget(root));
    }
  }
  std::vector<std::string> problems;
  Checker c(problems);
  for (auto& [sb, root] : supers) c.check_super(sb, root);
  if (scan_hash) c.check_hash();
  for (Dentry* r : roots) core::dput(r);
  for (auto& [sb, root] : supers) core::sb_put(sb);
  return problems;
}

int64_t live_dentries() { return core::d_live_count(); }
size_t dcache_buckets() {
  return core::dtable::buckets();
}
uint64_t dcache_resizes() { return core::dtable::resizes(); }
void wait_dcache_resized() { core::dtable::wait_resized(); }

void quiesce() {
  // A deferred free may drop the last reference to something that is then freed
  // after another grace period: wait until a barrier finds nothing more to run. The
  // dentries that died on an LRU are freed when the LRU gets to them: now.
  for (int i = 0; i < 4; ++i) {
    core::lru_drain_all();
    rcu_barrier();
  }
}

}  // namespace diag
}  // namespace rcuvfs
