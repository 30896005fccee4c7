// memfs: the RAM filesystem. The dentry cache is its directory structure (like
// Linux's tmpfs): every entry is a pinned dentry, so memfs itself keeps only inodes.
// Sizes, link counts, block counts and space limits follow tmpfs: a directory is 40
// bytes plus 20 per entry; a regular file is a sparse set of 4 KiB pages
// (file_data.h) and its st_blocks counts the pages it holds; files may grow to
// LLONG_MAX bytes; the pages of all files together are limited by the option
// `size=` (see MemOptions), past which a write is short or fails with ENOSPC.
//
// Every RCU callback is implemented: getattr_rcu (the core's seqcount snapshot),
// permission with kMayNotBlock, get_link in RCU mode. Variants built on it:
// legacyfs (no RCU callbacks at all) and recyclefs (evicted inode objects reused at
// once, without a grace period).
//
// MemInode fields beyond the core's: one word, `payload_`, for the private state of
// the three kinds of file that have any (a file is never two of them, and only init()
// changes the kind of an object). It is an atomic that RCU readers load: the
// attribute snapshot (read_extra) and get_link.
//   regular file  its contents: a FileData, allocated when the first page is written
//                 and let go when the file holds no page any more (most files stay
//                 empty); nullptr otherwise. Published with a release store. Its
//                 pages are guarded by Inode::lock; its page count is read under RCU
//                 for st_blocks, inside the attribute snapshot, and is stored only in
//                 the AttrWrite section that stores the size it goes with, so a stat
//                 never pairs a size with the block count of another moment. A
//                 FileData let go (truncate, evict) is freed after a grace period
//                 (FileData::retire); its pages are freed and given back to the
//                 filesystem's space at once.
//   symlink       its target: a LinkBody, tagged with kBodyTag (bit 0), published
//                 once per use of the object with a release store and read under RCU;
//                 a replaced body is freed after a grace period.
//   device node   its number, tagged with kDevTag (bit 1); stored by init, in the
//                 same AttrWrite section as the mode.
// An RCU reader may load the word of an object recycled into another kind of file
// (recyclefs): it dereferences a pointer only under the tag (or absence of tags) that
// says what it points to, and every pointer it may load stays valid until its
// read-side section ends (both kinds are freed after a grace period).
//
// And `xattrs_`, the extended attributes (SimpleXattrs: an immutable set, replaced
// whole under Inode::lock and read under RCU), let go at eviction.
//
// The page count lives in the FileData rather than the inode: an inode is 112 bytes
// for every file of the namespace (a dentry and an inode are most of the memory a
// file costs), and a count belongs only to files that hold data.
//
// MemSuper: max_pages_ is immutable; used_pages_ is an atomic charged with a CAS
// against the limit before a page is allocated and given back when pages are freed
// (never read under RCU). With nr_inodes, free_ispace_ is the room left for objects
// and attributes, tmpfs's: max_inodes_ x kInodeSpace, charged the same way (a CAS)
// kInodeSpace for each new object and each extra hard link, and SimpleXattrs::space
// for each attribute (before the attribute is looked at: as tmpfs, a full pool makes
// even XATTR_CREATE of an existing name ENOSPC); given back when a hard link goes, an
// attribute is removed or replaced, and when an object is evicted. statfs's f_ffree is
// what is left over kInodeSpace. files_ (every FileData, for diag::check) is guarded by
// files_lock_. Lock order (docs/locking.md): Inode::lock -> files_lock_ (a leaf); the
// attribute seqlock (AttrWrite) nests inside either.
#pragma once

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/mutex.h>
#include <rcuvfs/fs/superblock.h>
#include <rcuvfs/fs/xattr.h>

#include "fs/memfs/file_data.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rcuvfs::memfs {

inline constexpr auto kRelaxed = std::memory_order_relaxed;
inline constexpr uint64_t kDirentSize = 20;  // tmpfs's BOGO_DIRENT_SIZE
inline constexpr uint64_t kEmptyDirSize = 2 * kDirentSize;

class MemSuper;

struct LinkBody {
  RcuHead rcu;
  size_t len;
  char text[1];
  static LinkBody* make(std::string_view s);
  static void retire(LinkBody* b);  // free after a grace period
};

class MemInode : public Inode {
 public:
  explicit MemInode(MemSuper* sb);
  ~MemInode() override;

  // From an ObjectCache: one per file, without malloc's header and rounding.
  static void* operator new(size_t size);
  static void operator delete(void* p);

  // (Re)initialise the object for a new file. Called on a fresh or recycled object.
  void init(mode_t mode, uid_t uid, gid_t gid, dev_t rdev);

  Result<Inode*> create(std::string_view name, mode_t mode, dev_t rdev,
                        const Cred& cred) override;
  Result<Inode*> mkdir(std::string_view name, mode_t mode, const Cred& cred) override;
  Result<Inode*> symlink(std::string_view name, std::string_view target,
                         const Cred& cred) override;
  Status link(Inode* target, std::string_view name) override;
  Status unlink(std::string_view name, Inode* victim) override;
  Status rmdir(std::string_view name, Inode* victim) override;
  Status rename(std::string_view old_name, Inode* source, Inode* new_dir,
                std::string_view new_name, Inode* target, unsigned flags) override;

  // st_blocks: the pages a regular file holds, 8 blocks each (as tmpfs). The walker
  // takes this snapshot itself (kSbAttrSnapshot): a subclass that overrides getattr_rcu
  // clears that flag.
  int getattr_rcu(Statx& out, unsigned mask, unsigned flags) const override;
  // The attribute snapshot's AttrExtra (the superblock's attr_extra): st_blocks from
  // the FileData's page count, st_rdev from the payload (see the header comment for
  // why both are consistent with the rest of the snapshot).
  static void read_extra(const Inode& inode, Statx& out);
  Status getattr(Statx& out, unsigned mask, unsigned flags) override;
  int permission(int mask, const Cred& cred, unsigned flags) const override;
  int get_link(std::string_view& out, unsigned flags) const override;
  // As tmpfs: TMPFS_MAGIC, 4096-byte blocks, the size= limit and the pages in use
  // (no limit: 0 blocks); nr_inodes as f_files and the room left for objects and
  // attributes in kInodeSpace units as f_ffree (no limit: 0 files). From atomics
  // only: answered in RCU mode.
  int statfs(Statfs& out, unsigned flags) const override;

  // Extended attributes in memory (SimpleXattrs: read in RCU mode, a value never torn).
  int getxattr(std::string_view name, void* buf, size_t size, unsigned flags) const override;
  int listxattr(XattrNameFn fn, void* ctx, unsigned flags) const override;
  Status setxattr(std::string_view name, std::string_view value, int flags) override;
  Status removexattr(std::string_view name) override;

  Result<size_t> read(void* buf, size_t count, off_t offset) override;
  Result<size_t> write(const void* buf, size_t count, off_t offset) override;
  Status truncate(off_t length) override;
  // A regular file's pages go back to the filesystem here, not after the grace
  // period the object waits for: space freed by the last unlink or close is there
  // for the next write. It takes no Inode::lock (only files_lock_, a leaf, and the
  // attribute seqlock) and waits for no grace period, as evict must not.
  void evict() override;

  MemSuper& super() const;

  // The contents of a regular file, or nullptr while it holds no page. Inode::lock
  // held, or the namespace quiescent (diag::check and its tests).
  FileData* file_data() const {
    const uintptr_t p = payload_.load(std::memory_order_relaxed);
    return (p & kTags) ? nullptr : reinterpret_cast<FileData*>(p);
  }

  // memfs's consistency rules for this inode (see MemSuper::check_inode).
  void check(const FsckFacts& facts, std::vector<std::string>& problems) const;

 private:
  Result<MemInode*> new_child(mode_t mode, dev_t rdev, const Cred& cred);
  void touch_dir(int64_t entries_delta, int64_t nlink_delta);
  void touch_ctime();

  // The payload word by file type: a regular file's contents (a FileData*, or 0 while
  // it holds no page), a symlink's body (LinkBody* | kBodyTag), a device node's
  // number (dev << 2 | kDevTag; mknod takes only numbers that fit 32 bits), 0
  // otherwise.
  static constexpr uintptr_t kBodyTag = 1;
  static constexpr uintptr_t kDevTag = 2;
  static constexpr uintptr_t kTags = kBodyTag | kDevTag;
  static uintptr_t dev_payload(dev_t rdev) { return uintptr_t{rdev} << 2 | kDevTag; }
  // The symlink body, or nullptr (no body yet, or not a symlink).
  const LinkBody* body(std::memory_order order) const {
    const uintptr_t p = payload_.load(order);
    return (p & kBodyTag) ? reinterpret_cast<const LinkBody*>(p & ~kBodyTag) : nullptr;
  }
  // The contents, allocated and published now if the file had none (Inode::lock held
  // exclusively).
  FileData* contents();
  // Publishes the new size and page count (and the times of a change to the data) in
  // one AttrWrite section; a FileData left with no page is let go in the same section.
  void data_changed(uint64_t size);
  // Lets the contents go: pages freed now, the object after a grace period.
  void drop_contents();
  // Free a symlink body the word held; the caller has replaced it (or is the
  // destructor). After a grace period unless `now` (no reader is left).
  static void release_body(uintptr_t p, bool now);

  std::atomic<uintptr_t> payload_{0};
  SimpleXattrs xattrs_;  // one word; empty (a null pointer) for most files
};

// One allocation per file: 112 bytes (96 of Inode, the payload word, the attributes'
// word).
#if defined(__x86_64__) || defined(__aarch64__)
static_assert(sizeof(MemInode) == 112);
#endif

// Options, as tmpfs's: `size=SIZE`, the most the pages of all files may take: bytes
// (rounded up to whole pages), with an optional suffix k, m, g, t, p or e (either
// case: 2^10 ... 2^60), or followed by `%` for a percentage of physical RAM; 0 for no
// limit. Numbers are read as C integers (0x... hexadecimal, 0... octal). Without it,
// half of physical RAM. `nr_inodes=N` (the same numbers, no `%`): the room for
// objects and their extended attributes, tmpfs's "ispace" (see MemSuper); 0 for no
// limit; without it, as many as physical RAM has pages, halved. Options are
// comma-separated; a later one wins. Anything else, and a size that does not fit 64
// bits: EINVAL.
struct MemOptions {
  uint64_t max_pages;   // 0: no limit
  uint64_t max_inodes;  // 0: no limit
  MemOptions();         // tmpfs's defaults: half of physical RAM, as many inodes as pages
};

// What an object, or a name of it beyond the first (a hard link), takes of the room
// nr_inodes gives (tmpfs's BOGO_INODE_SIZE); an extended attribute takes
// SimpleXattrs::space.
inline constexpr uint64_t kInodeSpace = 1024;
Result<MemOptions> parse_options(std::string_view options);

class MemSuper : public Superblock {
 public:
  // rcu_callbacks=false gives legacyfs.
  MemSuper(bool rcu_callbacks, const Cred& owner, const MemOptions& options = {});
  ~MemSuper() override;
  Inode* root_inode() override;
  // Directory sizes (40 + 20 per entry, as tmpfs); a regular file's page count
  // against the pages it holds, no page and no non-zero byte past its size; symlink
  // bodies matching the sizes.
  void check_inode(const Inode& inode, const FsckFacts& facts,
                   std::vector<std::string>& problems) const override;
  // The space in use against the pages every file (named, or open but unlinked) holds.
  void check(std::vector<std::string>& problems) const override;

  bool rcu_callbacks() const { return rcu_callbacks_; }
  uint64_t next_ino() { return next_ino_.fetch_add(1, std::memory_order_relaxed); }

  // Space: one more page, if the limit allows it.
  bool charge_page();
  void uncharge_pages(uint64_t n);
  uint64_t used_pages() const { return used_pages_.load(std::memory_order_relaxed); }
  uint64_t max_pages() const { return max_pages_; }
  // Room for objects and attributes (nr_inodes): `n` bytes of it, if there is that
  // much (always, without the limit); and giving them back.
  bool reserve_ispace(uint64_t n);
  void release_ispace(uint64_t n);
  uint64_t max_inodes() const { return max_inodes_; }
  uint64_t free_ispace() const { return free_ispace_.load(std::memory_order_relaxed); }
  // Every FileData of the instance, for check().
  void track(FileData* d);
  void untrack(FileData* d);

  // Object allocation policy: memfs frees after a grace period; recyclefs reuses.
  virtual MemInode* alloc_inode();
  virtual void free_inode(MemInode* inode);

 private:
  const bool rcu_callbacks_;
  const uint64_t max_pages_;
  const uint64_t max_inodes_;
  std::atomic<uint64_t> free_ispace_;
  std::atomic<uint64_t> next_ino_{1};
  std::atomic<uint64_t> used_pages_{0};
  mutable Mutex files_lock_;
  FileData* files_ RCUVFS_GUARDED_BY(files_lock_) = nullptr;
  MemInode* root_ = nullptr;
};

inline MemSuper& MemInode::super() const { return *static_cast<MemSuper*>(sb); }

class MemFsType : public FsType {
 public:
  std::string_view name() const override { return "memfs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                 const Cred& owner) override;
};

}  // namespace rcuvfs::memfs
