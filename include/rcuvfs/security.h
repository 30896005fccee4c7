// Security modules: stackable hooks consulted by the walker and the namespace
// operations, after the DAC checks pass.
//
// ---- The -ECHILD contract ------------------------------------------------------------
// The hooks that can run during an RCU walk (inode_permission, inode_getattr,
// inode_follow_link, inode_getxattr, inode_listxattr, inode_readlink) receive kMayNotBlock in `flags` there. They must then not block,
// allocate or write shared state, and may answer -ECHILD: "I can't decide without
// blocking — retry with references". The walker then takes references (or restarts
// in ref-walk) and calls the hook again without kMayNotBlock. A module that must
// block to do its job (the audit module writes a log) refuses every RCU call: its
// hook then runs exactly once per operation, in ref mode.
//
// The namespace-changing hooks (path_*, file_open, sb_*) always run in ref mode, with
// references held on every path they are given and the relevant directory locks held
// (see each hook). Their SecPaths never say may_not_block(); they may block and must
// not answer -ECHILD.
//
// Return values: 0 allow, a negative errno (-EACCES, -EPERM, -EXDEV) deny, -ECHILD as
// above. Modules are called in registration order; the first non-zero answer wins.
//
// ---- Per-task state -------------------------------------------------------------------
// Cred::domain is a chain of immutable SecurityDomain layers, shared between the
// credentials that carry it. A task adds a layer with Task::restrict_self and can
// never remove one: Task::set_cred keeps the current chain whatever the new Cred says.
#pragma once

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/result.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rcuvfs {

class Task;
namespace core {
struct SecPathAccess;
struct TaskState;
}  // namespace core

// The identity of an inode: stable across renames, never reused by another file.
struct InodeId {
  dev_t dev = 0;
  uint64_t ino = 0;
  uint32_t generation = 0;
  auto operator<=>(const InodeId&) const = default;
};
// Reads atomics only: safe under RCU (the answer is then validated by the caller).
InodeId inode_id(const Inode& inode);
// The identity of the object at `path` as `task` resolves it now. flags:
// AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH.
Result<InodeId> inode_id_at(Task& task, int dirfd, std::string_view path, int flags = 0);

// Where an object is: the object (a mount + dentry the core holds, or samples under
// RCU) and a way up through its ancestors. Made by the core, passed by reference to
// a hook, valid only for the duration of that call.
//
// What is read under RCU and what guards it:
//   inode()    the inode the walker saw; under RCU it may be torn down or recycled:
//              read atomics only (the walker validates it after the hook)
//   walk_up()  follows Dentry::parent and, at a mount root, Mount::mountpoint/parent,
//              all atomics of objects freed after a grace period. Under RCU the walk
//              samples the rename and mount sequence counters first; the core
//              re-checks them as soon as the hook returns and throws the hook's
//              answer away (redoing the step in ref mode) if either moved. In ref
//              mode walk_up takes its own read-side section and retries until no
//              rename or mount raced with it, so what `fn` saw in its last pass is
//              one real state of the tree.
class SecPath {
 public:
  // The object itself (a directory for the create/remove hooks: the parent).
  const Inode& inode() const { return *inode_; }
  // True when called from an RCU walk (the hook's flags carry kMayNotBlock).
  bool may_not_block() const { return flags_ & kMayNotBlock; }

  // Visit the object (depth 0) and then each directory above it, nearest first, up
  // to the namespace root, crossing mounts (a mount root is followed by the
  // directory it is mounted on). `fn(const Inode&, std::string_view name, unsigned
  // depth)` returns false to stop. In ref mode a racing rename restarts the visit
  // from depth 0: `fn` should reset what it collected when it sees depth 0. Names and
  // inodes are valid only during the call to `fn`. Returns false when the ancestry
  // could not be read (RCU mode: a rename or mount was in progress — answer -ECHILD).
  template <class Fn>
  bool walk_up(Fn&& fn) const {
    return walk_up_impl(
        [](void* ctx, const Inode& i, std::string_view n, unsigned d) {
          return (*static_cast<Fn*>(ctx))(i, n, d);
        },
        &fn);
  }

  // The object's path as seen from the task's root ("/a/b"; the global path when the
  // object is outside that root, as Linux's d_path). Allocates: never call it with
  // kMayNotBlock.
  std::string path() const;

  using VisitFn = bool (*)(void* ctx, const Inode& inode, std::string_view name,
                           unsigned depth);

 private:
  friend struct core::SecPathAccess;
  bool walk_up_impl(VisitFn fn, void* ctx) const;

  const void* mnt_ = nullptr;      // core::Mount
  const void* dentry_ = nullptr;   // core::Dentry
  const core::TaskState* task_ = nullptr;
  const Inode* inode_ = nullptr;
  unsigned flags_ = 0;
  // Set by walk_up under RCU: the samples the core re-checks after the hook.
  mutable bool ancestry_read_ = false;
  mutable uint32_t rename_seq_ = 0, mount_seq_ = 0;
};

// One layer of a task's security state (the Landlock "domain" idea). Modules derive
// from it; `tag` says which module a layer belongs to (a module compares it with the
// address of a tag of its own). Layers are immutable once installed and freed when
// the last Cred that carries them goes (after a grace period: RCU walks read them).
class SecurityDomain {
 public:
  explicit SecurityDomain(const void* tag) : tag_(tag) {}
  virtual ~SecurityDomain() = default;
  SecurityDomain(const SecurityDomain&) = delete;
  SecurityDomain& operator=(const SecurityDomain&) = delete;

  const void* tag() const { return tag_; }
  // The layer below (installed earlier), or nullptr.
  const SecurityDomain* parent() const { return parent_.get(); }

 private:
  friend struct core::SecPathAccess;
  const void* tag_;
  std::shared_ptr<const SecurityDomain> parent_;  // set once, before publication
};

class SecurityModule {
 public:
  virtual ~SecurityModule() = default;
  virtual std::string_view name() const = 0;

  // ---- hooks that may run in RCU mode (kMayNotBlock; may answer -ECHILD) ----------
  // Access check on `at.inode()` (search on every directory walked, read/write on
  // open, write on a directory that gains or loses an entry).
  virtual int inode_permission(const SecPath& at, int mask, const Cred& cred,
                               unsigned flags) {
    (void)at, (void)mask, (void)cred, (void)flags;
    return 0;
  }
  // stat of `at.inode()`, called before its attributes are read.
  virtual int inode_getattr(const SecPath& at, const Cred& cred, unsigned flags) {
    (void)at, (void)cred, (void)flags;
    return 0;
  }
  // Following the symlink `link` during a walk.
  virtual int inode_follow_link(const SecPath& link, const Cred& cred, unsigned flags) {
    (void)link, (void)cred, (void)flags;
    return 0;
  }
  // getxattr of `name` (prefix included) on `at.inode()`, after the namespace and
  // permission rules passed; and listxattr of it (which has no DAC check).
  virtual int inode_getxattr(const SecPath& at, std::string_view name, const Cred& cred,
                             unsigned flags) {
    (void)at, (void)name, (void)cred, (void)flags;
    return 0;
  }
  virtual int inode_listxattr(const SecPath& at, const Cred& cred, unsigned flags) {
    (void)at, (void)cred, (void)flags;
    return 0;
  }
  // readlink of the symlink `link` (not a walk following it: inode_follow_link).
  virtual int inode_readlink(const SecPath& link, const Cred& cred, unsigned flags) {
    (void)link, (void)cred, (void)flags;
    return 0;
  }

  // ---- namespace-changing hooks (ref mode; after the DAC checks) ------------------
  // `dir` is the parent directory, locked exclusively; `name` the new entry.
  // mknod covers regular files (mknodat and open(O_CREAT)), devices, fifos, sockets:
  // `mode` carries the file type.
  virtual int path_mknod(const SecPath& dir, std::string_view name, mode_t mode,
                         dev_t dev, const Cred& cred) {
    (void)dir, (void)name, (void)mode, (void)dev, (void)cred;
    return 0;
  }
  virtual int path_mkdir(const SecPath& dir, std::string_view name, mode_t mode,
                         const Cred& cred) {
    (void)dir, (void)name, (void)mode, (void)cred;
    return 0;
  }
  virtual int path_symlink(const SecPath& dir, std::string_view name,
                           std::string_view target, const Cred& cred) {
    (void)dir, (void)name, (void)target, (void)cred;
    return 0;
  }
  // A new name for `old` (not a directory) in `new_dir` (locked exclusively).
  virtual int path_link(const SecPath& old, const SecPath& new_dir,
                        std::string_view new_name, const Cred& cred) {
    (void)old, (void)new_dir, (void)new_name, (void)cred;
    return 0;
  }
  // Removing `victim` (named `name`) from `dir` (locked exclusively); unlink or rmdir.
  virtual int path_unlink(const SecPath& dir, const Inode& victim, std::string_view name,
                          const Cred& cred) {
    (void)dir, (void)victim, (void)name, (void)cred;
    return 0;
  }
  virtual int path_rmdir(const SecPath& dir, const Inode& victim, std::string_view name,
                         const Cred& cred) {
    (void)dir, (void)victim, (void)name, (void)cred;
    return 0;
  }
  // renameat2: both directories locked (and the superblock's rename mutex when they
  // differ). `target` is nullptr when the new name does not exist. With
  // RENAME_EXCHANGE in `flags` both objects move.
  virtual int path_rename(const SecPath& old_dir, const Inode& source,
                          std::string_view old_name, const SecPath& new_dir,
                          const Inode* target, std::string_view new_name, unsigned flags,
                          const Cred& cred) {
    (void)old_dir, (void)source, (void)old_name, (void)new_dir, (void)target,
        (void)new_name, (void)flags, (void)cred;
    return 0;
  }
  // chmod, chown and truncate: no lock held (the inode is locked after the hooks).
  virtual int path_chmod(const SecPath& at, mode_t mode, const Cred& cred) {
    (void)at, (void)mode, (void)cred;
    return 0;
  }
  // uid/gid (uid_t)-1 / (gid_t)-1: unchanged.
  virtual int path_chown(const SecPath& at, uid_t uid, gid_t gid, const Cred& cred) {
    (void)at, (void)uid, (void)gid, (void)cred;
    return 0;
  }
  // setxattr (`value`, flags XATTR_CREATE/XATTR_REPLACE) and removexattr of `name` on
  // `at.inode()`: no lock held, after the namespace and permission rules passed (for
  // `security.` names, that the caller is root).
  virtual int inode_setxattr(const SecPath& at, std::string_view name,
                             std::string_view value, int flags, const Cred& cred) {
    (void)at, (void)name, (void)value, (void)flags, (void)cred;
    return 0;
  }
  virtual int inode_removexattr(const SecPath& at, std::string_view name, const Cred& cred) {
    (void)at, (void)name, (void)cred;
    return 0;
  }
  // truncate(2) and ftruncate(2) (for the latter, the path of the open file).
  virtual int path_truncate(const SecPath& at, off_t length, const Cred& cred) {
    (void)at, (void)length, (void)cred;
    return 0;
  }
  // open of `at` (not O_PATH) once the DAC checks passed; `flags` are the open
  // flags. `created`: O_CREAT made the file (path_mknod already ran).
  virtual int file_open(const SecPath& at, int flags, bool created, const Cred& cred) {
    (void)at, (void)flags, (void)created, (void)cred;
    return 0;
  }
  // mount of a fresh `fstype` on `target`, or a bind of `source` (then non-null, and
  // fstype empty).
  virtual int sb_mount(const SecPath* source, const SecPath& target,
                       std::string_view fstype, const Cred& cred) {
    (void)source, (void)target, (void)fstype, (void)cred;
    return 0;
  }
  // umount of the mount whose root is `root`.
  virtual int sb_umount(const SecPath& root, const Cred& cred) {
    (void)root, (void)cred;
    return 0;
  }
};

}  // namespace rcuvfs
