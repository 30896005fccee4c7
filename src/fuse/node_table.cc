#include "fuse/node_table.h"

#include <sys/stat.h>

#include <cerrno>
#include <unordered_set>

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

namespace rcuvfs::fuse {

NodeTable::~NodeTable() { clear(); }

Status NodeTable::set_root(int fd) {
  auto st = task_.fstat(fd);
  if (!st.ok()) return Err{st.error()};
  std::lock_guard g(mu_);
  if (root_) return Err{EBUSY};
  root_ = new Node{fd, makedev(st->stx_dev_major, st->stx_dev_minor), st->stx_ino,
                   next_generation_++, 1, true, {}};
  by_key_[{root_->dev, root_->ino}] = root_;
  return {};
}

Result<Node*> NodeTable::enter(int fd) {
  auto st = task_.fstat(fd);
  if (!st.ok()) {
    (void)task_.close(fd);
    return Err{st.error()};
  }
  const std::pair<uint64_t, uint64_t> key{makedev(st->stx_dev_major, st->stx_dev_minor),
                                          st->stx_ino};
  std::unique_lock g(mu_);
  auto [it, inserted] = by_key_.try_emplace(key, nullptr);
  if (!inserted) {
    Node* n = it->second;
    n->nlookup++;
    g.unlock();
    // The node's own descriptor pins the same object: this one is not needed.
    (void)task_.close(fd);
    return n;
  }
  it->second =
      new Node{fd, key.first, key.second, next_generation_++, 1, S_ISDIR(st->stx_mode), {}};
  return it->second;
}

Node* NodeTable::find(uint64_t dev, uint64_t ino) {
  std::lock_guard g(mu_);
  auto it = by_key_.find({dev, ino});
  if (it == by_key_.end()) return nullptr;
  it->second->nlookup++;
  return it->second;
}

void NodeTable::forget(Node* node, uint64_t n) {
  std::lock_guard g(mu_);
  forgets_ += n;
  // The root is never released by a forget: it lives as long as the mount.
  if (node == root_) return;
  node->nlookup = n >= node->nlookup ? 0 : node->nlookup - n;
  if (node->nlookup == 0) {
    by_key_.erase({node->dev, node->ino});
    release_locked(node);
  }
}

namespace {
using Names = std::vector<std::pair<uint64_t, std::string>>;

void add_name(Names& names, uint64_t parent, std::string_view name) {
  for (const auto& [p, n] : names)
    if (p == parent && n == name) return;
  names.emplace_back(parent, name);
}

void drop_name(Names& names, uint64_t parent, std::string_view name) {
  std::erase_if(names, [&](const auto& pn) { return pn.first == parent && pn.second == name; });
}
}  // namespace

void NodeTable::named(Node* node, uint64_t parent, std::string_view name) {
  std::lock_guard g(mu_);
  add_name(node->names, parent, name);
}

void NodeTable::unnamed(uint64_t dev, uint64_t ino, uint64_t parent, std::string_view name) {
  std::lock_guard g(mu_);
  if (auto it = by_key_.find({dev, ino}); it != by_key_.end())
    drop_name(it->second->names, parent, name);
}

void NodeTable::renamed(uint64_t dev, uint64_t ino, uint64_t parent, std::string_view name,
                        uint64_t new_parent, std::string_view new_name) {
  std::lock_guard g(mu_);
  auto it = by_key_.find({dev, ino});
  if (it == by_key_.end()) return;
  drop_name(it->second->names, parent, name);
  add_name(it->second->names, new_parent, new_name);
}

uint64_t NodeTable::id_of_object(uint64_t dev, uint64_t ino, bool dir) const {
  std::lock_guard g(mu_);
  auto it = by_key_.find({dev, ino});
  return it == by_key_.end() || (dir && !it->second->dir) ? 0 : id_of(it->second);
}

std::vector<KnownNode> NodeTable::known() const {
  std::lock_guard g(mu_);
  std::unordered_set<uint64_t> dirs;
  for (const auto& [key, node] : by_key_)
    if (node->dir) dirs.insert(id_of(node));
  std::vector<KnownNode> out;
  out.reserve(by_key_.size());
  for (const auto& [key, node] : by_key_) {
    KnownNode k{id_of(node), {}};
    for (const auto& pn : node->names)
      if (dirs.count(pn.first)) k.names.push_back(pn);
    out.push_back(std::move(k));
  }
  return out;
}

void NodeTable::release_locked(Node* node) {
  (void)task_.close(node->fd);
  delete node;
}

namespace {
// User-space addresses fit in 47 bits (48 with 5-level paging unless asked for more).
constexpr int kTagShift = 48;
constexpr uint64_t kAddressMask = (uint64_t{1} << kTagShift) - 1;
}  // namespace

Node* NodeTable::get(uint64_t nodeid) const {
  if (nodeid == FUSE_ROOT_ID) return root_;
  return reinterpret_cast<Node*>(static_cast<uintptr_t>(nodeid & kAddressMask));
}

uint64_t NodeTable::id_of(const Node* node) const {
  if (node == root_) return FUSE_ROOT_ID;
  const auto address = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(node));
  // An address past the mask is not tagged: get() would lose bits.
  if (address & ~kAddressMask) return address;
  return address | (node->generation << kTagShift);
}

size_t NodeTable::clear() {
  std::lock_guard g(mu_);
  size_t n = by_key_.size();
  for (auto& [key, node] : by_key_) release_locked(node);
  by_key_.clear();
  root_ = nullptr;
  return n;
}

size_t NodeTable::size() const {
  std::lock_guard g(mu_);
  return by_key_.size();
}

uint64_t NodeTable::forgets() const {
  std::lock_guard g(mu_);
  return forgets_;
}

}  // namespace rcuvfs::fuse
