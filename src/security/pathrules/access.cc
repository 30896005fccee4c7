// Right names of pathrules (Landlock's, lower case, without the prefix).
#include <rcuvfs/security/pathrules.h>

namespace rcuvfs::pathrules {

namespace {
struct Named {
  const char* name;
  AccessMask bit;
};
constexpr Named kNames[] = {
    {"execute", kExecute},       {"write_file", kWriteFile}, {"read_file", kReadFile},
    {"read_dir", kReadDir},      {"remove_dir", kRemoveDir}, {"remove_file", kRemoveFile},
    {"make_char", kMakeChar},    {"make_dir", kMakeDir},     {"make_reg", kMakeReg},
    {"make_sock", kMakeSock},    {"make_fifo", kMakeFifo},   {"make_block", kMakeBlock},
    {"make_sym", kMakeSym},      {"refer", kRefer},          {"truncate", kTruncate},
    {"stat", kStat},
};
}  // namespace

std::optional<AccessMask> parse_access(std::string_view list) {
  AccessMask mask = 0;
  for (;;) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    bool found = item == "all";
    if (found) mask |= kAllAccess;
    for (const auto& n : kNames)
      if (item == n.name) {
        mask |= n.bit;
        found = true;
      }
    if (!found) return std::nullopt;
    if (comma == std::string_view::npos) return mask;
    list.remove_prefix(comma + 1);
  }
}

std::string access_names(AccessMask mask) {
  std::string out;
  for (const auto& n : kNames)
    if (mask & n.bit) {
      if (!out.empty()) out.push_back(',');
      out += n.name;
    }
  return out;
}

}  // namespace rcuvfs::pathrules
