// Parsing the numbers of shell commands: modes are octal, everything else decimal.
// Blanks, empty strings and out-of-range values are rejected, and so are signs but
// where a negative value means something to the call (parse_signed_decimal).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rcuvfs::shell {

// Octal digits only, value <= 07777.
std::optional<unsigned> parse_mode(std::string_view s);

// Decimal digits only, value <= max.
std::optional<uint64_t> parse_decimal(std::string_view s, uint64_t max);

// Decimal digits with an optional '-' first, within int64_t.
std::optional<int64_t> parse_signed_decimal(std::string_view s);

}  // namespace rcuvfs::shell
