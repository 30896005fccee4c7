// SimpleXattrs: the extended attributes of one inode kept in memory, for a filesystem
// that stores them itself (Linux's simple_xattrs; memfs uses it).
//
// What RCU readers touch: `set_`, loaded with acquire, and the Set it points to, which
// is immutable once published. Every change builds a new Set and publishes it with a
// release store, and the replaced one is freed after a grace period. So a reader sees
// the attributes of one moment: a value is never torn nor a mix of two setxattrs, and
// a list is one state's names. Each reader takes a read-side section of its own, so
// it may be called with or without one (in RCU mode, or holding only a reference).
// Writers (set, remove, clear) are serialised by the caller: the inode's lock, held
// exclusively (the Inode contract's lock for setxattr and removexattr).
#pragma once

#include <rcuvfs/fs/inode.h>
#include <rcuvfs/result.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcuvfs {

class SimpleXattrs {
 public:
  SimpleXattrs() = default;
  ~SimpleXattrs();  // frees the set at once: no reader may be left
  SimpleXattrs(const SimpleXattrs&) = delete;
  SimpleXattrs& operator=(const SimpleXattrs&) = delete;

  // Inode::getxattr's and listxattr's answers; safe in an RCU read-side section
  // (no lock, no allocation, no shared write).
  int get(std::string_view name, void* buf, size_t size) const;
  int list(Inode::XattrNameFn fn, void* ctx) const;
  // The length of the value of `name`, or -1 when there is none.
  ssize_t find(std::string_view name) const;

  // Inode::setxattr's and removexattr's rules (XATTR_CREATE, XATTR_REPLACE,
  // ENODATA). The caller has made sure of the room the change needs (space()).
  Status set(std::string_view name, std::string_view value, int flags);
  Status remove(std::string_view name);
  // Drop every attribute (the inode is evicted); the set goes after a grace period.
  void clear();
  // Replace every attribute with `items` at once (a filesystem that reads them from a
  // store): readers see the old set or the new one, never a mix.
  void assign(std::vector<std::pair<std::string, std::string>> items);

  bool empty() const { return set_.load(std::memory_order_relaxed) == nullptr; }
  // What an attribute costs a filesystem that limits them, as Linux's
  // simple_xattr_space: its bookkeeping, its name with the NUL, and its value.
  static size_t space(std::string_view name, size_t value_len);
  // The space of every attribute held (for a filesystem's consistency check).
  size_t space_used() const;

 private:
  struct Set;
  static void retire(const Set* s);
  std::atomic<const Set*> set_{nullptr};
};

}  // namespace rcuvfs
