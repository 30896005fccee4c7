// `rcuvfs bench --files N`: what a big namespace costs. Builds N files spread over
// N/1000 directories in a fresh memfs namespace and reports the build time and the
// memory per file (growth of the process's resident set, VmRSS); then, side by side,
// the same tree made with the kernel's mknodat in a fresh directory on a tmpfs
// (/dev/shm), whose memory is the growth of the kernel's slab (/proc/meminfo: dentries
// and inodes), removed afterwards.
#pragma once

#include <cstdint>
#include <string>

namespace rcuvfs::tools::bench {

struct FilesOutcome {
  uint64_t files = 0;
  uint64_t dirs = 0;
  double seconds = 0;
  double bytes_per_file = 0;
  double seconds_per_million() const { return seconds * 1e6 / static_cast<double>(files); }
};

// Returns an error message, or "" with *out filled.
std::string run_files_bench(uint64_t files, FilesOutcome* out);
// The kernel's side; *where says where the tree was made.
std::string run_kernel_files_bench(uint64_t files, FilesOutcome* out, std::string* where);

}  // namespace rcuvfs::tools::bench
