// NodeTable: the FUSE nodes the kernel knows, each an O_PATH descriptor in the
// server's rcuvfs Task.
//
// A node is identified to the kernel by its address (nodeid = the Node*; the root is
// FUSE_ROOT_ID) and a generation drawn from a counter, so a nodeid reused after a
// forget never matches a stale kernel handle. Nodes are keyed by the object's
// (dev, ino) as well, so every hard link of a file is one node, as the kernel
// expects. The descriptor keeps the object alive (and its ino unique) while the
// kernel may still name it, even after it is unlinked.
//
// Fields and who guards them:
//   fd, dev, ino, generation   immutable from insertion to release: read with no lock
//                              by every request thread
//   nlookup                    mu_ (the kernel's lookup count: lookup, create, mkdir,
//                              mknod, symlink, link and readdirplus entries add one;
//                              forget subtracts)
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
#include <utility>

namespace rcuvfs::fuse {

struct Node {
  int fd = -1;
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t generation = 0;
  uint64_t nlookup = 0;
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
