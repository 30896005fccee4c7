// Mount option values shared by the core and the filesystems.
#pragma once

#include <rcuvfs/result.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace rcuvfs {

// Linux's memparse, taken off the front of `s`: a number (0x and a hex digit: hex; a
// leading 0: octal; else decimal; no digits at all is 0, as simple_strtoull) and an
// optional binary suffix k, m, g, t, p or e (either case). nullopt when the value does
// not fit 64 bits.
std::optional<uint64_t> memparse(std::string_view& s);

// A whole option value as a size in bytes: memparse and nothing after ("65536", "64k",
// "16M", "0x1000"). EINVAL for anything else, and for 0 unless `allow_zero`.
Result<uint64_t> parse_size(std::string_view s, bool allow_zero = false);

// Options of the form "key=value,key=value,...": takes the first option out of `opts`
// (everything up to the first comma) and returns it.
std::string_view next_option(std::string_view& opts);

}  // namespace rcuvfs
