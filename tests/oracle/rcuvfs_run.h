// Running a shell script on a fresh rcuvfs namespace (root fs memfs unless
// told otherwise, task uid 0).
#pragma once

#include <string>
#include <vector>

namespace rcuvfs::oracle {

struct RcuvfsRun {
  bool started = false;
  std::string setup_error;
  std::vector<std::string> output;
  int exit_status = -1;
};

RcuvfsRun run_on_rcuvfs(const std::vector<std::string>& script,
                        const std::string& fstype = "memfs",
                        const std::string& options = "");

}  // namespace rcuvfs::oracle
