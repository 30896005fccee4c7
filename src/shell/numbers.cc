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

std::optional<int64_t> parse_signed_decimal(std::string_view s) {
  const bool negative = s.starts_with('-');
  if (negative) s.remove_prefix(1);
  // INT64_MIN's magnitude is one more than INT64_MAX.
  auto v = parse_base(s, 10, negative ? uint64_t{1} << 63 : INT64_MAX);
  if (!v) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - *v) : static_cast<int64_t>(*v);
}

}  // namespace rcuvfs::shell
