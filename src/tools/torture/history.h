// The history checker of `rcuvfs torture`.
//
// Writers stamp every operation with a shared logical clock read before and after it
// and log what it did to each watched path and object; a writer owns its part of the
// namespace, so its log is exact and private. Readers stamp each stat the same way and
// keep what they saw in their own buffers (no shared writes on the read side). While
// the workload is paused the observations are checked against the logs:
//
//   - a stat that succeeded must name an object (dev, ino) that was bound to the path
//     at some instant within the stat's [before, after] window, with that object's
//     type and rdev, and with mode, uid, gid and size all from ONE of the object's
//     attribute versions that existed during the window (writers encode one version
//     number into every field, so a torn mix of two versions matches none);
//   - ENOENT must fall where the path was possibly unbound; for a path through a
//     watched path ("slot/x") ENOENT also fits a slot that was a directory or a
//     dangling symlink, and ENOTDIR fits one that was neither;
//   - a stat served speculatively was validated against the path's dentry after it
//     read the inode, so its attribute version must also be one the object had while
//     the path held it (writers change objects after unlinking them, through a
//     descriptor, to make a missing validation show);
//   - an access (faccessat2 with AT_SYMLINK_NOFOLLOW, by a reader with chosen ids) that
//     answered 0 or EACCES must be the answer of ONE attribute version of an object
//     the path held during the call (while it held it, when speculative): mode, uid
//     and gid read together. Readers pick ids close to the versions they last saw, so
//     that a check mixing two versions gives an answer that neither gives;
//   - a getxattr of the attribute writers version ("user.v", its value encoding the
//     version: xattr_value) must give ONE version's value, or ENODATA where a version
//     had none, of an object the path held during the call (while it held it, when
//     speculative); a torn value decodes to no version. A listxattr must give one
//     version's names (user.v, user.x or both or neither);
//   - a readlink must give the body of a symlink the path held during the call (while
//     it held it, when speculative), or EINVAL where it held something else;
//   - anything else is a violation.
//
// "At some instant" is judged loosely at the edges: an operation may have taken effect
// at any point of its [before, after] stamp. The attribute version need not coincide
// with the binding: a ref-walk stat (Linux's, too) resolves the path and then reads the
// inode, which may have been unlinked in between.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rcuvfs::torture {

using Key = uint64_t;  // an object's identity: device and inode number
Key object_key(uint32_t dev_major, uint32_t dev_minor, uint64_t ino);

inline constexpr uint64_t kNever = UINT64_MAX;

struct Attrs {
  uint32_t mode = 0;  // type and permission bits
  uint32_t uid = 0, gid = 0;
  uint64_t size = 0;
  bool size_known = true;  // false for directories (their size follows their entries)
  uint32_t xattr = 0;      // the version in "user.v" (xattr_value), 0: no such attribute
  bool xattr_extra = false;  // "user.x" exists
};

// The value of "user.v" for version v (> 0): "v=<v>;" and a fill byte that depends on
// v, to a length that depends on v, so that a mix of two values decodes to neither.
std::string xattr_value(uint32_t v);
// The version a value encodes, or kTornValue.
inline constexpr uint64_t kTornValue = UINT64_MAX;
uint64_t xattr_version(std::string_view value);
// listxattr's names as Observation::mode bits.
inline constexpr uint32_t kListedV = 1, kListedX = 2, kListedOther = 4;

// A watched path. `parent` >= 0: the path is "<parent>/x", which never exists; only
// its errors are checked.
struct PathSpec {
  std::string text;
  int flags = 0;  // statx flags (AT_SYMLINK_NOFOLLOW or 0)
  int parent = -1;
  // >= 0: a path whose directory is exchanged with this one's. A reference walk holds
  // the directory it found and may look the child up after the exchange (Linux does
  // the same), so a call not served speculatively may also show the alias's object.
  // A speculative call re-checked the directory after finding the child: no excuse.
  int alias = -1;
  uint32_t owner = 0;  // index of the writer log that records this path
  // The path holds one object for the whole run: readers also fstat a descriptor of it,
  // judged as a stat of the path.
  bool fixed = false;
};

enum class Call : uint8_t { kStat, kAccess, kGetxattr, kListxattr, kReadlink, kFstat };

// What the checker compares a readlink's answer with: a hash of the body.
uint64_t body_hash(std::string_view body);

struct Observation {
  uint32_t path;
  Call call;
  uint8_t access_mode;  // kAccess: R_OK|W_OK|X_OK or F_OK
  int32_t err;  // 0 or errno
  bool speculative;  // served without leaving RCU mode (diag::thread_counter)
  uint64_t before, after;
  Key key;
  uint32_t mode, uid, gid;  // kAccess: uid and gid are the reader's ids; kListxattr: mode
                            // holds the kListed* bits
  uint32_t rdev_major, rdev_minor;
  uint64_t size;  // kGetxattr: the version read (xattr_version); kReadlink: body_hash
};

// One writer's log. Only its owner writes to it, and only while the workload runs;
// the checker reads it while the workload is paused.
class WriterLog {
 public:
  // A new object, with its first attribute version, came to exist during [b, e]; a
  // symlink with the body `target`.
  void created(Key key, const Attrs& attrs, uint32_t rdev_major, uint32_t rdev_minor,
               uint64_t b, uint64_t e, std::string_view target = {});
  // The object's attributes became `attrs` during [b, e].
  void attrs(Key key, const Attrs& attrs, uint64_t b, uint64_t e);
  void bind(uint32_t path, Key key, uint64_t b, uint64_t e);
  void unbind(uint32_t path, Key key, uint64_t b, uint64_t e);
  // The object ceased to exist during [b, e] (its last name gone, no descriptor left):
  // no path holds it again. Only its writer knows: an object bound to no path may
  // still be bound again later (a directory under a mount, a symlink's target).
  void destroyed(Key key, uint64_t b, uint64_t e);
  // Forget what no stat starting at or after `horizon` can need: bindings undone and
  // versions replaced before it, and objects destroyed before it. A stat that shows
  // such an object anyway is still a violation ("an object no writer created").
  void prune(uint64_t horizon);
  // The objects, attribute versions and bindings held: what prune() keeps bounded.
  size_t size() const;

  struct Binding {
    Key key;
    uint64_t bind_begin, bind_end, unbind_begin, unbind_end;
  };
  struct Version {
    Attrs attrs;
    uint64_t begin, end;  // the operation that set it
  };
  struct Object {
    uint32_t type, rdev_major, rdev_minor;
    std::vector<Version> versions;  // in order
    uint64_t destroyed_end = kNever;
    uint64_t target = 0;  // a symlink's body_hash
  };

  const std::vector<Binding>* bindings(uint32_t path) const;
  const Object* object(Key key) const;

 private:
  std::unordered_map<uint32_t, std::vector<Binding>> paths_;  // each in order
  std::unordered_map<Key, Object> objects_;
};

class Checker {
 public:
  Checker(const std::vector<PathSpec>& paths, std::vector<const WriterLog*> logs)
      : paths_(paths), logs_(std::move(logs)) {}
  // Returns the number of violations; the first one is described in *first if that
  // is still empty.
  uint64_t check(const std::vector<Observation>& obs, std::string* first) const;

 private:
  const char* judge(const Observation& o) const;
  const char* judge_access(const Observation& o) const;
  const char* judge_xattr(const Observation& o) const;
  const char* judge_readlink(const Observation& o) const;
  const char* judge_child(const Observation& o) const;

  const std::vector<PathSpec>& paths_;
  std::vector<const WriterLog*> logs_;
};

}  // namespace rcuvfs::torture
