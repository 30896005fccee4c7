// A history checker for stats racing namespace writes.
//
// Writers stamp every operation with a logical clock before and after it and log
// which object each path was bound to; readers stamp each stat the same way and keep
// what they saw in thread-local buffers (no shared writes on the read side). After
// the run, every observation is checked against the writers' log:
//   - a positive stat must name an object (ino) that was bound to that path at some
//     instant within the stat's [before, after] window, with the type and rdev that
//     object was created with, and a consistent (uid, gid) pair: writers always set
//     both together, gid = uid + kGidOffset, so a torn mix of two chowns shows;
//   - an ENOENT must fall where the path was possibly unbound;
//   - any other outcome is a violation.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rcuvfs::stress {

inline constexpr uint32_t kGidOffset = 1000000;

struct Binding {
  uint64_t ino;
  uint64_t bind_begin;    // clock before the operation that bound it
  uint64_t bind_end;      // clock after it
  uint64_t unbind_begin;  // clock before the operation that unbound it (UINT64_MAX: never)
  uint64_t unbind_end;
};

struct ObjectInfo {
  uint32_t type;  // S_IF*
  uint64_t rdev_major, rdev_minor;
};

struct Observation {
  uint32_t path;
  int err;  // 0 or errno
  uint64_t before, after;
  uint64_t ino;
  uint32_t type, uid, gid;
  uint32_t rdev_major, rdev_minor;
};

// One writer's log. Only its owner writes to it during the run.
class WriterLog {
 public:
  void bind(uint32_t path, uint64_t ino, uint64_t begin, uint64_t end);
  void unbind(uint32_t path, uint64_t ino, uint64_t begin, uint64_t end);
  void object(uint64_t ino, ObjectInfo info) { objects_[ino] = info; }

  std::map<uint32_t, std::vector<Binding>> paths_;
  std::map<uint64_t, ObjectInfo> objects_;
};

class Checker {
 public:
  void add_log(const WriterLog& log);
  // Index the logs; call once after the last add_log.
  void seal();
  // Returns the number of violations; `first` describes the first one.
  uint64_t check(const std::vector<Observation>& obs, std::string* first) const;

 private:
  std::map<uint32_t, std::vector<Binding>> paths_;  // per path, sorted by bind_end
  std::map<std::pair<uint32_t, uint64_t>, std::vector<Binding>> by_object_;
  std::map<uint64_t, ObjectInfo> objects_;
};

}  // namespace rcuvfs::stress
