#include <rcuvfs/fs/xattr.h>

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/fs/rcu.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace rcuvfs {

struct SimpleXattrs::Set {
  RcuHead rcu;
  // Sorted by name (bytewise); listed from the last, as Linux's rbtree of
  // simple_xattrs lists them (tmpfs lists user.b before user.a).
  std::vector<std::pair<std::string, std::string>> items;

  auto find(std::string_view name) const {
    auto it = std::lower_bound(items.begin(), items.end(), name,
                               [](const auto& e, std::string_view n) { return e.first < n; });
    return it != items.end() && it->first == name ? it : items.end();
  }
};

SimpleXattrs::~SimpleXattrs() { delete set_.load(std::memory_order_relaxed); }

void SimpleXattrs::retire(const Set* s) {
  if (!s) return;
  rcu_defer(const_cast<RcuHead*>(&s->rcu), [](RcuHead* h) {
    delete reinterpret_cast<Set*>(reinterpret_cast<char*>(h) - offsetof(Set, rcu));
  });
}

// The readers take a read-side section of their own: a caller with references (not
// in RCU mode) holds the inode, not the set a writer may replace and retire meanwhile.
// (Sections nest: in RCU mode this one is inside the walk's.)
int SimpleXattrs::get(std::string_view name, void* buf, size_t size) const {
  RcuReadGuard rcu;
  const Set* s = set_.load(std::memory_order_acquire);
  if (!s) return -ENODATA;
  auto it = s->find(name);
  if (it == s->items.end()) return -ENODATA;
  const std::string& v = it->second;
  if (size) {
    if (size < v.size()) return -ERANGE;
    std::memcpy(buf, v.data(), v.size());
  }
  return static_cast<int>(v.size());
}

ssize_t SimpleXattrs::find(std::string_view name) const {
  RcuReadGuard rcu;
  const Set* s = set_.load(std::memory_order_acquire);
  if (!s) return -1;
  auto it = s->find(name);
  return it == s->items.end() ? -1 : static_cast<ssize_t>(it->second.size());
}

int SimpleXattrs::list(Inode::XattrNameFn fn, void* ctx) const {
  RcuReadGuard rcu;
  if (const Set* s = set_.load(std::memory_order_acquire))
    for (auto it = s->items.rbegin(); it != s->items.rend(); ++it) fn(ctx, it->first);
  return 0;
}

Status SimpleXattrs::set(std::string_view name, std::string_view value, int flags) {
  const Set* old = set_.load(std::memory_order_relaxed);
  const bool exists = old && old->find(name) != old->items.end();
  if (exists && (flags & XATTR_CREATE)) return Err{EEXIST};
  if (!exists && (flags & XATTR_REPLACE)) return Err{ENODATA};
  if (exists && (diag::injected() & diag::kXattrInPlace)) {
    // The injected bug: the published value rewritten under its readers (when it
    // needs no new buffer), so that one may copy a mix of the old and the new.
    std::string& v = const_cast<std::string&>(old->find(name)->second);
    if (value.size() <= v.capacity()) {
      v.resize(value.size());
      std::memcpy(v.data(), value.data(), value.size());
      return {};
    }
  }
  auto* s = new Set;
  if (old) s->items = old->items;
  auto it = std::lower_bound(s->items.begin(), s->items.end(), name,
                             [](const auto& e, std::string_view n) { return e.first < n; });
  if (exists)
    it->second.assign(value);
  else
    s->items.emplace(it, std::string(name), std::string(value));
  set_.store(s, std::memory_order_release);
  retire(old);
  return {};
}

Status SimpleXattrs::remove(std::string_view name) {
  const Set* old = set_.load(std::memory_order_relaxed);
  if (!old) return Err{ENODATA};
  auto at = old->find(name);
  if (at == old->items.end()) return Err{ENODATA};
  Set* s = nullptr;
  if (old->items.size() > 1) {
    s = new Set;
    s->items.reserve(old->items.size() - 1);
    for (auto it = old->items.begin(); it != old->items.end(); ++it)
      if (it != at) s->items.push_back(*it);
  }
  set_.store(s, std::memory_order_release);
  retire(old);
  return {};
}

void SimpleXattrs::clear() { retire(set_.exchange(nullptr, std::memory_order_acq_rel)); }

void SimpleXattrs::assign(std::vector<std::pair<std::string, std::string>> items) {
  Set* s = nullptr;
  if (!items.empty()) {
    s = new Set;
    s->items = std::move(items);
    std::sort(s->items.begin(), s->items.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  retire(set_.exchange(s, std::memory_order_acq_rel));
}

size_t SimpleXattrs::space(std::string_view name, size_t value_len) {
  // Linux counts 40 bytes for its struct simple_xattr whatever its real size.
  return 40 + name.size() + value_len;
}

size_t SimpleXattrs::space_used() const {
  RcuReadGuard rcu;
  size_t n = 0;
  if (const Set* s = set_.load(std::memory_order_acquire))
    for (const auto& [name, value] : s->items) n += space(name, value.size());
  return n;
}

}  // namespace rcuvfs
