// Task: one user-space "process" of an rcuvfs namespace — credentials, umask, root,
// cwd and a descriptor table — with methods shaped like the Linux syscalls.
//
// Paths are byte strings; a path containing a NUL byte is EINVAL (the C syscalls
// cannot express one). Flags and errors are Linux's: see <rcuvfs/uapi.h>.
//
// Thread safety: a Task may be used from several threads at once (like the threads of
// one process). Each calling thread is registered with the RCU runtime on first use.
#pragma once

#include <rcuvfs/counters.h>
#include <rcuvfs/result.h>
#include <rcuvfs/uapi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs {

class Vfs;
namespace core {
struct TaskState;
struct Internals;
}

class Task {
 public:
  ~Task();
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  // --- stat -----------------------------------------------------------------------
  // statx(2). flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_NO_AUTOMOUNT,
  // AT_STATX_*; anything else is EINVAL. mask: STATX_* wanted (all basic fields are
  // always filled, as on tmpfs).
  Result<Statx> statx(int dirfd, std::string_view path, int flags = 0,
                      unsigned mask = STATX_BASIC_STATS | STATX_BTIME);
  Result<Statx> fstat(int fd) { return statx(fd, "", AT_EMPTY_PATH); }
  // faccessat2(2): may the task reach the object for `mode` (F_OK, or R_OK|W_OK|X_OK:
  // anything else is EINVAL)? flags: AT_EACCESS, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH
  // (anything else is EINVAL). A task has one set of ids, used for every check, so
  // AT_EACCESS changes nothing. Root may read and write anything and execute what has
  // an x bit (or is a directory). Answered without a lock or a shared write when the
  // filesystem and the security modules can, as stat is.
  Status faccessat2(int dirfd, std::string_view path, int mode, int flags = 0);
  // statfs(2) (follows a trailing symlink) and fstatfs(2) (O_PATH descriptors too):
  // the filesystem's type, block size, space and file counts, name length and fsid,
  // with f_flags kStValid. ENOSYS from a filesystem that does not say. Speculative as
  // stat is.
  Result<Statfs> statfs(std::string_view path);
  Result<Statfs> fstatfs(int fd);

  // --- extended attributes ------------------------------------------------------
  // Linux's calls, named as its own: the *xattrat forms (Linux 6.13) take AT_ flags
  // (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH; anything else is EINVAL), the l forms do not
  // follow a trailing symlink, the f forms take a descriptor (EBADF for O_PATH, as
  // Linux; the *at forms with AT_EMPTY_PATH take one). Names carry their namespace:
  //   user.      regular files and directories only (elsewhere: EPERM to set, ENODATA
  //              to get); read or write permission on the object; in a sticky
  //              directory only its owner and root may set them
  //   trusted.   root only (others: EPERM to set, ENODATA to get, left out of lists)
  //   security.  root sets and removes them; anyone reads them; the security modules
  //              are asked (their inode_*xattr hooks)
  // Other prefixes (system. included: no ACLs) are EOPNOTSUPP, a bare "user." EINVAL.
  // A name of 0 or more than kXattrNameMax bytes is ERANGE, one with a NUL EINVAL.
  // getxattr: copies the value and returns its length; size 0 returns the length
  // only; ERANGE when it is longer than size; ENODATA when absent. Answered without a
  // lock or a shared write when the filesystem and the security modules can, as stat.
  Result<size_t> getxattrat(int dirfd, std::string_view path, int at_flags,
                            std::string_view name, void* value, size_t size);
  Result<size_t> getxattr(std::string_view path, std::string_view name, void* value,
                          size_t size) {
    return getxattrat(AT_FDCWD, path, 0, name, value, size);
  }
  Result<size_t> lgetxattr(std::string_view path, std::string_view name, void* value,
                           size_t size) {
    return getxattrat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, name, value, size);
  }
  Result<size_t> fgetxattr(int fd, std::string_view name, void* value, size_t size);
  // setxattr: flags XATTR_CREATE (EEXIST when it exists), XATTR_REPLACE (ENODATA when
  // not); others EINVAL. A value over kXattrSizeMax is E2BIG; ENOSPC past what the
  // filesystem holds. Stamps ctime and reports IN_ATTRIB.
  Status setxattrat(int dirfd, std::string_view path, int at_flags, std::string_view name,
                    std::string_view value, int flags = 0);
  Status setxattr(std::string_view path, std::string_view name, std::string_view value,
                  int flags = 0) {
    return setxattrat(AT_FDCWD, path, 0, name, value, flags);
  }
  Status lsetxattr(std::string_view path, std::string_view name, std::string_view value,
                   int flags = 0) {
    return setxattrat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, name, value, flags);
  }
  Status fsetxattr(int fd, std::string_view name, std::string_view value, int flags = 0);
  // listxattr: the names the caller may see, each followed by a NUL, in the
  // filesystem's order; returns the length (size 0: the length only; ERANGE when it
  // is longer than size). No permission is needed. Speculative as getxattr.
  Result<size_t> listxattrat(int dirfd, std::string_view path, int at_flags, char* list,
                             size_t size);
  Result<size_t> listxattr(std::string_view path, char* list, size_t size) {
    return listxattrat(AT_FDCWD, path, 0, list, size);
  }
  Result<size_t> llistxattr(std::string_view path, char* list, size_t size) {
    return listxattrat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, list, size);
  }
  Result<size_t> flistxattr(int fd, char* list, size_t size);
  // removexattr: ENODATA when absent; the rules of setxattr.
  Status removexattrat(int dirfd, std::string_view path, int at_flags, std::string_view name);
  Status removexattr(std::string_view path, std::string_view name) {
    return removexattrat(AT_FDCWD, path, 0, name);
  }
  Status lremovexattr(std::string_view path, std::string_view name) {
    return removexattrat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, name);
  }
  Status fremovexattr(int fd, std::string_view name);

  // --- descriptors ----------------------------------------------------------------
  Result<int> openat2(int dirfd, std::string_view path, const OpenHow& how);
  Result<int> openat(int dirfd, std::string_view path, int flags, mode_t mode = 0);
  // The task's RLIMIT_NOFILE: an open (or reopen) whose lowest free descriptor would
  // be >= the limit is EMFILE, and nothing is looked up or created. Descriptors are
  // numbered from 3 upward, lowest free first. The default is Linux's default soft
  // limit, kDefaultFdLimit; above kMaxFdLimit (fs.nr_open's default) setting it is
  // EPERM. Lowering it below open descriptors leaves them open.
  static constexpr uint64_t kDefaultFdLimit = 1024;
  static constexpr uint64_t kMaxFdLimit = 1024 * 1024;
  Status set_fd_limit(uint64_t n);
  uint64_t fd_limit() const;
  Status close(int fd);
  Result<size_t> read(int fd, void* buf, size_t count);
  Result<size_t> write(int fd, const void* buf, size_t count);
  Result<size_t> pread(int fd, void* buf, size_t count, off_t offset);
  Result<size_t> pwrite(int fd, const void* buf, size_t count, off_t offset);
  Result<off_t> lseek(int fd, off_t offset, int whence);
  // Appends up to max_entries entries (including "." and "..") to out; returns how
  // many were appended, 0 at the end of the directory.
  Result<size_t> getdents(int fd, std::vector<DirEntry>& out, size_t max_entries = 1024);
  Status ftruncate(int fd, off_t length);
  // The path of fd's object seen from the task's root, as readlink(/proc/self/fd/N)
  // prints it (" (deleted)" once unlinked); ENAMETOOLONG when that, with a NUL, would
  // not fit in kPathMax bytes, as Linux.
  Result<std::string> fdpath(int fd);
  // A new descriptor for fd's object opened with `flags`, as Linux's
  // open("/proc/self/fd/N", flags): it works on an O_PATH descriptor and on an
  // unlinked file, checks permissions for the new access mode and honours O_TRUNC,
  // O_APPEND, O_DIRECTORY and O_PATH. O_CREAT|O_EXCL is EEXIST (the object exists);
  // a symlink is ELOOP unless O_PATH; O_TMPFILE is EINVAL; unknown flags are ignored,
  // as open(2) does.
  Result<int> reopen(int fd, int flags);
  // fsync(2) / fdatasync(2): nothing to flush in a namespace that lives in memory,
  // but EBADF for a closed or O_PATH descriptor, as Linux.
  Status fsync(int fd, bool datasync = false);

  // --- inotify --------------------------------------------------------------------
  // inotify_init1(2): a descriptor for a new instance that reports changes to the
  // objects it watches. flags: IN_NONBLOCK, IN_CLOEXEC (anything else is EINVAL).
  // read() on it returns whole struct inotify_event records (EINVAL when the buffer
  // cannot hold the next one; with IN_NONBLOCK, EAGAIN when none is queued; otherwise
  // it waits for one). Limits: Vfs::set_notify_limits (EMFILE past the instances).
  Result<int> inotify_init1(int flags = 0);
  // inotify_add_watch(2): watch the object at `path` (followed unless IN_DONT_FOLLOW;
  // IN_ONLYDIR: ENOTDIR unless a directory; read permission needed) for the IN_*
  // events in `mask`, with IN_MASK_ADD, IN_MASK_CREATE, IN_ONESHOT, IN_EXCL_UNLINK.
  // The same object again returns its watch descriptor with the new mask. EINVAL for a
  // descriptor that is not an inotify instance, ENOSPC past the watch limit.
  Result<int> inotify_add_watch(int fd, std::string_view path, uint32_t mask);
  // inotify_rm_watch(2): the watch ends with IN_IGNORED; EINVAL for an unknown wd.
  Status inotify_rm_watch(int fd, int wd);

  // --- namespace ------------------------------------------------------------------
  Status mkdirat(int dirfd, std::string_view path, mode_t mode);
  Status mknodat(int dirfd, std::string_view path, mode_t mode, dev_t dev);
  Status symlinkat(std::string_view target, int newdirfd, std::string_view linkpath);
  Result<std::string> readlinkat(int dirfd, std::string_view path);
  Status linkat(int olddirfd, std::string_view oldpath, int newdirfd,
                std::string_view newpath, int flags);
  Status unlinkat(int dirfd, std::string_view path, int flags);
  Status renameat2(int olddirfd, std::string_view oldpath, int newdirfd,
                   std::string_view newpath, unsigned flags);
  Status fchmodat(int dirfd, std::string_view path, mode_t mode, int flags = 0);
  Status fchownat(int dirfd, std::string_view path, uid_t owner, gid_t group,
                  int flags = 0);
  Status truncate(std::string_view path, off_t length);
  // utimensat(2): times[0] is the access time, times[1] the modification time; each
  // may be UTIME_NOW or UTIME_OMIT; times == nullptr means both now. flags:
  // AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. Setting explicit times needs ownership
  // (EPERM); setting "now" needs ownership or write permission (EACCES).
  Status utimensat(int dirfd, std::string_view path, const struct timespec times[2],
                   int flags = 0);
  Status chdir(std::string_view path);
  Status fchdir(int fd);
  Status chroot(std::string_view path);

  // --- mounts ---------------------------------------------------------------------
  // Mount a fresh filesystem of a registered type ("memfs", ...) on a directory.
  Status mount(std::string_view fstype, std::string_view target,
               std::string_view options = "");
  // Bind mount: make `source` (a directory or a file) visible at `target` (of the
  // same kind). `recursive` also replicates the mounts below source (MS_REC).
  Status bind(std::string_view source, std::string_view target, bool recursive = false);
  // flags: MNT_DETACH (lazy), UMOUNT_NOFOLLOW; MNT_FORCE and MNT_EXPIRE are accepted
  // and ignored.
  Status umount(std::string_view target, int flags = 0);

  // --- walk mode ------------------------------------------------------------------
  // How this task's stat and open walks run. kSpeculative is the default and the
  // point of rcuvfs; the others exist to compare against (rcuvfs bench) and to test.
  enum class WalkMode {
    kSpeculative,  // RCU-walk, speculative getattr, fall back only when needed
    kLinux,        // RCU-walk, then take references for a blocking getattr (Linux today)
    kRefOnly,      // reference-counted walk of every component
  };
  void set_walk_mode(WalkMode mode);

  // --- identity -------------------------------------------------------------------
  mode_t umask(mode_t mask);  // returns the previous mask
  // Replaces uid, gid and groups; the security domain (Cred::domain) is kept.
  void set_cred(Cred cred);
  Cred cred() const;
  // Stack a security layer on the task's domain (Landlock's restrict_self): every
  // later access is checked against it as well as the layers below, for good. The
  // core links `layer` on top of the current chain. EINVAL when layer is null.
  Status restrict_self(std::unique_ptr<SecurityDomain> layer);

  Vfs& vfs() const;

 private:
  friend class Vfs;
  friend struct core::Internals;  // the core's own access to the state
  explicit Task(std::unique_ptr<core::TaskState> state);
  std::unique_ptr<core::TaskState> s_;
};

}  // namespace rcuvfs
