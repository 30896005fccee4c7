// Attributes and entries in the shapes libfuse wants.
#pragma once

#include "fuse/server.h"

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <sys/stat.h>

namespace rcuvfs::fuse {

// statx -> struct stat (the kernel shows st_ino and the rest as given).
struct stat to_stat(const Statx& sx);

// The attributes of a node, read with the speculative stat of rcuvfs (statx of the
// node's O_PATH descriptor with AT_EMPTY_PATH).
Result<struct stat> node_stat(Server& s, const Node& node);

// Enter the object behind `fd` (an O_PATH descriptor, consumed) in the node table
// with one more lookup count and fill `e` for fuse_reply_entry / readdirplus.
Status entry_from_fd(Server& s, int fd, fuse_entry_param& e);

// Look `name` up in directory `parent` and enter it in the node table (one more
// lookup count) under that name; fills `e` for fuse_reply_entry / readdirplus.
Status lookup_entry(Server& s, const Node& parent, const char* name, fuse_entry_param& e);

// The Server behind a request. Every handler starts here, which also tags the changes
// its worker thread makes as this mount's: the kernel made those itself, and the
// invalidator leaves them alone.
inline Server& server(fuse_req_t req) {
  Server& s = *static_cast<Server*>(fuse_req_userdata(req));
  set_change_origin(s.origin());
  return s;
}

// Reply with an rcuvfs error (a positive errno), or with 0.
inline void reply_status(fuse_req_t req, const Status& st) { fuse_reply_err(req, st.error()); }

}  // namespace rcuvfs::fuse
