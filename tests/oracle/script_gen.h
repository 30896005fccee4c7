// Random shell scripts for the differential test: short sequences of colliding
// namespace operations on a small set of names (nested names, "..", symlinks and
// symlink loops, renames over existing entries and into subtrees, permission
// changes and credential switches, descriptors and `at FD`).
//
// Deterministic: the same seed gives the same script on every platform (the
// generator uses its own PRNG, not <random>'s distributions). No line can block on
// Linux (no FIFOs are created), and nothing needs capabilities a non-zero fsuid
// keeps on Linux but rcuvfs may not model (no mount, chroot or mknod of devices).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rcuvfs::oracle {

std::vector<std::string> generate_script(uint64_t seed, size_t lines);

}  // namespace rcuvfs::oracle
