// memfs: the RAM filesystem. The dentry cache is its directory structure (like
// Linux's tmpfs): every entry is a pinned dentry, so memfs itself keeps only inodes.
// Sizes, link counts and block counts follow tmpfs (a directory is 40 bytes plus 20
// per entry; a regular file uses whole 4 KiB pages).
//
// Every RCU callback is implemented: getattr_rcu (the core's seqcount snapshot),
// permission with kMayNotBlock, get_link in RCU mode. Variants built on it:
// legacyfs (no RCU callbacks at all) and recyclefs (evicted inode objects reused at
// once, without a grace period).
//
// MemInode fields beyond the core's: one word, `payload_`, for the private state of
// the two kinds of file that have any (a file is never both, and only init() changes
// the kind of an object):
//   regular file  its contents: a std::string, allocated when the file first becomes
//                 non-empty and freed when it is truncated to 0 (most files stay
//                 empty); nullptr otherwise. Guarded by Inode::lock.
//   symlink       its target: a LinkBody, tagged with kBodyTag (bit 0), published
//                 once per use of the object with a release store and read under RCU;
//                 a replaced body is freed after a grace period.
// An RCU reader (get_link) may load the word of an object recycled into a regular
// file: without the tag it never dereferences it. Contents are never read under RCU,
// so they are freed at once.
#pragma once

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/superblock.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rcuvfs::memfs {

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

  // st_blocks: the size in 4 KiB pages (as tmpfs), for regular files. The walker takes
  // this snapshot itself (kSbAttrSnapshot): a subclass that overrides getattr_rcu
  // clears that flag.
  int getattr_rcu(Statx& out, unsigned mask, unsigned flags) const override;
  // The attribute snapshot's AttrExtra (the superblock's attr_extra): st_blocks from
  // the snapshot's size, st_rdev from the payload (payload and mode are written in the
  // same AttrWrite section, by init).
  static void read_extra(const Inode& inode, Statx& out);
  Status getattr(Statx& out, unsigned mask, unsigned flags) override;
  int permission(int mask, const Cred& cred, unsigned flags) const override;
  int get_link(std::string_view& out, unsigned flags) const override;

  Result<size_t> read(void* buf, size_t count, off_t offset) override;
  Result<size_t> write(const void* buf, size_t count, off_t offset) override;
  Status truncate(off_t length) override;
  void evict() override;

  MemSuper& super() const;

  // memfs's consistency rules for this inode (see MemSuper::check_inode).
  void check(const FsckFacts& facts, std::vector<std::string>& problems) const;

 private:
  Result<MemInode*> new_child(mode_t mode, dev_t rdev, const Cred& cred);
  void touch_dir(int64_t entries_delta, int64_t nlink_delta);
  void set_size_locked(uint64_t size);

  // The payload word by file type: a regular file's contents (a std::string*, or 0
  // while empty), a symlink's body (LinkBody* | kBodyTag), a device node's number
  // (dev << 2 | kDevTag; mknod takes only numbers that fit 32 bits), 0 otherwise.
  static constexpr uintptr_t kBodyTag = 1;
  static constexpr uintptr_t kDevTag = 2;
  static constexpr uintptr_t kTags = kBodyTag | kDevTag;
  static uintptr_t dev_payload(dev_t rdev) { return uintptr_t{rdev} << 2 | kDevTag; }
  // The symlink body, or nullptr (no body yet, or not a symlink).
  const LinkBody* body(std::memory_order order) const {
    const uintptr_t p = payload_.load(order);
    return (p & kBodyTag) ? reinterpret_cast<const LinkBody*>(p & ~kBodyTag) : nullptr;
  }
  // The contents of a regular file (Inode::lock held), or nullptr while it is empty.
  std::string* data() const {
    const uintptr_t p = payload_.load(std::memory_order_relaxed);
    return (p & kTags) ? nullptr : reinterpret_cast<std::string*>(p);
  }
  // The same, allocated now if the file had none (Inode::lock held exclusively).
  std::string* contents();
  // Free what the word points to; the caller has replaced it (or is the destructor).
  // A body goes after a grace period unless `now` (no reader is left).
  static void release_payload(uintptr_t p, bool now);

  std::atomic<uintptr_t> payload_{0};
};

// One allocation per file: 104 bytes (96 of Inode and the payload word).
#if defined(__x86_64__) || defined(__aarch64__)
static_assert(sizeof(MemInode) == 104);
#endif

class MemSuper : public Superblock {
 public:
  // rcu_callbacks=false gives legacyfs.
  MemSuper(bool rcu_callbacks, const Cred& owner);
  ~MemSuper() override;
  Inode* root_inode() override;
  // Directory sizes (40 + 20 per entry, as tmpfs), block counts of regular files
  // (whole pages), file data and symlink bodies matching the sizes.
  void check_inode(const Inode& inode, const FsckFacts& facts,
                   std::vector<std::string>& problems) const override;

  bool rcu_callbacks() const { return rcu_callbacks_; }
  uint64_t next_ino() { return next_ino_.fetch_add(1, std::memory_order_relaxed); }

  // Object allocation policy: memfs frees after a grace period; recyclefs reuses.
  virtual MemInode* alloc_inode();
  virtual void free_inode(MemInode* inode);

 private:
  const bool rcu_callbacks_;
  std::atomic<uint64_t> next_ino_{1};
  MemInode* root_ = nullptr;
};

inline MemSuper& MemInode::super() const { return *static_cast<MemSuper*>(sb); }

class MemFsType : public FsType {
 public:
  std::string_view name() const override { return "memfs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                 const Cred& owner) override;
};

// Builds on MemSuper: parses memfs options ("" only, for now).
Status check_options(std::string_view options);

}  // namespace rcuvfs::memfs
