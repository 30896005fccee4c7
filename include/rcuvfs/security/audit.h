// audit: a security module that records every stat, readlink, extended-attribute read
// and open (and, unless disabled, every namespace change) as one line of a log.
//
//   auto mod = rcuvfs::audit::open_log("/var/log/rcuvfs.audit");
//   vfs->add_security_module(*mod);
//
// Writing blocks, so the module refuses in RCU mode (-ECHILD): the walker then takes
// references and asks again, and only that second call writes. Every stat and open
// that reaches the module's hooks is logged exactly once. The module never denies;
// events that an earlier module (in registration order) denied do not reach it, so
// register it last to log what was allowed, or first to log every attempt.
//
// One line per event, written with a single write(2) under the module's lock:
//   uid=UID gid=GID op=OP path=PATH [key=value ...]
// OP: stat readlink getxattr listxattr open mknod mkdir symlink link unlink rmdir rename chmod
// chown truncate setxattr removexattr mount umount. PATH is the object's path from the task's root, quoted like the
// shell's output ("...", with \\ \" \n \t \xHH escapes) when it holds a byte outside
// 0x21-0x7e or a quote or backslash. open adds flags=rdonly|wronly|rdwr[,creat][,trunc]
// [,append][,directory] and created=0|1; rename adds new=PATH and exchange=0|1; link
// adds new=PATH; mknod adds type=reg|chr|blk|fifo|sock; the xattr calls but listxattr
// add name=NAME (quoted as PATH is).
#pragma once

#include <rcuvfs/result.h>
#include <rcuvfs/security.h>

#include <memory>
#include <string_view>

namespace rcuvfs::audit {

struct Options {
  bool namespace_changes = true;  // also log mknod..umount, not only stat and open
};

// Log to `fd`; with `own`, the module closes it when destroyed.
std::shared_ptr<SecurityModule> to_fd(int fd, bool own, Options opt = {});
// Log to a host file, appended to (created 0600 when missing).
Result<std::shared_ptr<SecurityModule>> open_log(std::string_view host_path,
                                                 Options opt = {});

}  // namespace rcuvfs::audit
