// pathrules: a path-rule sandbox in the spirit of Linux's Landlock.
//
//   auto rules = std::make_shared<rcuvfs::pathrules::Ruleset>();     // handles every right
//   rules->allow(*task, "/src", kReadFile | kReadDir | kStat);
//   rules->allow(*task, "/build", kAllAccess);
//   vfs->add_security_module(rcuvfs::pathrules::module());          // once per Vfs
//   rcuvfs::pathrules::restrict_self(*task, *rules);
//
// A ruleset lists (object, rights) pairs. The object is a directory (the rights hold
// for everything beneath it) or a file, resolved when the rule is added and kept by
// identity (device, inode number, generation): a rule follows its directory through
// renames, as Landlock's follow the inode. A task that restricts itself gets a new
// layer; an access of a right the layer handles is allowed only if some rule on the
// object or one of its ancestors grants it, in every layer (layers intersect). Rights
// a layer does not handle are not restricted by it. Denials are EACCES, except a
// rename or link that the `refer` rules forbid: EXDEV (so that callers can copy).
//
// Checks read only immutable rule tables and walk up the object's ancestors (no lock,
// no allocation), so the stat right is decided in RCU mode and a stat of an allowed
// path stays speculative.
#pragma once

#include <rcuvfs/result.h>
#include <rcuvfs/security.h>
#include <rcuvfs/task.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcuvfs::pathrules {

using AccessMask = uint32_t;
// Landlock's filesystem rights, plus `stat` (rcuvfs: statx of the object).
inline constexpr AccessMask kExecute = 1u << 0;     // (no exec in rcuvfs: never asked)
inline constexpr AccessMask kWriteFile = 1u << 1;   // open for writing
inline constexpr AccessMask kReadFile = 1u << 2;    // open a file for reading
inline constexpr AccessMask kReadDir = 1u << 3;     // open a directory (list it)
inline constexpr AccessMask kRemoveDir = 1u << 4;   // rmdir, rename a directory away
inline constexpr AccessMask kRemoveFile = 1u << 5;  // unlink, rename a file away
inline constexpr AccessMask kMakeChar = 1u << 6;
inline constexpr AccessMask kMakeDir = 1u << 7;
inline constexpr AccessMask kMakeReg = 1u << 8;     // mknod reg, open(O_CREAT), link
inline constexpr AccessMask kMakeSock = 1u << 9;
inline constexpr AccessMask kMakeFifo = 1u << 10;
inline constexpr AccessMask kMakeBlock = 1u << 11;
inline constexpr AccessMask kMakeSym = 1u << 12;
inline constexpr AccessMask kRefer = 1u << 13;      // link or rename to another directory
inline constexpr AccessMask kTruncate = 1u << 14;   // truncate, ftruncate, O_TRUNC
inline constexpr AccessMask kStat = 1u << 15;       // statx, getxattr, listxattr
inline constexpr AccessMask kAllAccess = (1u << 16) - 1;

// Names as in Landlock's LANDLOCK_ACCESS_FS_* ("read_file", "make_reg", ...; "all").
// A comma-separated list; nullopt when a name is unknown.
std::optional<AccessMask> parse_access(std::string_view list);
std::string access_names(AccessMask mask);

class Ruleset {
 public:
  explicit Ruleset(AccessMask handled = kAllAccess) : handled_(handled & kAllAccess) {}

  // Grant `access` on the object at `path`, resolved now by `task` (symlinks
  // followed). EINVAL for a right the ruleset does not handle.
  Status allow(Task& task, std::string_view path, AccessMask access);
  Status allow(const InodeId& id, AccessMask access);

  AccessMask handled() const { return handled_; }
  size_t size() const { return rules_.size(); }
  const std::vector<std::pair<InodeId, AccessMask>>& rules() const { return rules_; }

 private:
  AccessMask handled_;
  std::vector<std::pair<InodeId, AccessMask>> rules_;
};

// The module; stack it on a Vfs once (every call returns the same object).
std::shared_ptr<SecurityModule> module();

// Add a layer built from `rules` to the task's domain: from now on the task's
// accesses must be allowed by it too. The ruleset is copied.
Status restrict_self(Task& task, const Ruleset& rules);

}  // namespace rcuvfs::pathrules
