// The life of a mount: namespace, FUSE session, kernel mount, request loop, and the
// accounting at exit that proves nothing was left behind.
#include "fuse/session.h"

#include "fuse/daemon.h"
#include "fuse/invalidator.h"
#include "fuse/mountpoint.h"
#include "fuse/ops.h"
#include "fuse/server.h"

#include <rcuvfs/vfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace rcuvfs::fuse {
namespace {

// libfuse's arguments: the program name, -d, and one -o with ours and the user's.
// default_permissions is always on: it is the permission model (see server.h).
std::vector<std::string> fuse_argv(const MountOptions& opt, std::string_view fstype) {
  std::vector<std::string> argv{"rcuvfs"};
  if (opt.debug) argv.push_back("-d");
  std::string o = "default_permissions,fsname=rcuvfs,subtype=";
  o += fstype;
  for (const auto& extra : opt.fuse_opts)
    if (!extra.empty()) o += "," + extra;
  argv.push_back("-o");
  argv.push_back(o);
  return argv;
}

// After the session: release what the kernel still held (its lookup counts all drop
// to zero at unmount) and check that every rcuvfs descriptor the server opened is
// closed. Returns true when nothing leaked.
bool release_and_check(Server& s, const Invalidator& inv, bool report) {
  const int64_t files = s.open_files.load(), dirs = s.open_dirs.load();
  const uint64_t forgets = s.nodes.forgets();
  const size_t nodes = s.nodes.clear();
  size_t left_open = 0;
  for (int fd = 3; fd <= s.max_fd.load(); ++fd) {
    if (s.task.close(fd).ok()) ++left_open;
  }
  const bool clean = files == 0 && dirs == 0 && left_open == 0;
  if (report || !clean) {
    const Counters c = Vfs::counters();
    std::fprintf(stderr,
                 "rcuvfs mount: exit: %zu nodes known at unmount, %llu forgets, "
                 "%lld file and %lld directory handles unreleased, %zu descriptors "
                 "left open; stats: %llu speculative, %llu fell back; timeouts %g/%g s, "
                 "%llu invalidations sent, %llu overflows\n",
                 nodes, static_cast<unsigned long long>(forgets),
                 static_cast<long long>(files), static_cast<long long>(dirs), left_open,
                 static_cast<unsigned long long>(c.get(Counter::kStatSpeculative)),
                 static_cast<unsigned long long>(c.get(Counter::kStatFallback)),
                 s.opt.entry_timeout, s.opt.attr_timeout,
                 static_cast<unsigned long long>(inv.sent()),
                 static_cast<unsigned long long>(inv.overflows()));
  }
  return clean;
}

int fail_setup(const MountOptions& opt, const std::string& why) {
  std::fprintf(stderr, "rcuvfs mount: %s\n", why.c_str());
  if (!opt.foreground) daemon_failed(2);
  return 2;
}

}  // namespace

int run_mount(const MountOptions& opt) {
  std::string_view fstype = opt.fs, fsopts;
  if (auto colon = fstype.find(':'); colon != std::string_view::npos) {
    fsopts = fstype.substr(colon + 1);
    fstype = fstype.substr(0, colon);
  }
  // Checked here rather than left to libfuse, while the caller's terminal still
  // shows the message, and before a namespace is made for nothing.
  if (std::string e = check_mountpoint(opt.mountpoint); !e.empty()) return fail_setup(opt, e);
  // Fork before rcuvfs starts any thread: RCU state does not survive a fork.
  if (!opt.foreground && !daemon_start())
    return fail_setup(opt, std::string("fork: ") + std::strerror(errno));

  auto vfs = Vfs::create(fstype, fsopts);
  if (!vfs.ok())
    return fail_setup(opt, "cannot create a '" + opt.fs + "' namespace: " +
                               std::strerror(vfs.error()));
  if (opt.cache) (void)(*vfs)->set_cache_budget(opt.cache);
  std::unique_ptr<Task> task = (*vfs)->new_task();
  // The kernel applies the requester's umask before a create reaches us.
  task->umask(0);
  // One O_PATH descriptor per node the kernel knows, however many it caches.
  (void)task->set_fd_limit(Task::kMaxFdLimit);
  auto root = task->openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (!root.ok()) return fail_setup(opt, std::string("root: ") + std::strerror(root.error()));
  // The kernel may cache for good what the invalidator keeps it told about.
  MountOptions resolved = opt;
  const bool coherent = (*vfs)->reports_every_change();
  const double timeout = coherent ? kCoherentTimeout : kDefaultTimeout;
  if (resolved.entry_timeout < 0) resolved.entry_timeout = timeout;
  if (resolved.attr_timeout < 0) resolved.attr_timeout = timeout;
  auto server = std::make_unique<Server>(*task, resolved, coherent);
  server->note_fd(*root);
  if (auto st = server->nodes.set_root(*root); !st.ok())
    return fail_setup(opt, std::string("root: ") + std::strerror(st.error()));

  std::vector<std::string> args = fuse_argv(opt, fstype);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  const fuse_lowlevel_ops ops = make_ops();
  fuse_session* se = fuse_session_new(&fargs, &ops, sizeof ops, server.get());
  fuse_opt_free_args(&fargs);
  if (!se) return fail_setup(opt, "bad FUSE options (see -o)");
  if (fuse_set_signal_handlers(se) != 0) {
    fuse_session_destroy(se);
    return fail_setup(opt, "cannot install signal handlers");
  }
  if (fuse_session_mount(se, opt.mountpoint.c_str()) != 0) {
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    return fail_setup(opt, "cannot mount on " + opt.mountpoint);
  }
  if (!opt.foreground) daemon_ready();
  Invalidator invalidator(*server, se, **vfs, opt.change_queue);

  int rc;
  if (opt.single_thread) {
    rc = fuse_session_loop(se);
  } else {
    fuse_loop_config* cfg = fuse_loop_cfg_create();
    fuse_loop_cfg_set_clone_fd(cfg, 0);
    rc = fuse_session_loop_mt(se, cfg);
    fuse_loop_cfg_destroy(cfg);
  }
  invalidator.stop();
  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);

  const bool clean = release_and_check(*server, invalidator, opt.exit_report);
  server.reset();
  task.reset();
  vfs->reset();
  if (rc < 0) std::fprintf(stderr, "rcuvfs mount: the request loop failed\n");
  return (rc < 0 || !clean) ? 1 : 0;
}

}  // namespace rcuvfs::fuse
