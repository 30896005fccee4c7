// The machine a run was made on, for the table header and the JSON.
#pragma once

#include <string>

namespace rcuvfs::tools::bench {

struct Machine {
  std::string cpu;     // "model name" of /proc/cpuinfo
  int nproc;           // CPUs this process may run on (as nproc(1) counts them)
  std::string kernel;  // "Linux 6.1.0-..."
};

Machine probe_machine();

}  // namespace rcuvfs::tools::bench
