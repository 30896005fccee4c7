// Ownership of objects created through the mount (see server.h for why objects are
// created as root and then handed over).
#pragma once

#include "fuse/server.h"

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

namespace rcuvfs::fuse {

// Give `node`, just created in `parent` with `mode` (type and permission bits as
// requested), to the requester's fsuid/fsgid, as Linux's inode_init_owner would
// have: a setgid parent's group is kept, and the setuid/setgid bits that chown
// clears are put back when the requester could have set them.
Status give_to_requester(Server& s, fuse_req_t req, const Node& parent, const Node& node,
                         mode_t mode);

}  // namespace rcuvfs::fuse
