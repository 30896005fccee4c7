// Parsing the numbers of shell commands: modes are octal, everything else decimal.
// Signs, blanks, empty strings and out-of-range values are rejected.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rcuvfs::shell {

// Octal digits only, value <= 07777.
std::optional<unsigned> parse_mode(std::string_view s);

// Decimal digits only, value <= max.
std::optional<uint64_t> parse_decimal(std::string_view s, uint64_t max);

}  // namespace rcuvfs::shell
