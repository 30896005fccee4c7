// memfs's mount options (MemOptions in memfs.h), read the way tmpfs reads its own:
// Linux's memparse for the number and its suffix, then `%` of physical RAM.
#include "fs/memfs/memfs.h"

#include <rcuvfs/fs/options.h>

#include <cerrno>
#include <optional>

#include <sys/sysinfo.h>

namespace rcuvfs::memfs {

namespace {

// Physical RAM in pages (the kernel's totalram_pages()).
uint64_t ram_pages() {
  struct sysinfo si {};
  if (sysinfo(&si) != 0) return 0;
  const unsigned __int128 bytes = static_cast<unsigned __int128>(si.totalram) * si.mem_unit;
  return static_cast<uint64_t>(bytes / kPageSize);
}

// tmpfs's Opt_size: memparse, an optional '%', nothing after; whole pages, rounded up.
std::optional<uint64_t> size_in_pages(std::string_view s) {
  auto n = memparse(s);
  if (!n) return std::nullopt;
  unsigned __int128 bytes = *n;
  if (!s.empty() && s[0] == '%') {
    bytes = bytes * kPageSize * ram_pages() / 100;
    if (bytes > UINT64_MAX) return std::nullopt;
    s.remove_prefix(1);
  }
  if (!s.empty()) return std::nullopt;
  return static_cast<uint64_t>((bytes + kPageSize - 1) / kPageSize);
}

}  // namespace

MemOptions::MemOptions() : max_pages(ram_pages() / 2), max_inodes(ram_pages() / 2) {}

Result<MemOptions> parse_options(std::string_view options) {
  MemOptions out;
  while (!options.empty()) {
    const std::string_view opt = next_option(options);
    if (opt.empty()) continue;  // "a,,b": the kernel skips empty options too
    if (opt.starts_with("nr_inodes=") && opt.size() > 10) {
      // tmpfs's Opt_nr_inodes: memparse, nothing after, and a pool that fits.
      std::string_view s = opt.substr(10);
      auto n = memparse(s);
      if (!n || !s.empty() || *n > UINT64_MAX / kInodeSpace) return Err{EINVAL};
      out.max_inodes = *n;
      continue;
    }
    if (!opt.starts_with("size=") || opt.size() == 5) return Err{EINVAL};
    auto pages = size_in_pages(opt.substr(5));
    if (!pages) return Err{EINVAL};
    out.max_pages = *pages;
  }
  return out;
}

}  // namespace rcuvfs::memfs
