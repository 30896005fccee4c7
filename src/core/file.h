// File: an open file description (what a descriptor refers to).
//
//   path, inode, flags   immutable after open; read under RCU by walks that start at
//                        a descriptor (dirfd), which is why Files are freed after a
//                        grace period
//   pos, cursor          guarded by pos_lock
//   refcount             descriptors and in-flight operations holding the File
//   inotify              immutable after open; the instance an inotify descriptor
//                        owns (its path is the namespace's anon inode)
#pragma once

#include "core/dentry.h"
#include "core/mount.h"

#include <atomic>
#include <mutex>

namespace rcuvfs::core {

class Inotify;

struct File {
  Path path;  // references held
  Inode* inode = nullptr;  // reference held
  int flags = 0;           // O_* as opened (access mode, O_APPEND, O_PATH, ...)
  std::mutex pos_lock;
  off_t pos = 0;
  // readdir state: pos 0 = ".", 1 = "..", 2+ = entries after the cursor (allocated
  // on first use: most open files never list a directory)
  Dentry* cursor = nullptr;
  bool cursor_attached = false;
  std::atomic<int32_t> refcount{1};
  Inotify* inotify = nullptr;
  RcuHead rcu;

  bool is_path_only() const { return flags & O_PATH; }
  bool readable() const { return !is_path_only() && (flags & O_ACCMODE) != O_WRONLY; }
  bool writable() const { return !is_path_only() && (flags & O_ACCMODE) != O_RDONLY; }
};


inline File* fget(File* f) {
  f->refcount.fetch_add(1, std::memory_order_relaxed);
  return f;
}
void fput(File* f);

// Owns a File reference.
class FileRef {
 public:
  explicit FileRef(File* f) : f_(f) {}
  ~FileRef() {
    if (f_) fput(f_);
  }
  FileRef(const FileRef&) = delete;
  FileRef& operator=(const FileRef&) = delete;
  File* operator->() const { return f_; }
  File& operator*() const { return *f_; }
  explicit operator bool() const { return f_; }

 private:
  File* f_;
};

}  // namespace rcuvfs::core
