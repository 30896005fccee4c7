#include "resolve/runner.h"

#include <cerrno>
#include <fcntl.h>

namespace rcuvfs::resolve_test {

std::vector<CaseRun> run_cases(World& world, const std::vector<ResolveCase>& cases) {
  std::vector<CaseRun> runs;
  runs.reserve(cases.size());
  for (const ResolveCase& c : cases) {
    CaseRun run;
    int dfd;
    if (c.dir.empty()) {
      dfd = world.root_fd();
    } else {
      dfd = world.openat(world.root_fd(), c.dir, O_PATH | O_DIRECTORY);
      if (dfd < 0) {  // the tree is broken: report it as the case's outcome
        run.main = Outcome::failure(-dfd);
        runs.push_back(run);
        continue;
      }
    }
    const bool mutating = c.flags & (O_CREAT | O_TRUNC);
    if ((c.resolve & RESOLVE_CACHED) && !mutating) {
      open_how warm{};
      warm.flags = O_PATH | (c.flags & (O_NOFOLLOW | O_DIRECTORY));
      warm.resolve = c.resolve & ~uint64_t{RESOLVE_CACHED};
      // An unscoped lookup first (fills the dcache even where the scoped one stops
      // early), then the scoped twin whose outcome is recorded.
      open_how plain = warm;
      plain.resolve = 0;
      (void)world.openat2(dfd, c.path, plain);
      run.warmed = true;
      run.warm = world.openat2(dfd, c.path, warm);
    }
    open_how how{};
    how.flags = c.flags;
    how.mode = c.mode;
    how.resolve = c.resolve;
    run.main = world.openat2(dfd, c.path, how);
    if (dfd != world.root_fd()) world.close(dfd);
    runs.push_back(run);
  }
  return runs;
}

}  // namespace rcuvfs::resolve_test
