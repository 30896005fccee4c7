// Linux errno symbols for `err NAME` output lines.
#pragma once

#include <string>

namespace rcuvfs::shell {

// "ENOENT" for ENOENT, ... Aliases print their canonical name (EWOULDBLOCK ->
// "EAGAIN", EDEADLOCK -> "EDEADLK", ENOTSUP -> "EOPNOTSUPP"), as glibc's
// strerrorname_np does. An unknown value prints as "E<number>".
std::string errno_name(int err);

}  // namespace rcuvfs::shell
