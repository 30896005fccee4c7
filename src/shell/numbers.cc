#include "shell/numbers.h"

namespace rcuvfs::shell {
namespace {

std::optional<uint64_t> parse_base(std::string_view s, unsigned base, uint64_t max) {
  if (s.empty() || s.size() > 24) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c >= static_cast<char>('0' + base)) return std::nullopt;
    auto d = static_cast<unsigned>(c - '0');
    if (v > (max - d) / base) return std::nullopt;
    v = v * base + d;
  }
  return v;
}

}  // namespace

std::optional<unsigned> parse_mode(std::string_view s) {
  auto v = parse_base(s, 8, 07777);
  if (!v) return std::nullopt;
  return static_cast<unsigned>(*v);
}

std::optional<uint64_t> parse_decimal(std::string_view s, uint64_t max) {
  return parse_base(s, 10, max);
}

}  // namespace rcuvfs::shell
