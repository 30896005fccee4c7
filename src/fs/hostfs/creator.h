// Creator: where hostfs makes new host objects, as the rcuvfs task that asked.
//
// A new object must get its mode, owner and timestamps in one step, as on Linux:
// fixing them afterwards (chmod, chown) would move its ctime away from its mtime and
// birth time, and the process umask would have cut bits from the mode. So creations
// run on one thread of hostfs's own that has a private umask of 0 (unshare(CLONE_FS))
// and switches its filesystem uid, gid and supplementary groups to the task's for each
// call (setfsuid, setfsgid and setgroups are per-thread system calls). The host then
// also checks the task's right to create in the directory, with its own rules.
//
// When the process is not root it cannot switch: objects are then created as the
// process itself (the core has still checked the task's permissions).
//
// Requests are served one at a time, in order: creation is not on the stat path.
#pragma once

#include <rcuvfs/uapi.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace rcuvfs::hostfs {

class Creator {
 public:
  Creator();
  ~Creator();
  Creator(const Creator&) = delete;
  Creator& operator=(const Creator&) = delete;

  // Run `fn` (a system call returning 0 or -1 with errno) on the creator thread as
  // (uid, gid, groups). Returns 0 or the errno.
  int run(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
          const std::function<int()>& fn);

 private:
  void loop();

  std::mutex mu_;  // guards every field below
  std::condition_variable cv_;
  const std::function<int()>* job_ = nullptr;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  const std::vector<gid_t>* groups_ = nullptr;
  int result_ = 0;
  bool done_ = false, stop_ = false;
  std::mutex call_mu_;  // one caller at a time
  std::thread thread_;  // last: started once the fields above exist
};

}  // namespace rcuvfs::hostfs
