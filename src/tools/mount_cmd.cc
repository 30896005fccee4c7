// `rcuvfs mount MOUNTPOINT [--fs TYPE[:ARG]] [-f] [-s] [-d] [-o OPTIONS]`: serve an
// rcuvfs namespace as a real filesystem through FUSE (src/fuse).
#include "fuse/session.h"
#include "tools/commands.h"
#include "tools/number_option.h"
#include "tools/size_option.h"

#include <memory>

namespace rcuvfs::tools {

void add_mount_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<fuse::MountOptions>();
  CLI::App* sub = app.add_subcommand(
      "mount", "Serve a fresh rcuvfs namespace on MOUNTPOINT through FUSE "
               "(unmount with fusermount3 -u MOUNTPOINT)");
  sub->add_option("mountpoint", opt->mountpoint, "Directory to mount on")->required();
  sub->add_option("--fs", opt->fs,
                  "Root filesystem type, optionally TYPE:OPTIONS (default memfs; "
                  "hostfs:DIR a host directory; etcd:HOST:PORT[,...][,prefix=P] a namespace "
                  "kept in an etcd cluster)");
  sub->add_flag("-f,--foreground", opt->foreground, "Stay in the foreground");
  sub->add_flag("-s,--single-thread", opt->single_thread,
                "Serve one request at a time (default: a thread pool)");
  sub->add_flag("-d,--debug", opt->debug, "Trace every FUSE request (implies -f)");
  sub->add_option("-o", opt->fuse_opts,
                  "Mount options for libfuse and the kernel (comma-separated, repeatable; "
                  "default_permissions is always on)")
      ->allow_extra_args(false);
  sub->add_option("--entry-timeout", opt->entry_timeout,
                  "Seconds the kernel caches a name lookup (default: 86400 when the "
                  "namespace reports every change, as memfs, hostfs and etcd (unless watch=0) do; "
                  "else 1)")
      ->check(seconds_or_zero());
  sub->add_option("--attr-timeout", opt->attr_timeout,
                  "Seconds the kernel caches attributes (default as --entry-timeout)")
      ->check(seconds_or_zero());
  sub->add_option("--change-queue", opt->change_queue,
                  "Changes the server may fall behind by before it drops everything the "
                  "kernel caches (default 16384)")
      ->check(whole_number(1, int64_t{1} << 30));
  add_cache_option(sub, opt->cache);
  sub->add_flag("--exit-report", opt->exit_report,
                "At exit, print the nodes still known, forgets received and any "
                "descriptor left open (standard error, foreground only)");
  sub->callback([opt, &exit_code] {
    if (opt->debug) opt->foreground = true;
    exit_code = fuse::run_mount(*opt);
  });
}

}  // namespace rcuvfs::tools
