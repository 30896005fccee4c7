#include <rcuvfs/fs/options.h>

#include <cerrno>

namespace rcuvfs {

namespace {
int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}
}  // namespace

std::optional<uint64_t> memparse(std::string_view& s) {
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
      v <<= shift;
      s.remove_prefix(1);
    }
  }
  if (v > UINT64_MAX) return std::nullopt;
  return static_cast<uint64_t>(v);
}

Result<uint64_t> parse_size(std::string_view s, bool allow_zero) {
  const auto v = memparse(s);
  if (!v || !s.empty() || (*v == 0 && !allow_zero)) return Err{EINVAL};
  return *v;
}

std::string_view next_option(std::string_view& opts) {
  const size_t comma = opts.find(',');
  std::string_view o = opts.substr(0, comma);
  opts = comma == std::string_view::npos ? std::string_view{} : opts.substr(comma + 1);
  return o;
}

}  // namespace rcuvfs
