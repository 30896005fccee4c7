// NodeTable: the FUSE nodes the kernel knows, each an O_PATH descriptor in the
// server's rcuvfs Task.
//
// A node is identified to the kernel by its address with the low 16 bits of its
// generation above the address bits (the root is FUSE_ROOT_ID), and by the generation,
// drawn from a counter: a node allocated where a forgotten one was gets another nodeid,
// so an invalidation racing the forget never reaches the new node's kernel inode, and
// a stale kernel handle never matches. Nodes are keyed by the object's
// (dev, ino) as well, so every hard link of a file is one node, as the kernel
// expects. The descriptor keeps the object alive (and its ino unique) while the
// kernel may still name it, even after it is unlinked.
//
// Fields and who guards them:
//   fd, dev, ino, generation,
//   dir                        immutable from insertion to release: read with no lock
//                              by every request thread
//   nlookup                    mu_ (the kernel's lookup count: lookup, create, mkdir,
//                              mknod, symlink, link and readdirplus entries add one;
//                              forget subtracts)
//   names                      mu_: every (directory nodeid, name) the kernel may have
//                              cached the node under: each entry reply adds one, a
//                              rename or unlink through the mount moves or drops it.
//                              What the invalidator drops when it lost track of changes
//                              (the kernel has no "drop everything").
//   by_key_, forgets_          mu_
//   root_                      set by set_root before the session starts and reset
//                              by clear after it ends: read with no lock in between
// A Node is freed only when nlookup reaches 0, after which the kernel sends no more
// requests for it (FUSE protocol), so request threads may use it without a lock.
#pragma once

#include <rcuvfs/task.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcuvfs::fuse {

struct Node {
  int fd = -1;
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t generation = 0;
  uint64_t nlookup = 0;
  bool dir = false;
  std::vector<std::pair<uint64_t, std::string>> names;
};

// A node as the invalidator sees it: its nodeid and the names the kernel may cache.
struct KnownNode {
  uint64_t id = 0;
  std::vector<std::pair<uint64_t, std::string>> names;
};

class NodeTable {
 public:
  explicit NodeTable(Task& task) : task_(task) {}
  ~NodeTable();
  NodeTable(const NodeTable&) = delete;
  NodeTable& operator=(const NodeTable&) = delete;

  // Adopt `fd` (an O_PATH descriptor) as the root node, FUSE_ROOT_ID.
  Status set_root(int fd);

  // The node for the object behind `fd`, with one more lookup; `fd` is consumed
  // (kept as the node's descriptor, or closed when the object already has a node).
  Result<Node*> enter(int fd);
  // The node of the object (dev, ino) with one more lookup, or nullptr when the
  // kernel does not know it.
  Node* find(uint64_t dev, uint64_t ino);
  // Drop `n` lookups; the node is released (its descriptor closed) at zero.
  void forget(Node* node, uint64_t n);

  // The kernel was given `node` as `name` in directory `parent` (a nodeid).
  void named(Node* node, uint64_t parent, std::string_view name);
  // The object (dev, ino) left `name` in `parent` through the mount (unlink).
  void unnamed(uint64_t dev, uint64_t ino, uint64_t parent, std::string_view name);
  // It moved from `name` in `parent` to `new_name` in `new_parent` (rename).
  void renamed(uint64_t dev, uint64_t ino, uint64_t parent, std::string_view name,
               uint64_t new_parent, std::string_view new_name);
  // The nodeid of the object (dev, ino), or 0 when the kernel does not know it (or,
  // with `dir`, knows it as something else than a directory).
  uint64_t id_of_object(uint64_t dev, uint64_t ino, bool dir = false) const;
  // Every node with its names in directories that are nodes still (a nodeid is an
  // address, reused once the kernel forgot it).
  std::vector<KnownNode> known() const;

  // nodeid <-> Node. The kernel only sends nodeids it was given (never a freed one).
  Node* get(uint64_t nodeid) const;
  uint64_t id_of(const Node* node) const;

  // Release every node (the kernel's lookup counts drop to zero at unmount);
  // returns how many were still known.
  size_t clear();
  size_t size() const;
  uint64_t forgets() const;

 private:
  void release_locked(Node* node);

  Task& task_;
  mutable std::mutex mu_;
  Node* root_ = nullptr;
  std::map<std::pair<uint64_t, uint64_t>, Node*> by_key_;  // (dev, ino) -> node
  uint64_t next_generation_ = 1;
  uint64_t forgets_ = 0;
};

}  // namespace rcuvfs::fuse
