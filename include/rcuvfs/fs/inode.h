// Inode: one file object of a filesystem, and the operations a filesystem implements.
//
// A filesystem subclasses Inode and overrides the methods it supports. The core owns
// the dentry cache, the path walk and every namespace decision (permissions of the
// caller, errno rules, locking); a filesystem only answers for its own objects.
//
// ---- What RCU readers may touch -----------------------------------------------------
// The walker reads these fields with no lock and no reference, inside an RCU read-side
// section, and validates what it read afterwards (dentry seq, identity, attr_seq):
//   ino, generation                 identity; changed only when the object is
//                                   (re)initialised for a new file (see recyclefs)
//   mode, uid, gid, nlink, size, *_ns
//                                   attributes; written inside an attr_seq write
//                                   section (AttrWrite below), which also serialises
//                                   the writers
//   the vtable, sb                  immutable: an Inode's memory stays an Inode of the
//                                   same class and superblock until it is freed after
//                                   a grace period
// `refcount` belongs to the lifetime rules (iget/iput, evict); everything else (file
// data, private fs state) is guarded by `lock`.
//
// ---- Operations and their locking (the filesystem author's contract) ----------------
//   method         lock held by the caller              may block  called in RCU mode
//   lookup         dir: exclusive                       yes        no
//   create/mkdir/  dir: exclusive                       yes        no
//     symlink
//   link           dir: exclusive, target: exclusive    yes        no
//   unlink/rmdir   dir: exclusive, victim: exclusive    yes        no
//   rename         both dirs exclusive (+ sb rename     yes        no
//                  mutex when they differ); source and
//                  target exclusive when not directories,
//                  a directory target exclusive
//   getattr        none (takes `lock` shared itself)    yes        no
//   getattr_rcu    none; RCU read-side section          NO         yes (only there)
//   setattr        inode: exclusive                     yes        no
//   permission     none; RCU section when kMayNotBlock  only w/o   yes
//                                                       kMayNotBlock
//   get_link       none; RCU section when kMayNotBlock  only w/o   yes
//                                                       kMayNotBlock
//   statfs         none; RCU section when kMayNotBlock  only w/o   yes
//                                                       kMayNotBlock
//   getxattr/      none; RCU section when kMayNotBlock  only w/o   yes
//     listxattr                                         kMayNotBlock
//   setxattr/      inode: exclusive                     yes        no
//     removexattr
//   read/write/    inode: shared (read) / exclusive     yes        no
//     truncate       (write, truncate)
//   evict          none of its own; see below           yes        no
//   revalidate     none; RCU section when kMayNotBlock  only w/o   yes
//                                                       kMayNotBlock
//   readdir        dir: shared                          yes        no
//
// Every *_rcu path may be handed an inode that is being torn down or was recycled for
// another file: it must read only atomics (or through attr_seq), never block, never
// allocate, never write shared state, and may answer -ECHILD ("retry with
// references") for any reason. The walker validates whatever it returns.
//
// Errors are returned as negative errno from the int-returning RCU methods and as
// Result/Status from the others. ESTALE means "the object this inode stands for is gone
// from the backing store": the core then runs a path-based call once more, having each
// cached entry it passes revalidated with kRevalForce (Linux's retry_estale).
#pragma once

#include <rcuvfs/fs/inode_lock.h>
#include <rcuvfs/fs/rcu.h>
#include <rcuvfs/fs/seqcount.h>
#include <rcuvfs/result.h>
#include <rcuvfs/uapi.h>

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rcuvfs {

class Superblock;

// Flags for methods that may run in RCU mode.
inline constexpr unsigned kMayNotBlock = 1u << 0;
// For revalidate: confirm the entry with the backing store however young it is. The
// core sets it when it runs a path-based call again because the filesystem answered
// ESTALE (Linux's LOOKUP_REVAL).
inline constexpr unsigned kRevalForce = 1u << 1;

// Access bits for permission(); values as Linux's MAY_*.
inline constexpr int kMayExec = 1;
inline constexpr int kMayWrite = 2;
inline constexpr int kMayRead = 4;

// Attribute changes for setattr; `valid` is a mask of kAttr* bits.
inline constexpr unsigned kAttrMode = 1u << 0;
inline constexpr unsigned kAttrUid = 1u << 1;
inline constexpr unsigned kAttrGid = 1u << 2;
inline constexpr unsigned kAttrSize = 1u << 3;
inline constexpr unsigned kAttrAtime = 1u << 4;
inline constexpr unsigned kAttrMtime = 1u << 5;
inline constexpr unsigned kAttrCtime = 1u << 6;

struct AttrChange {
  unsigned valid = 0;
  mode_t mode = 0;  // permission bits only (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  off_t size = 0;
  int64_t atime_ns = 0, mtime_ns = 0, ctime_ns = 0;
};

// Wall-clock time in nanoseconds since the epoch (CLOCK_REALTIME).
int64_t now_ns();

class Inode {
 public:
  // Every Inode object is counted while it exists (diag::live_inodes).
  explicit Inode(Superblock* sb);
  virtual ~Inode();
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  // One of these per file: the fields are ordered so that there is no padding (the
  // 4-byte ones in pairs), 96 bytes in all on 64-bit Linux (checked in inode.cc). No
  // RcuHead: an inode is freed through rcu_free, which keeps the pointer elsewhere.

  // ---- identity and attributes (see the RCU rules above) ----
  std::atomic<uint64_t> ino{0};
  std::atomic<uint32_t> generation{0};
  std::atomic<uint32_t> mode{0};
  std::atomic<uint32_t> uid{0};
  std::atomic<uint32_t> gid{0};
  std::atomic<uint32_t> nlink{0};
  SeqCount attr_seq;  // a seqlock: AttrWrite serialises writers by itself
  // No `blocks` and no `rdev`: a filesystem derives them when asked or keeps them in
  // its own inode (memfs: the page count of a file's contents and the device number,
  // both reached through its payload word; hostfs: the host's figures), read inside
  // the snapshot (AttrExtra).
  std::atomic<uint64_t> size{0};
  std::atomic<int64_t> atime_ns{0};
  std::atomic<int64_t> mtime_ns{0};
  std::atomic<int64_t> ctime_ns{0};
  std::atomic<int64_t> btime_ns{0};

  // References: dentries, open files and walkers in ref-walk mode. The last put
  // calls evict(). Never read by RCU readers.
  std::atomic<int32_t> refcount{1};
  InodeLock lock;  // i_rwsem: directory contents, file data, attribute writers

  Superblock* const sb;

  mode_t type() const { return mode.load(std::memory_order_relaxed) & S_IFMT; }
  bool is_dir() const { return type() == S_IFDIR; }
  bool is_symlink() const { return type() == S_IFLNK; }

  // ---- directory operations ----
  // The entry `name` when the dcache does not know it: a new reference, or nullptr
  // for "no such entry". Default: nullptr (filesystems whose dcache is complete).
  virtual Result<Inode*> lookup(std::string_view name);
  // Make a new object in this directory. `mode` carries the file type (S_IFREG,
  // S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK) and the permission bits after umask; the
  // owner comes from `cred` (and a setgid directory). Returns a new reference.
  virtual Result<Inode*> create(std::string_view name, mode_t mode, dev_t rdev,
                                const Cred& cred);
  virtual Result<Inode*> mkdir(std::string_view name, mode_t mode, const Cred& cred);
  virtual Result<Inode*> symlink(std::string_view name, std::string_view target,
                                 const Cred& cred);
  virtual Status link(Inode* target, std::string_view name);
  virtual Status unlink(std::string_view name, Inode* victim);
  virtual Status rmdir(std::string_view name, Inode* victim);
  // Move `source` from this directory's `old_name` to `new_dir`'s `new_name`,
  // replacing `target` (nullptr when there is none). RENAME_EXCHANGE swaps them.
  virtual Status rename(std::string_view old_name, Inode* source, Inode* new_dir,
                        std::string_view new_name, Inode* target, unsigned flags);

  // ---- directories of filesystems whose dcache is a cache (no kSbDcacheComplete) ----
  // Is the cached entry `name` of this directory still bound to `child` (nullptr: it
  // was cached as absent)? `age_ms`: milliseconds since the core cached the entry or
  // last had it confirmed. 1: still right (the core restarts the age); 0: stale (the
  // core forgets the entry and calls lookup again); -ECHILD, only with kMayNotBlock:
  // "can't tell without blocking". With kRevalForce the age does not vouch for the
  // entry. Default: 1 (entries never go stale).
  virtual int revalidate(std::string_view name, const Inode* child, uint32_t age_ms,
                         unsigned flags) const;
  // Append up to `max_entries` entries, without "." and ".." (the core adds those),
  // starting at `pos`: 2 for the start, otherwise the `off` of an entry returned
  // earlier. Each entry's `off` is the position just after it; `pos` is left after the
  // last entry appended. Default: EOPNOTSUPP.
  virtual Result<size_t> readdir(int64_t& pos, std::vector<DirEntry>& out,
                                 size_t max_entries);

  // ---- attributes ----
  // Both stats get `out` zeroed and fill what the filesystem reports.
  // Speculative stat: fill `out` from this inode without blocking (see the RCU rules).
  // -ECHILD: it can't without blocking; -EAGAIN: writers kept changing the attributes
  // (attr_snapshot_rcu's answer, passed on). Either way the walker asks getattr with
  // references, and counts which one it was. Default: -ECHILD (no speculative support).
  virtual int getattr_rcu(Statx& out, unsigned mask, unsigned flags) const;
  // Blocking stat. Default: a consistent snapshot taken under `lock`.
  virtual Status getattr(Statx& out, unsigned mask, unsigned flags);
  // Apply `change` (the core has checked permissions). Default: write the fields.
  virtual Status setattr(const AttrChange& change);
  // May `cred` access this inode with `mask` (kMay*)? 0, -EACCES, or -ECHILD when
  // kMayNotBlock is set and the answer needs blocking; without it, a filesystem that
  // asks a backing store may also fail (-ESTALE: the object is gone there). Default:
  // generic_permission.
  virtual int permission(int mask, const Cred& cred, unsigned flags) const;

  // ---- symlinks ----
  // The link body. With kMayNotBlock the view must stay valid until the caller's RCU
  // section ends; otherwise until the caller drops its reference. -ECHILD to refuse.
  virtual int get_link(std::string_view& out, unsigned flags) const;

  // ---- the filesystem's space (statfs) ----
  // Fill `out` (zeroed by the caller) for the filesystem holding this inode: f_type,
  // f_bsize, f_frsize, block and file counts, f_namelen, f_fsid. The core adds
  // f_flags (ST_VALID and the mount's flags). Asked of an inode rather than the
  // superblock so that a filesystem spanning others (hostfs over several host
  // filesystems) answers for the one this object is on. With kMayNotBlock, answer
  // from memory or -ECHILD; like getattr_rcu, the inode may be torn down, so read
  // only atomics. Default: -ENOSYS (Linux's answer for a filesystem with no statfs).
  virtual int statfs(Statfs& out, unsigned flags) const;

  // ---- extended attributes ----
  // `name` is the whole name, prefix included ("user.mime_type"); the core has checked
  // it (a known prefix, at most kXattrNameMax bytes), the caller's rights and the
  // security modules. A filesystem that keeps them in memory builds on SimpleXattrs
  // (<rcuvfs/fs/xattr.h>).
  // Copy the value of `name` into `buf` and return its length; with size 0 only the
  // length. -ENODATA: no such attribute; -ERANGE: longer than `size`. With
  // kMayNotBlock, answer from memory without blocking or -ECHILD; the value copied
  // must be one some setxattr stored, never torn or a mix of two. Default:
  // -EOPNOTSUPP (no extended attributes).
  virtual int getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const;
  // Call fn(ctx, name) for every attribute, in the filesystem's order (the core drops
  // the names the caller may not see). 0 or -errno; with kMayNotBlock as getxattr, and
  // the names must be those of one moment. Default: 0, no names.
  using XattrNameFn = void (*)(void* ctx, std::string_view name);
  virtual int listxattr(XattrNameFn fn, void* ctx, unsigned flags) const;
  // Set `name` to `value`. flags: XATTR_CREATE (EEXIST when it exists), XATTR_REPLACE
  // (ENODATA when it does not). ENOSPC past the filesystem's room for attributes. The
  // filesystem stamps ctime (an attribute change, as Linux's do). Default: EOPNOTSUPP.
  virtual Status setxattr(std::string_view name, std::string_view value, int flags);
  // Remove `name` (ENODATA when absent) and stamp ctime. Default: EOPNOTSUPP.
  virtual Status removexattr(std::string_view name);

  // ---- regular files ----
  virtual Result<size_t> read(void* buf, size_t count, off_t offset);
  virtual Result<size_t> write(const void* buf, size_t count, off_t offset);
  virtual Status truncate(off_t length);
  // The size an O_APPEND write or an lseek(SEEK_END) starts from (Linux's NFS client
  // revalidates it for both). Caller holds `lock` for a write. Default: `size`, which
  // a filesystem that owns its data keeps exact; one whose attributes are a cache of
  // another store's asks that store.
  virtual Result<uint64_t> current_size();

  // ---- lifetime ----
  // The last reference is gone. Default: delete the object after a grace period
  // (rcu_free); an override that keeps the object may call this to let it go.
  // The dentry cache's shrinker may be what dropped it, in whatever thread went over
  // the cache's budget: that thread may hold other inodes' locks and is inside an RCU
  // read-side section. So evict must not take any Inode::lock nor wait for a grace
  // period (rcu_synchronize, rcu_barrier); deferring work with rcu_free or rcu_defer
  // is the way (as Linux's shrinkers run inside allocations and their filesystems
  // must not recurse into themselves).
  virtual void evict();
};

// Take / drop a reference. iget only when the caller already holds one (or holds a
// lock that keeps the inode alive).
void iget(Inode* inode);
void iput(Inode* inode);
// A reference on `inode` unless its last one is already gone (it is being evicted,
// and may not be revived): for a filesystem's own table of live inodes, which may
// still list one whose evict has not yet removed it.
bool iget_live(Inode* inode);

// ---- helpers filesystems build on ----

// Linux's generic_permission: owner/group/other bits, supplementary groups, and
// root's CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH behaviour. RCU-safe.
int generic_permission(const Inode& inode, int mask, const Cred& cred);

// Owner, group and mode of a new object in `dir` created by `cred`, as Linux's
// inode_init_owner: the group of a setgid directory is inherited (and a new
// directory inherits the setgid bit); a setgid bit the creator could not set is
// dropped. `mode` carries the file type.
void init_owner(const Inode& dir, mode_t& mode, uid_t& uid, gid_t& gid, const Cred& cred);

// A consistent copy of the attributes without locks: reads under attr_seq, retrying
// a few times; -EAGAIN when a writer kept racing (the "attribute retry exhausted"
// case: a getattr_rcu returns it as it is). This is what every in-memory
// filesystem's getattr_rcu should call.
// Fields Inode has no member for (stx_blocks, stx_rdev_*, ...) are left as they are;
// `extra`, when given, reads the filesystem's own attribute fields (written in the
// same AttrWrite sections) into `out` inside the snapshot; it must store every field
// it fills on every call, since a try that failed validation leaves its values in
// `out` for the next.
using AttrExtra = void (*)(const Inode& inode, Statx& out);
int attr_snapshot_rcu(const Inode& inode, Statx& out, AttrExtra extra = nullptr);
// The same with `lock` held (shared or exclusive) by the caller: never fails.
void attr_snapshot_locked(const Inode& inode, Statx& out, AttrExtra extra = nullptr);

// Writer section for the attributes. Serialised by attr_seq itself, so it may be
// used with or without `inode.lock` (rename changes the attributes of inodes it does
// not lock).
class AttrWrite {
 public:
  explicit AttrWrite(Inode& inode) : w_(inode.attr_seq) {}

 private:
  SeqWrite w_;
};

}  // namespace rcuvfs
