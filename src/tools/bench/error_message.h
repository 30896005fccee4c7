// The message of a benchmark that cannot set up: what failed, and why.
#pragma once

#include <cstring>
#include <string>

namespace rcuvfs::tools::bench {

inline std::string fail(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

}  // namespace rcuvfs::tools::bench
