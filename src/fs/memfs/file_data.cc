#include "fs/memfs/file_data.h"

#include "fs/memfs/memfs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <new>
#include <tuple>
#include <utility>

namespace rcuvfs::memfs {

void FileData::read(unsigned char* out, uint64_t off, size_t n) const {
  const uint64_t end = off + n;
  auto it = map.lower_bound(off / kPageSize);
  for (uint64_t pos = off; pos < end;) {
    if (it == map.end() || it->first > pos / kPageSize) {
      // A hole, up to the next page held (or the end).
      const uint64_t stop = it == map.end() ? end : std::min(end, it->first * kPageSize);
      std::memset(out + (pos - off), 0, stop - pos);
      pos = stop;
      continue;
    }
    const size_t in = pos % kPageSize;
    const size_t c = static_cast<size_t>(std::min<uint64_t>(kPageSize - in, end - pos));
    std::memcpy(out + (pos - off), it->second.bytes + in, c);
    pos += c;
    ++it;
  }
}

size_t FileData::write(const unsigned char* in, uint64_t off, size_t n, MemSuper& sb,
                       int& error) {
  const uint64_t end = off + n;
  auto it = map.lower_bound(off / kPageSize);
  uint64_t pos = off;
  while (pos < end) {
    const uint64_t index = pos / kPageSize;
    const size_t at = pos % kPageSize;
    const size_t c = static_cast<size_t>(std::min<uint64_t>(kPageSize - at, end - pos));
    if (it == map.end() || it->first != index) {
      if (!sb.charge_page()) {
        error = ENOSPC;
        break;
      }
      try {
        // Right before `it`, the first page after this one: no second search.
        it = map.emplace_hint(it, std::piecewise_construct, std::forward_as_tuple(index),
                              std::tuple<>());
      } catch (const std::bad_alloc&) {
        sb.uncharge_pages(1);
        error = ENOMEM;
        break;
      }
      unsigned char* p = it->second.bytes;
      std::memset(p, 0, at);
      std::memset(p + at + c, 0, kPageSize - at - c);
    }
    std::memcpy(it->second.bytes + at, in + (pos - off), c);
    pos += c;
    ++it;
  }
  return static_cast<size_t>(pos - off);
}

void FileData::truncate(uint64_t size, MemSuper& sb) {
  auto first = map.lower_bound((size + kPageSize - 1) / kPageSize);
  const auto freed = static_cast<uint64_t>(std::distance(first, map.end()));
  map.erase(first, map.end());
  sb.uncharge_pages(freed);
  if (const size_t at = size % kPageSize) {
    auto last = map.find(size / kPageSize);
    if (last != map.end()) std::memset(last->second.bytes + at, 0, kPageSize - at);
  }
}

void FileData::retire(FileData* d) {
  rcu_defer(&d->rcu, [](RcuHead* h) { delete reinterpret_cast<FileData*>(h); });
}

}  // namespace rcuvfs::memfs
