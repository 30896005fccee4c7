#include "shell/tokenizer.h"

namespace rcuvfs::shell {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool is_blank_or_comment(std::string_view line) {
  for (char c : line) {
    if (is_blank(c)) continue;
    return c == '#';
  }
  return true;
}

std::string tokenize(std::string_view line, std::vector<std::string>& out) {
  out.clear();
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && is_blank(line[i])) ++i;
    if (i == n) return {};
    std::string tok;
    if (line[i] != '"') {
      while (i < n && !is_blank(line[i])) {
        if (line[i] == '"') return "quote inside an unquoted token";
        tok.push_back(line[i++]);
      }
      out.push_back(std::move(tok));
      continue;
    }
    ++i;  // opening quote
    bool closed = false;
    while (i < n) {
      char c = line[i++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c != '\\') {
        tok.push_back(c);
        continue;
      }
      if (i == n) return "unterminated escape";
      char e = line[i++];
      switch (e) {
        case '\\': tok.push_back('\\'); break;
        case '"': tok.push_back('"'); break;
        case 'n': tok.push_back('\n'); break;
        case 't': tok.push_back('\t'); break;
        case 'x': {
          int hi = i < n ? hex_value(line[i]) : -1;
          int lo = i + 1 < n ? hex_value(line[i + 1]) : -1;
          if (hi < 0 || lo < 0) return "bad \\x escape (want two hex digits)";
          tok.push_back(static_cast<char>(hi * 16 + lo));
          i += 2;
          break;
        }
        default:
          return std::string("unknown escape \\") + e;
      }
    }
    if (!closed) return "unterminated quote";
    if (i < n && !is_blank(line[i])) return "text after a closing quote";
    out.push_back(std::move(tok));
  }
}

}  // namespace rcuvfs::shell
