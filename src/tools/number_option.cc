#include "tools/number_option.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace rcuvfs::tools {
namespace {

// Bounds as a person writes them: std::to_string(DBL_MAX) has 309 digits.
std::string show(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// from_chars takes neither blanks nor a '+', unlike strtod; the whole token must go.
// A '-' only where values may be negative: "-0" is in range, but no way to write a
// count or a duration (hostfs's ttl= would refuse it after the validator let it by).
template <class T>
bool parse_all(const std::string& s, T& v, bool signed_ok,
               std::chars_format fmt = std::chars_format::general) {
  if (!signed_ok && s.starts_with('-')) return false;
  const char* end = s.data() + s.size();
  std::from_chars_result r;
  if constexpr (std::is_floating_point_v<T>)
    r = std::from_chars(s.data(), end, v, fmt);
  else
    r = std::from_chars(s.data(), end, v);
  return r.ec == std::errc() && r.ptr == end;
}

}  // namespace

CLI::Validator whole_number(int64_t lo, int64_t hi) {
  const std::string range = "from " + std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [=](std::string& s) -> std::string {
        int64_t v;
        if (parse_all(s, v, lo < 0) && v >= lo && v <= hi) return "";
        return "must be a whole number " + range + ", not '" + s + "'";
      },
      "");
}

CLI::Validator decimal_number(double lo, double hi, bool lo_excluded) {
  const std::string range = (lo_excluded ? "above " + show(lo) + " and at most "
                                         : "from " + show(lo) + " to ") + show(hi);
  return CLI::Validator(
      [=](std::string& s) -> std::string {
        double v;
        // "fixed": no exponent, as hostfs's ttl= takes it; inf and nan still parse.
        if (parse_all(s, v, lo < 0, std::chars_format::fixed) && std::isfinite(v) &&
            (lo_excluded ? v > lo : v >= lo) && v <= hi)
          return "";
        return "must be a decimal number " + range + ", not '" + s + "'";
      },
      "");
}

}  // namespace rcuvfs::tools
