// Mount option values shared by the core and the filesystems.
#pragma once

#include <rcuvfs/result.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace rcuvfs {

// A size as mount options write it: decimal bytes, or with a binary suffix k, m, g or
// t (either case): "65536", "64k", "16M", "2g". EINVAL for anything else, for 0 when
// `allow_zero` is false, and for a value that does not fit 64 bits.
Result<uint64_t> parse_size(std::string_view s, bool allow_zero = false);

// Options of the form "key=value,key=value,...": takes the first option out of `opts`
// (everything up to the first comma) and returns it.
std::string_view next_option(std::string_view& opts);

}  // namespace rcuvfs
