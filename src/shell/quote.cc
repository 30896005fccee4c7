#include "shell/quote.h"

namespace rcuvfs::shell {

namespace {
// Appends the escape for a byte outside 0x20-0x7e.
void append_escape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default:
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
  }
}

bool printable(unsigned char c) { return c >= 0x20 && c <= 0x7e; }
}  // namespace

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (printable(c)) {
      out.push_back(ch);
    } else {
      append_escape(out, c);
    }
  }
  out.push_back('"');
  return out;
}

std::string escape_unprintable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (printable(c))
      out.push_back(ch);
    else
      append_escape(out, c);
  }
  return out;
}

std::string quote_if_needed(std::string_view s) {
  if (s.empty()) return quote(s);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c > 0x7e || c == '"' || c == '\\') return quote(s);
  }
  return std::string(s);
}

}  // namespace rcuvfs::shell
