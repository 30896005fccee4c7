// `rcuvfs mount`: serve a fresh rcuvfs namespace on a mount point through FUSE until
// it is unmounted (fusermount3 -u) or the server gets SIGINT/SIGTERM/SIGHUP.
#pragma once

#include "fuse/options.h"

namespace rcuvfs::fuse {

// Returns the process exit status: 0 after a clean unmount with every rcuvfs
// descriptor of the server closed; 1 when serving failed or something leaked; 2 when
// the namespace or the mount could not be set up.
int run_mount(const MountOptions& opt);

}  // namespace rcuvfs::fuse
