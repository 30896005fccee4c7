#include "security/audit/log.h"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace rcuvfs::audit {

LogSink::~LogSink() {
  if (own_) ::close(fd_);
}

void LogSink::write_line(std::string_view line) {
  MutexLock g(lock_);
  while (!line.empty()) {
    ssize_t n = ::write(fd_, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ++errors_;
      return;
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
}

void append_quoted(std::string& out, std::string_view s) {
  bool plain = !s.empty();
  for (unsigned char c : s)
    if (c <= 0x20 || c > 0x7e || c == '"' || c == '\\') plain = false;
  if (plain) {
    out.append(s);
    return;
  }
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c > 0x7e) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace rcuvfs::audit
