#include "tools/bench/lock_tree.h"

#include <ctime>
#include <mutex>
#include <string>
#include <unordered_map>

namespace rcuvfs::tools::bench {

namespace {
// Lets a lookup by string_view find a std::string key without building a string:
// a fair baseline does no allocation per component, as rcuvfs does none.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Attrs {
  uint64_t ino;
  mode_t mode;
  uid_t uid = 0;
  gid_t gid = 0;
  uint32_t nlink;
  uint64_t size = 0;
  struct timespec mtime;
};
}  // namespace

struct LockTree::Node {
  Node(uint64_t ino, mode_t mode) : attrs{ino, mode, 0, 0, S_ISDIR(mode) ? 2u : 1u, 0, {}} {
    clock_gettime(CLOCK_REALTIME, &attrs.mtime);
  }
  Attrs attrs;
  std::unordered_map<std::string, std::unique_ptr<Node>, NameHash, std::equal_to<>> children;
};

namespace {
// Calls fn(name) for each '/'-separated component; stops early when fn returns false.
template <class Fn>
bool for_each_component(std::string_view path, Fn&& fn) {
  while (!path.empty()) {
    size_t n = path.find('/');
    std::string_view name = path.substr(0, n);
    path.remove_prefix(n == std::string_view::npos ? path.size() : n + 1);
    if (!name.empty() && !fn(name)) return false;
  }
  return true;
}
}  // namespace

LockTree::LockTree() : root_(std::make_unique<Node>(next_ino_++, S_IFDIR | 0755)) {}
LockTree::~LockTree() = default;

const LockTree::Node* LockTree::find_locked(std::string_view path) const {
  const Node* n = root_.get();
  bool found = for_each_component(path, [&](std::string_view name) {
    if (!S_ISDIR(n->attrs.mode)) return false;
    auto it = n->children.find(name);
    if (it == n->children.end()) return false;
    n = it->second.get();
    return true;
  });
  return found ? n : nullptr;
}

bool LockTree::create(std::string_view path, mode_t mode) {
  size_t slash = path.rfind('/');
  std::string_view parent_path = slash == std::string_view::npos ? "" : path.substr(0, slash);
  std::string_view name = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  std::unique_lock g(lock_);
  auto* parent = const_cast<Node*>(find_locked(parent_path));
  if (!parent || !S_ISDIR(parent->attrs.mode) || name.empty()) return false;
  auto node = std::make_unique<Node>(next_ino_, mode);
  if (!parent->children.emplace(std::string(name), std::move(node)).second) return false;
  ++next_ino_;
  if (S_ISDIR(mode)) ++parent->attrs.nlink;
  return true;
}

bool LockTree::stat(std::string_view path, Statx& out) const {
  std::shared_lock g(lock_);
  const Node* n = find_locked(path);
  if (!n) return false;
  const Attrs& a = n->attrs;
  out = Statx{};
  out.stx_mask = STATX_BASIC_STATS;
  out.stx_ino = a.ino;
  out.stx_mode = static_cast<uint16_t>(a.mode);
  out.stx_nlink = a.nlink;
  out.stx_uid = a.uid;
  out.stx_gid = a.gid;
  out.stx_size = a.size;
  out.stx_blksize = 4096;
  out.stx_mtime = {a.mtime.tv_sec, static_cast<uint32_t>(a.mtime.tv_nsec), 0};
  out.stx_ctime = out.stx_mtime;
  out.stx_atime = out.stx_mtime;
  return true;
}

}  // namespace rcuvfs::tools::bench
