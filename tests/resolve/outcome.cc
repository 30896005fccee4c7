#include "resolve/outcome.h"

#include <cstring>

namespace rcuvfs::resolve_test {

std::string describe(const Outcome& o) {
  if (o.ok()) return "ok '" + o.path + "'";
  const char* name = strerrorname_np(o.err);
  std::string s = name ? name : ("errno " + std::to_string(o.err));
  return s + " (" + std::strerror(o.err) + ")";
}

}  // namespace rcuvfs::resolve_test
