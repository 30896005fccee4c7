#include <rcuvfs/fs/options.h>

#include <cerrno>
#include <charconv>

namespace rcuvfs {

Result<uint64_t> parse_size(std::string_view s, bool allow_zero) {
  uint64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p == s.data()) return Err{EINVAL};
  unsigned shift = 0;
  if (p != end) {
    switch (*p) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      case 't': case 'T': shift = 40; break;
      default: return Err{EINVAL};
    }
    if (++p != end) return Err{EINVAL};
  }
  if (shift && v > (~uint64_t{0} >> shift)) return Err{EINVAL};
  v <<= shift;
  if (v == 0 && !allow_zero) return Err{EINVAL};
  return v;
}

std::string_view next_option(std::string_view& opts) {
  const size_t comma = opts.find(',');
  std::string_view o = opts.substr(0, comma);
  opts = comma == std::string_view::npos ? std::string_view{} : opts.substr(comma + 1);
  return o;
}

}  // namespace rcuvfs
