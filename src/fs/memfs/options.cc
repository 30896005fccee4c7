// memfs's mount options (MemOptions in memfs.h), read the way tmpfs reads its own:
// Linux's memparse for the number and its suffix, then `%` of physical RAM.
#include "fs/memfs/memfs.h"

#include <cctype>
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

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// simple_strtoull(s, &end, 0): the base from the prefix (0x with a hex digit after
// it: 16; a leading 0: 8), then as many digits as there are; no digits at all is 0.
// nullopt when the value does not fit 64 bits.
std::optional<uint64_t> parse_integer(std::string_view& s) {
  unsigned base = 10;
  if (s.size() >= 3 && s[0] == '0' && (s[1] | 0x20) == 'x' && digit_value(s[2]) < 16) {
    base = 16;
    s.remove_prefix(2);
  } else if (!s.empty() && s[0] == '0') {
    base = 8;
  }
  unsigned __int128 v = 0;
  while (!s.empty() && digit_value(s[0]) < static_cast<int>(base)) {
    v = v * base + static_cast<unsigned>(digit_value(s[0]));
    if (v > UINT64_MAX) return std::nullopt;
    s.remove_prefix(1);
  }
  return static_cast<uint64_t>(v);
}

// tmpfs's Opt_size: memparse, an optional '%', nothing after; whole pages, rounded up.
std::optional<uint64_t> parse_size(std::string_view s) {
  auto n = parse_integer(s);
  if (!n) return std::nullopt;
  unsigned __int128 bytes = *n;
  if (!s.empty()) {
    unsigned shift = 0;
    switch (s[0] | 0x20) {
      case 'e': shift = 60; break;
      case 'p': shift = 50; break;
      case 't': shift = 40; break;
      case 'g': shift = 30; break;
      case 'm': shift = 20; break;
      case 'k': shift = 10; break;
      default: break;
    }
    if (shift) {
      bytes <<= shift;
      s.remove_prefix(1);
    }
  }
  if (bytes > UINT64_MAX) return std::nullopt;
  if (!s.empty() && s[0] == '%') {
    bytes = bytes * kPageSize * ram_pages() / 100;
    if (bytes > UINT64_MAX) return std::nullopt;
    s.remove_prefix(1);
  }
  if (!s.empty()) return std::nullopt;
  return static_cast<uint64_t>((bytes + kPageSize - 1) / kPageSize);
}

}  // namespace

MemOptions::MemOptions() : max_pages(ram_pages() / 2) {}

Result<MemOptions> parse_options(std::string_view options) {
  MemOptions out;
  while (!options.empty()) {
    const size_t comma = options.find(',');
    std::string_view opt = options.substr(0, comma);
    options = comma == std::string_view::npos ? std::string_view() : options.substr(comma + 1);
    if (opt.empty()) continue;  // "a,,b": the kernel skips empty options too
    if (!opt.starts_with("size=") || opt.size() == 5) return Err{EINVAL};
    auto pages = parse_size(opt.substr(5));
    if (!pages) return Err{EINVAL};
    out.max_pages = *pages;
  }
  return out;
}

}  // namespace rcuvfs::memfs
