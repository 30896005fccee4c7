#include "shell/inotify_names.h"

#include <sys/inotify.h>

#include <cctype>
#include <cstdio>

namespace rcuvfs::shell {
namespace {
struct Bit {
  const char* name;
  uint32_t bit;
};
// Event bits in bit order (answers list them so).
constexpr Bit kEvents[] = {
    {"access", IN_ACCESS},         {"modify", IN_MODIFY},
    {"attrib", IN_ATTRIB},         {"close_write", IN_CLOSE_WRITE},
    {"close_nowrite", IN_CLOSE_NOWRITE}, {"open", IN_OPEN},
    {"moved_from", IN_MOVED_FROM}, {"moved_to", IN_MOVED_TO},
    {"create", IN_CREATE},         {"delete", IN_DELETE},
    {"delete_self", IN_DELETE_SELF}, {"move_self", IN_MOVE_SELF},
    {"unmount", IN_UNMOUNT},       {"q_overflow", IN_Q_OVERFLOW},
    {"ignored", IN_IGNORED},       {"isdir", IN_ISDIR},
};
// What `watch` accepts beyond single events.
constexpr Bit kWatchOnly[] = {
    {"all", IN_ALL_EVENTS},        {"close", IN_CLOSE},
    {"move", IN_MOVE},             {"oneshot", IN_ONESHOT},
    {"onlydir", IN_ONLYDIR},       {"dont_follow", IN_DONT_FOLLOW},
    {"excl_unlink", IN_EXCL_UNLINK}, {"mask_add", IN_MASK_ADD},
    {"mask_create", IN_MASK_CREATE},
};

std::optional<uint32_t> lookup(std::string_view name) {
  for (const Bit& b : kEvents)
    if (name == b.name && (b.bit & IN_ALL_EVENTS)) return b.bit;
  for (const Bit& b : kWatchOnly)
    if (name == b.name) return b.bit;
  return std::nullopt;
}
}  // namespace

std::optional<uint32_t> parse_inotify_mask(std::string_view s) {
  uint32_t mask = 0;
  for (;;) {
    const size_t comma = s.find(',');
    auto bit = lookup(s.substr(0, comma));
    if (!bit) return std::nullopt;
    mask |= *bit;
    if (comma == std::string_view::npos) return mask;
    s.remove_prefix(comma + 1);
  }
}

std::string inotify_mask_names(uint32_t mask) {
  std::string out;
  auto add = [&](std::string_view name) {
    if (!out.empty()) out += '|';
    out += name;
  };
  for (const Bit& b : kEvents) {
    if (!(mask & b.bit)) continue;
    mask &= ~b.bit;
    std::string upper(b.name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    add(upper);
  }
  if (mask) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", mask);
    add(hex);
  }
  return out;
}

}  // namespace rcuvfs::shell
