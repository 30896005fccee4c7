#include "tools/bench/files_bench.h"

#include <rcuvfs/vfs.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>

namespace rcuvfs::tools::bench {

namespace {
// Resident set size in bytes, from /proc/self/status ("VmRSS:  1234 kB").
int64_t vm_rss() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  return 0;
}

std::string fail(const std::string& what, int err) { return what + ": " + std::strerror(err); }
}  // namespace

std::string run_files_bench(uint64_t files, FilesOutcome* out) {
  auto vfs = Vfs::create("memfs");
  if (!vfs.ok()) return fail("cannot create a memfs namespace", vfs.error());
  auto task = (*vfs)->new_task();
  if (Status st = task->mkdirat(AT_FDCWD, "f", 0755); !st.ok()) return fail("mkdir f", st.error());

  const uint64_t dirs = std::max<uint64_t>(1, files / 1000);
  const uint64_t per_dir = (files + dirs - 1) / dirs;
  const int64_t rss_before = vm_rss();
  const auto start = std::chrono::steady_clock::now();
  char name[32];
  uint64_t made = 0;
  for (uint64_t d = 0; d < dirs && made < files; ++d) {
    std::snprintf(name, sizeof name, "f/d%llu", static_cast<unsigned long long>(d));
    if (Status st = task->mkdirat(AT_FDCWD, name, 0755); !st.ok()) return fail(name, st.error());
    // Create relative to a descriptor: the cost measured is the creation, not a
    // re-walk of the directory path for every file.
    auto dfd = task->openat(AT_FDCWD, name, O_RDONLY | O_DIRECTORY);
    if (!dfd.ok()) return fail(name, dfd.error());
    for (uint64_t i = 0; i < per_dir && made < files; ++i, ++made) {
      std::snprintf(name, sizeof name, "f%llu", static_cast<unsigned long long>(i));
      if (Status st = task->mknodat(*dfd, name, S_IFREG | 0644, 0); !st.ok())
        return fail(name, st.error());
    }
    (void)task->close(*dfd);
  }
  out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out->files = files;
  out->dirs = dirs;
  out->bytes_per_file = static_cast<double>(vm_rss() - rss_before) / static_cast<double>(files);
  return "";
}

}  // namespace rcuvfs::tools::bench
