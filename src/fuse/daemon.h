// Going to the background the way mount(8) callers expect: the command returns only
// once the filesystem is mounted (or failed to be), with a matching exit status.
#pragma once

namespace rcuvfs::fuse {

// Fork. The parent waits for the child's report and _exits with its status; the
// child returns (in a new session) and must call daemon_ready or daemon_failed.
// Returns false when fork itself failed.
bool daemon_start();
// The child is serving: detach from the terminal (stdio to /dev/null, cwd /) and let
// the parent exit 0.
void daemon_ready();
// The child could not start: the parent exits with `status`.
void daemon_failed(int status);

}  // namespace rcuvfs::fuse
