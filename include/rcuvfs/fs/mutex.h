// Mutex and MutexLock: std::mutex and std::lock_guard carrying the annotations of
// Clang's thread-safety analysis (-Wthread-safety). A field documented as "guarded by
// m" is declared RCUVFS_GUARDED_BY(m), a function that needs m held
// RCUVFS_REQUIRES(m), and the clang build (CI's, with -Werror=thread-safety) rejects
// any access made without it. Under GCC the annotations are empty and the types are
// the standard ones with nothing added.
//
// Fields read under RCU are not annotated: their readers hold no lock by design, and
// the sequence counters that prove those reads are checked by the torture tests.
#pragma once

#include <mutex>

#if defined(__clang__)
#define RCUVFS_TSA(x) __attribute__((x))
#else
#define RCUVFS_TSA(x)
#endif

#define RCUVFS_CAPABILITY(name) RCUVFS_TSA(capability(name))
#define RCUVFS_SCOPED_CAPABILITY RCUVFS_TSA(scoped_lockable)
#define RCUVFS_GUARDED_BY(m) RCUVFS_TSA(guarded_by(m))
#define RCUVFS_PT_GUARDED_BY(m) RCUVFS_TSA(pt_guarded_by(m))
#define RCUVFS_REQUIRES(...) RCUVFS_TSA(requires_capability(__VA_ARGS__))
#define RCUVFS_EXCLUDES(...) RCUVFS_TSA(locks_excluded(__VA_ARGS__))
#define RCUVFS_ACQUIRE(...) RCUVFS_TSA(acquire_capability(__VA_ARGS__))
#define RCUVFS_RELEASE(...) RCUVFS_TSA(release_capability(__VA_ARGS__))
#define RCUVFS_TRY_ACQUIRE(...) RCUVFS_TSA(try_acquire_capability(__VA_ARGS__))
#define RCUVFS_ACQUIRED_AFTER(...) RCUVFS_TSA(acquired_after(__VA_ARGS__))

namespace rcuvfs {

class RCUVFS_CAPABILITY("mutex") Mutex {
 public:
  void lock() RCUVFS_ACQUIRE() { m_.lock(); }
  void unlock() RCUVFS_RELEASE() { m_.unlock(); }
  bool try_lock() RCUVFS_TRY_ACQUIRE(true) { return m_.try_lock(); }

 private:
  std::mutex m_;
};

// Holds a Mutex for its scope.
class RCUVFS_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& m) RCUVFS_ACQUIRE(m) : m_(m) { m_.lock(); }
  ~MutexLock() RCUVFS_RELEASE() { m_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& m_;
};

}  // namespace rcuvfs
