// Splitting one shell line into tokens (protocol: docs/shell-protocol.md, "Lines").
//
// Tokens are separated by spaces or tabs. A token may be double-quoted; inside quotes
// `\\`, `\"`, `\n`, `\t` and `\xHH` are escapes and `""` is the empty token. A quote
// must start a token and its closing quote must end it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rcuvfs::shell {

// True for lines that produce no output: empty, only blanks, or whose first
// non-blank character is '#'.
bool is_blank_or_comment(std::string_view line);

// Splits `line` into `out`. Returns an empty string on success, otherwise a message
// describing why the line is malformed (`out` is then unspecified).
std::string tokenize(std::string_view line, std::vector<std::string>& out);

}  // namespace rcuvfs::shell
