#include "fs/hostfs/creator.h"

#include <sched.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace rcuvfs::hostfs {

namespace {
// The raw system call: glibc's setgroups() would change every thread of the process.
int thread_setgroups(const std::vector<gid_t>& groups) {
  return static_cast<int>(::syscall(SYS_setgroups, groups.size(), groups.data()));
}
}  // namespace

Creator::Creator() : thread_([this] { loop(); }) {}

Creator::~Creator() {
  {
    std::lock_guard g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

int Creator::run(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                 const std::function<int()>& fn) {
  std::lock_guard call(call_mu_);
  std::unique_lock lk(mu_);
  job_ = &fn;
  uid_ = uid;
  gid_ = gid;
  groups_ = &groups;
  done_ = false;
  cv_.notify_all();
  cv_.wait(lk, [this] { return done_; });
  job_ = nullptr;
  return result_;
}

void Creator::loop() {
  // A umask of our own (0): the mode rcuvfs computed is the mode the object gets.
  const bool private_fs = ::unshare(CLONE_FS) == 0;
  if (private_fs) ::umask(0);
  const uid_t my_uid = ::geteuid();
  const gid_t my_gid = ::getegid();
  std::vector<gid_t> my_groups(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
  if (!my_groups.empty()) ::getgroups(static_cast<int>(my_groups.size()), my_groups.data());

  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [this] { return stop_ || (job_ && !done_); });
    if (stop_) return;
    int err = 0;
    if (!private_fs) {
      err = EPERM;
    } else if (my_uid != 0) {
      // Without privileges the process can only create as itself.
      if ((*job_)() != 0) err = errno;
    } else if (thread_setgroups(*groups_) != 0) {
      err = errno;
    } else {
      // Set the group first: once the fsuid is not root, changing the fsgid may be
      // refused. setfsuid/setfsgid report no errors: read the ids back.
      ::setfsgid(gid_);
      ::setfsuid(uid_);
      if (static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1))) != uid_ ||
          static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1))) != gid_)
        err = EPERM;
      else if ((*job_)() != 0)
        err = errno;
      ::setfsuid(my_uid);
      ::setfsgid(my_gid);
      thread_setgroups(my_groups);
    }
    result_ = err;
    done_ = true;
    cv_.notify_all();
  }
}

}  // namespace rcuvfs::hostfs
