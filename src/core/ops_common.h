// Helpers shared by the namespace operations (the ops_*.cc files implement the
// syscall-shaped Task methods). Each check quotes the Linux rule it implements.
#pragma once

#include "core/dcache.h"
#include "core/namei.h"
#include "core/notify.h"
#include "core/permission.h"
#include "core/task_state.h"
#include "core/vfs_state.h"

#include <rcuvfs/task.h>

#include <fcntl.h>

#include <cerrno>
#include <mutex>
#include <optional>

namespace rcuvfs::core {

// Linux's VALID_OPEN_FLAGS (O_LARGEFILE is 0 in user space on 64-bit: accept the
// kernel's value too), and the flags O_PATH keeps.
inline constexpr uint64_t kKernelLargefile = 0100000;
inline constexpr uint64_t kValidOpenFlags = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |
                                            O_APPEND | O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT |
                                            kKernelLargefile | O_DIRECTORY | O_NOFOLLOW |
                                            O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE;
inline constexpr uint64_t kPathFlags = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
// The kernel's __O_TMPFILE bit (glibc's __O_TMPFILE also carries O_DIRECTORY).
inline constexpr uint64_t kTmpfileBit = O_TMPFILE & ~O_DIRECTORY;

// Owns references on a Path.
class PathRef {
 public:
  PathRef() = default;
  explicit PathRef(Path p) : p_(p) {}
  ~PathRef() { reset(); }
  PathRef(PathRef&& o) noexcept : p_(o.p_) { o.p_ = {}; }
  PathRef& operator=(PathRef&& o) noexcept {
    reset();
    p_ = o.p_;
    o.p_ = {};
    return *this;
  }
  const Path& get() const { return p_; }
  Dentry* dentry() const { return p_.dentry; }
  Mount* mnt() const { return p_.mnt; }
  Inode* inode() const { return p_.dentry->inode.load(std::memory_order_acquire); }
  Path release() {
    Path p = p_;
    p_ = {};
    return p;
  }
  void reset() {
    if (p_.mnt) path_put(p_);
    p_ = {};
  }

 private:
  Path p_;
};

// Owns a dentry reference.
class DentryRef {
 public:
  DentryRef() = default;
  explicit DentryRef(Dentry* d) : d_(d) {}
  ~DentryRef() {
    if (d_) dput(d_);
  }
  DentryRef(DentryRef&& o) noexcept : d_(o.d_) { o.d_ = nullptr; }
  DentryRef& operator=(DentryRef&& o) noexcept {
    if (d_) dput(d_);
    d_ = o.d_;
    o.d_ = nullptr;
    return *this;
  }
  Dentry* get() const { return d_; }
  Dentry* operator->() const { return d_; }
  Inode* inode() const { return d_->inode.load(std::memory_order_acquire); }

 private:
  Dentry* d_ = nullptr;
};

// A path argument as getname() sees it: NUL inside is EINVAL (a C caller could not
// have passed it), 4096 bytes or more is ENAMETOOLONG, "" is ENOENT unless allowed.
Status check_path(std::string_view path, bool empty_ok);

// The task's current credentials (a copy: stable for the whole operation).
Cred current_cred(const TaskState& t);

inline bool is_dead_dir(const Inode* dir) {
  return dir->nlink.load(std::memory_order_relaxed) == 0;
}

// Linux's may_create: EEXIST has been checked by the caller; ENOENT for a removed
// directory; then write+search permission on the directory `dir` (referenced).
int may_create(const TaskState& t, const Path& dir, const Cred& cred);
// Linux's may_delete for `victim` (positive) in `dir`.
int may_delete(const TaskState& t, const Path& dir, Dentry* victim, bool isdir,
               const Cred& cred);

// filename_create: the parent (locked exclusively) and a negative dentry for the new
// name. EEXIST when the name exists; ENOENT for "name/" unless a directory is made.
struct Creation {
  PathRef parent;
  Inode* dir = nullptr;
  DentryRef dentry;
  std::unique_lock<InodeLock> lock;
  std::string name;
};
// Fills `c` (a fresh Creation of the caller's); on error, what it holds so far is
// released with it.
Status filename_create(TaskState& t, int dirfd, std::string_view path, bool want_dir,
                       Creation& c);

// Bind a freshly created inode to its dentry (and pin it where the dcache is the
// directory).
void instantiate(Dentry* d, Inode* inode);

// Linux's retry_estale for a Task method that calls the filesystem after its walk:
// `call` runs the method itself, and once more (with EstalePass::kReval) when it fails
// with ESTALE. Inside such a run it returns nothing: the method goes on with its body.
//   if (auto r = retry_estale([&] { return unlinkat(dirfd, path, flags); })) return *r;
template <class Call>
auto retry_estale(Call&& call) -> std::optional<decltype(call())> {
  if (estale_pass() != EstalePass::kNone) return std::nullopt;
  auto r = [&] {
    EstalePassScope first(EstalePass::kFirst);
    return call();
  }();
  if (r.ok() || r.error() != ESTALE) return r;
  EstalePassScope reval(EstalePass::kReval);
  return call();
}

struct File;

// The steps of an open shared by openat2 (open_path.cc) and reopen (ops_reopen.cc).
Result<File*> make_file(const Path& path, Inode* inode, int flags);    // file.cc
// open(O_CREAT) of a name that does not exist: `dir` is locked exclusively by the
// caller, `d` its negative entry for the name.
Status open_create_locked(TaskState& t, const Path& dir_path, Inode* dir, Dentry* d,
                          mode_t mode, const Cred& cred);             // ops_create.cc
Status may_open(TaskState& t, const Path& p, Inode* inode, int acc, int flags,
                bool created, const Cred& cred);                       // ops_attr.cc
Status open_truncate(Inode* inode, const Cred& cred);                  // ops_attr.cc

}  // namespace rcuvfs::core
