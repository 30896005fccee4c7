// hostfs: a host directory tree served as an rcuvfs filesystem.
//
// Every host object is reached through a descriptor hostfs holds: each HostInode
// keeps an O_PATH descriptor of its host object, and every operation is an *at() call
// relative to the descriptor of the directory it concerns. A host path string is
// never walked again, so a rename on the host cannot redirect an operation.
//
// The dcache is a cache here (no kSbDcacheComplete): names are looked up on the host
// when missing, and a cached entry (positive or negative) is trusted for `ttl`, after
// which the walker has it confirmed on the host (revalidate). Attributes are kept in
// the inode's atomic fields with the time they were fetched: getattr_rcu answers from
// them while they are younger than `ttl` and says -ECHILD otherwise; the blocking
// getattr then fetches them again. Every change made through rcuvfs refetches the
// attributes of the objects it touched before it returns. ttl = 0 sends every stat
// and lookup to the host.
//
// Ownership: the core checks the task's credentials against the cached attributes.
// New objects are made on the host as the task (see creator.h); every other change
// is made with the process's own privileges (normally root) once the core allowed it.
//
// HostInode fields beyond the core's:
//   fd_          O_PATH descriptor; immutable, closed when the object is freed
//   host_dev_/host_ino_  the host identity; immutable
//   fetched_     when the attributes were fetched (coarse_clock_ns()); written
//                inside the AttrWrite section that stores them, read under RCU
//   blocks_, rdev_  the host's st_blocks and st_rdev: attributes (written in AttrWrite
//                sections, read in snapshots)
//   body_        symlink target; immutable after construction (a changed host
//                symlink is a different host inode)
//   rd_fd_, wr_fd_  read-only and write-only descriptors, each opened on first use
//                (so that reading never makes the host file busy for exec), guarded
//                by io_mu_
// HostSuper::table_ maps host identities to live HostInodes (hard links share one
// object); guarded by table_mu_. Lock order: Inode::lock -> table_mu_.
#pragma once

#include <rcuvfs/fs/clock.h>
#include <rcuvfs/fs/inode.h>
#include <rcuvfs/fs/superblock.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

struct statx;

namespace rcuvfs::hostfs {

class HostSuper;
class Creator;

class HostInode : public Inode {
 public:
  HostInode(HostSuper* sb, int fd, const struct ::statx& st, std::string body);
  ~HostInode() override;

  // Store attributes fetched from the host.
  void store_attrs(const struct ::statx& st);
  // Fetch them again (after a change through rcuvfs, or when stale).
  Status refresh();
  bool fresh() const;

  Result<Inode*> lookup(std::string_view name) override;
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
  int revalidate(std::string_view name, const Inode* child, uint32_t age_ms,
                 unsigned flags) const override;
  Result<size_t> readdir(int64_t& pos, std::vector<DirEntry>& out,
                         size_t max_entries) override;

  int getattr_rcu(Statx& out, unsigned mask, unsigned flags) const override;
  Status getattr(Statx& out, unsigned mask, unsigned flags) override;
  Status setattr(const AttrChange& change) override;
  int permission(int mask, const Cred& cred, unsigned flags) const override;
  int get_link(std::string_view& out, unsigned flags) const override;

  Result<size_t> read(void* buf, size_t count, off_t offset) override;
  Result<size_t> write(const void* buf, size_t count, off_t offset) override;
  Status truncate(off_t length) override;
  Result<uint64_t> current_size() override;  // the host's, however fresh the cache
  void evict() override;

  HostSuper& super() const;
  int fd() const { return fd_; }
  uint64_t host_dev() const { return host_dev_; }
  uint64_t host_ino() const { return host_ino_; }

 private:
  // The host object `name` in this directory as a HostInode (a new reference).
  Result<Inode*> lookup_host(std::string_view name);
  // Make `name` with `make` as (uid, gid) with cred's groups, then look it up.
  Result<Inode*> finish_create(const Cred& cred, uid_t uid, gid_t gid, std::string_view name,
                               const std::function<int()>& make);
  // The descriptor for reading (write = false) or writing.
  Result<int> io_fd(bool write);
  // The attribute snapshot's AttrExtra: st_blocks and st_rdev.
  static void read_extra(const Inode& inode, Statx& out);

  const int fd_;
  const uint64_t host_dev_, host_ino_;
  std::atomic<int64_t> fetched_{0};
  std::atomic<uint64_t> blocks_{0};
  std::atomic<uint64_t> rdev_{0};
  const std::string body_;
  std::mutex io_mu_;
  int rd_fd_ = -1, wr_fd_ = -1;
};

struct HostOptions {
  std::string dir;
  int64_t ttl_ns = 2'000'000'000;  // 2 s
};
// "DIR" or "ttl=SECONDS,dir=DIR" (dir= last, so DIR may contain commas).
Result<HostOptions> parse_options(std::string_view options);

class HostSuper : public Superblock {
 public:
  HostSuper(int root_fd, const struct ::statx& root_st, int64_t ttl_ns);
  ~HostSuper() override;
  Inode* root_inode() override;

  // The one lifetime of cached entries and attributes.
  int64_t ttl_ns() const { return entry_ttl_ns; }
  Creator& creator() { return *creator_; }

  // The live inode of host object (dev, ino), or a new one made from `fd` and `st`
  // (which it then owns). `fd` is closed when an existing inode is returned. A new
  // reference either way.
  HostInode* get_inode(int fd, const struct ::statx& st);
  // An inode's last reference is gone: forget it (unless a newer one replaced it).
  void forget(HostInode* inode);

 private:
  std::unique_ptr<Creator> creator_;
  HostInode* root_ = nullptr;
  std::mutex table_mu_;
  std::map<std::pair<uint64_t, uint64_t>, HostInode*> table_;
};

inline HostSuper& HostInode::super() const { return *static_cast<HostSuper*>(sb); }

class HostFsType : public FsType {
 public:
  std::string_view name() const override { return "hostfs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                 const Cred& owner) override;
};

}  // namespace rcuvfs::hostfs
