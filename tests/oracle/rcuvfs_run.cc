#include "oracle/rcuvfs_run.h"

#include "shell/executor.h"
#include "shell/task_backend.h"

#include <rcuvfs/vfs.h>

#include <cstring>

namespace rcuvfs::oracle {

RcuvfsRun run_on_rcuvfs(const std::vector<std::string>& script,
                        const std::string& fstype, const std::string& options) {
  RcuvfsRun run;
  auto vfs = Vfs::create(fstype, options);
  if (!vfs.ok()) {
    run.setup_error = "Vfs::create(" + fstype + "): " + std::strerror(vfs.error());
    return run;
  }
  {
    auto task = (*vfs)->new_task();
    shell::TaskBackend backend(*task);
    shell::Executor ex(backend);
    for (const auto& line : script)
      if (auto r = ex.run_line(line)) run.output.push_back(std::move(*r));
    run.exit_status = ex.saw_bad() ? 1 : 0;
  }
  run.started = true;
  return run;
}

}  // namespace rcuvfs::oracle
