#include "tools/bench/proc_status.h"

#include <dirent.h>

#include <fstream>
#include <string>

namespace rcuvfs::tools::bench {

int64_t proc_kb_field(const char* file, std::string_view key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':')
      return std::stoll(line.substr(key.size() + 1)) * 1024;
  return 0;
}

int open_descriptors() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n - 1;  // opendir's own
}

}  // namespace rcuvfs::tools::bench
