// Quoting bytes for shell output (protocol: docs/shell-protocol.md, "Lines").
#pragma once

#include <string>
#include <string_view>

namespace rcuvfs::shell {

// `"` + s with `\\`, `\"`, `\n`, `\t` escaped and every other byte outside
// 0x20-0x7e written as `\xHH` (lowercase hex) + `"`.
std::string quote(std::string_view s);

// s with every byte outside 0x20-0x7e escaped as quote() does (`\n`, `\t`, `\xHH`)
// and nothing else touched: for echoing input inside a message that must stay on one
// line (`bad ...`).
std::string escape_unprintable(std::string_view s);

// s unchanged when it is a non-empty run of bytes in 0x21-0x7e other than `"` and
// `\`; quote(s) otherwise. Used for names and paths in lists.
std::string quote_if_needed(std::string_view s);

}  // namespace rcuvfs::shell
