// The read-only questions a walk ends with, besides stat (speculative_tail.cc): faccessat2,
// statfs and fstatfs. Each is a FinalQuery: answered in RCU mode without a reference
// or a shared write when the filesystem and the security modules can, else with
// references (see query_path).
#include "core/ops_common.h"

#include <cerrno>

namespace rcuvfs {

using namespace core;

namespace {

// May the task reach the object for `mode_`? The answer rests on mode, uid and gid
// read together (on_one_attr_state).
class AccessQuery final : public FinalQuery {
 public:
  explicit AccessQuery(int mode)
      : FinalQuery(Counter::kAccessSpeculative, Counter::kAccessFallback,
                   kInjectAccessSkipValidation),
        mode_(mode) {}

  int ask(TaskState& t, const Cred& cred, const Path& at, Inode* inode, unsigned flags,
          Echild* why) override {
    Refuser who = Refuser::kNone;
    const int e = on_one_attr_state(inode, flags, [&] {
      return inode_permission(*t.vfs, sec_path(t, at, inode, flags), mode_, cred, &who);
    });
    if (e == -ECHILD) *why = echild_reason(who);
    return e;
  }

 private:
  const int mode_;
};

class StatfsQuery final : public FinalQuery {
 public:
  explicit StatfsQuery(Statfs& out)
      : FinalQuery(Counter::kStatfsSpeculative, Counter::kStatfsFallback), out_(out) {}

  int ask(TaskState&, const Cred&, const Path&, Inode* inode, unsigned flags,
          Echild* why) override {
    out_ = Statfs{};
    const int e = inode->statfs(out_, flags);
    if (e == -ECHILD) *why = Echild::kFsRefused;
    if (e) return e;
    // As Linux's statfs_by_dentry and vfs_statfs: a fragment is a block unless the
    // filesystem says otherwise, and the flags are the mount's (rcuvfs mounts have
    // none of ST_RDONLY, ST_NOSUID, ...; atime is always updated).
    if (out_.f_frsize == 0) out_.f_frsize = out_.f_bsize;
    out_.f_flags = kStValid;
    return 0;
  }
  void discard() override { out_ = Statfs{}; }

 private:
  Statfs& out_;
};

}  // namespace

Status Task::faccessat2(int dirfd, std::string_view path, int mode, int flags) {
  // Linux checks the mode before the flags.
  if (mode & ~(R_OK | W_OK | X_OK)) return Err{EINVAL};
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Err{EINVAL};
  unsigned lf = s_->lookup_flags;
  if (!(flags & AT_SYMLINK_NOFOLLOW)) lf |= kLookupFollow;
  if (flags & AT_EMPTY_PATH) lf |= kLookupEmpty;
  static_assert(R_OK == kMayRead && W_OK == kMayWrite && X_OK == kMayExec);
  AccessQuery q(mode);
  if (int e = query_path(*s_, dirfd, path, lf, q)) return Err{e};
  return {};
}

namespace {
Result<Statfs> statfs_at(TaskState& t, int dirfd, std::string_view path, unsigned lf) {
  Result<Statfs> r(std::in_place);
  StatfsQuery q(*r);
  if (int e = query_path(t, dirfd, path, t.lookup_flags | lf, q)) r = Err{e};
  return r;
}
}  // namespace

Result<Statfs> Task::statfs(std::string_view path) {
  return statfs_at(*s_, AT_FDCWD, path, kLookupFollow);
}

Result<Statfs> Task::fstatfs(int fd) { return statfs_at(*s_, fd, "", kLookupEmpty); }

}  // namespace rcuvfs
