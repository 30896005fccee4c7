// readlinkat: a read-only question the speculative tail answers (FinalQuery), with
// Linux's relatime rule for the link's atime, the one write a readlink may need.
#include "core/ops_common.h"

#include <rcuvfs/fs/clock.h>

#include <cerrno>
#include <cstring>

namespace rcuvfs {

using namespace core;

namespace {

// Linux's relatime_need_update: the atime moves when it is not newer than the mtime
// or the ctime, or is a day old. Otherwise a readlink writes nothing.
bool atime_needs_update(const Inode& inode, int64_t now) {
  const int64_t atime = inode.atime_ns.load(std::memory_order_relaxed);
  return inode.mtime_ns.load(std::memory_order_relaxed) >= atime ||
         inode.ctime_ns.load(std::memory_order_relaxed) >= atime ||
         now - atime >= int64_t{24 * 60 * 60} * 1000000000;
}

// The body is copied into the query's own buffer (a symlink body is shorter than
// kPathMax) and made a string only once the answer stands.
class ReadlinkQuery final : public FinalQuery {
 public:
  explicit ReadlinkQuery(bool empty_path)
      : FinalQuery(Counter::kReadlinkSpeculative, Counter::kReadlinkFallback,
                   kInjectReadlinkSkipValidation),
        empty_path_(empty_path) {}

  int ask(TaskState& t, const Cred& cred, const Path& at, Inode* inode, unsigned flags,
          Echild* why) override {
    // Not a symlink: EINVAL, or ENOENT when the empty path named the dirfd itself.
    if (!inode->is_symlink()) return empty_path_ ? -ENOENT : -EINVAL;
    Refuser who = Refuser::kNone;
    if (int e = security_readlink(*t.vfs, sec_path(t, at, inode, flags), cred, &who)) {
      if (e == -ECHILD) *why = echild_reason(who);
      return e;
    }
    // (A day's threshold needs no better clock than the coarse one a walk reads.)
    const int64_t coarse_now = coarse_clock_ns();
    bool touch = false;
    int e = on_one_attr_state(inode, flags, [&] {
      touch = atime_needs_update(*inode, coarse_now);
      return 0;
    });
    if (e) return e;
    if (touch && (flags & kMayNotBlock)) {
      *why = Echild::kAtime;
      return -ECHILD;
    }
    std::string_view body;
    e = inode->get_link(body, flags);
    if (e == -ECHILD) *why = Echild::kSymlink;
    if (e) return e;
    if (body.size() >= sizeof buf_) return -ENAMETOOLONG;
    std::memcpy(buf_, body.data(), body.size());
    len_ = body.size();
    if (touch) {
      const int64_t now = now_ns();
      std::unique_lock lk(inode->lock);
      AttrWrite w(*inode);
      inode->atime_ns.store(now, std::memory_order_relaxed);
    }
    return 0;
  }

  std::string body() const { return std::string(buf_, len_); }

 private:
  const bool empty_path_;
  size_t len_ = 0;
  char buf_[kPathMax];
};

}  // namespace

Result<std::string> Task::readlinkat(int dirfd, std::string_view path) {
  RCUVFS_TRY(check_path(path, true));
  ReadlinkQuery q(path.empty());
  if (int e = query_path(*s_, dirfd, path, s_->lookup_flags | kLookupEmpty, q)) return Err{e};
  return q.body();
}

}  // namespace rcuvfs
