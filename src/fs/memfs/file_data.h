// FileData: the contents of a memfs regular file, a sparse set of 4 KiB pages keyed
// by page index (tmpfs's page cache, without the swap). A page exists only once
// something was written into it: holes, and the range a truncate grew the file by,
// read as zeros and cost nothing. Bytes of a page past the file's size are always
// zero (write zero-fills what it does not copy, truncate zeroes the tail it cuts off),
// so growing the file again shows zeros there, as on Linux.
//
// A std::map: a range is found with one lookup and then walked in order, so reads and
// writes cost one O(log pages) search plus a constant per 4 KiB page, and a truncate
// costs one search plus the pages it frees. Each page lives in its map node (one
// allocation of a page and about 40 bytes).
//
// Fields and what guards them:
//   rcu          retire(): the object is freed after a grace period
//   prev, next   MemSuper's list of every FileData (fsck's sum), under its files_lock_
//   pages        the number of pages in `map`, read by RCU readers (st_blocks, in the
//                attribute snapshot); stored only inside the owner's AttrWrite section
//                that also stores the size it goes with
//   map          the pages; the owning inode's Inode::lock (shared to read)
#pragma once

#include <rcuvfs/fs/rcu.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>

namespace rcuvfs::memfs {

class MemSuper;

inline constexpr uint64_t kPageSize = 4096;

struct FileData {
  struct Page {
    unsigned char bytes[kPageSize];
    Page() {}  // left uninitialised: write fills all of it
  };

  RcuHead rcu;
  FileData* prev = nullptr;
  FileData* next = nullptr;
  std::atomic<uint64_t> pages{0};
  std::map<uint64_t, Page> map;

  // Copy the n bytes at `off` to `out` (holes as zeros).
  void read(unsigned char* out, uint64_t off, size_t n) const;
  // Copy the n bytes at `in` to `off`, allocating the missing pages, each charged to
  // `sb` first. Stops at the first page that cannot be had (`error`: ENOSPC past the
  // filesystem's size, ENOMEM) and returns the bytes copied before it: a short write,
  // as Linux's page-by-page copy gives.
  size_t write(const unsigned char* in, uint64_t off, size_t n, MemSuper& sb, int& error);
  // Free the pages wholly past `size` and zero the rest of the page `size` falls in.
  void truncate(uint64_t size, MemSuper& sb);
  // Free every page.
  void clear(MemSuper& sb) { truncate(0, sb); }

  // Free the object after a grace period (RCU readers may still load `pages`).
  static void retire(FileData* d);
};

}  // namespace rcuvfs::memfs
