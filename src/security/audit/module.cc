// The audit module: one log line per stat, open and namespace change.
#include "security/audit/log.h"

#include <rcuvfs/security/audit.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace rcuvfs::audit {

namespace {

std::string child_path(const SecPath& dir, std::string_view name) {
  std::string p = dir.path();
  if (p.back() != '/') p.push_back('/');
  p.append(name);
  return p;
}

const char* type_name(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock";
    default: return "reg";
  }
}

std::string open_flags(int flags) {
  std::string f;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: f = "rdonly"; break;
    case O_WRONLY: f = "wronly"; break;
    default: f = "rdwr"; break;
  }
  if (flags & O_CREAT) f += ",creat";
  if (flags & O_TRUNC) f += ",trunc";
  if (flags & O_APPEND) f += ",append";
  if (flags & O_DIRECTORY) f += ",directory";
  return f;
}

class Module final : public SecurityModule {
 public:
  Module(int fd, bool own, Options opt) : sink_(fd, own), opt_(opt) {}
  std::string_view name() const override { return "audit"; }

  int inode_getattr(const SecPath& at, const Cred& cred, unsigned flags) override {
    // Writing blocks: let the walker come back with references.
    if (flags & kMayNotBlock) return -ECHILD;
    log(cred, "stat", at.path());
    return 0;
  }
  int inode_getxattr(const SecPath& at, std::string_view name, const Cred& cred,
                     unsigned flags) override {
    if (flags & kMayNotBlock) return -ECHILD;
    log(cred, "getxattr", at.path(), name_field(name));
    return 0;
  }
  int inode_listxattr(const SecPath& at, const Cred& cred, unsigned flags) override {
    if (flags & kMayNotBlock) return -ECHILD;
    log(cred, "listxattr", at.path());
    return 0;
  }
  int inode_readlink(const SecPath& link, const Cred& cred, unsigned flags) override {
    if (flags & kMayNotBlock) return -ECHILD;
    log(cred, "readlink", link.path());
    return 0;
  }
  int inode_setxattr(const SecPath& at, std::string_view name, std::string_view, int,
                     const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "setxattr", at.path(), name_field(name));
    return 0;
  }
  int inode_removexattr(const SecPath& at, std::string_view name, const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "removexattr", at.path(), name_field(name));
    return 0;
  }
  int file_open(const SecPath& at, int flags, bool created, const Cred& cred) override {
    log(cred, "open", at.path(),
        " flags=" + open_flags(flags) + " created=" + (created ? "1" : "0"));
    return 0;
  }

  int path_mknod(const SecPath& dir, std::string_view name, mode_t mode, dev_t,
                 const Cred& cred) override {
    if (opt_.namespace_changes)
      log(cred, "mknod", child_path(dir, name), std::string(" type=") + type_name(mode));
    return 0;
  }
  int path_mkdir(const SecPath& dir, std::string_view name, mode_t,
                 const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "mkdir", child_path(dir, name));
    return 0;
  }
  int path_symlink(const SecPath& dir, std::string_view name, std::string_view,
                   const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "symlink", child_path(dir, name));
    return 0;
  }
  int path_link(const SecPath& old, const SecPath& new_dir, std::string_view new_name,
                const Cred& cred) override {
    if (opt_.namespace_changes)
      log(cred, "link", old.path(), " new=" + quoted(child_path(new_dir, new_name)));
    return 0;
  }
  int path_unlink(const SecPath& dir, const Inode&, std::string_view name,
                  const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "unlink", child_path(dir, name));
    return 0;
  }
  int path_rmdir(const SecPath& dir, const Inode&, std::string_view name,
                 const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "rmdir", child_path(dir, name));
    return 0;
  }
  int path_rename(const SecPath& old_dir, const Inode&, std::string_view old_name,
                  const SecPath& new_dir, const Inode*, std::string_view new_name,
                  unsigned flags, const Cred& cred) override {
    if (opt_.namespace_changes)
      log(cred, "rename", child_path(old_dir, old_name),
          " new=" + quoted(child_path(new_dir, new_name)) +
              " exchange=" + ((flags & RENAME_EXCHANGE) ? "1" : "0"));
    return 0;
  }
  int path_chmod(const SecPath& at, mode_t, const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "chmod", at.path());
    return 0;
  }
  int path_chown(const SecPath& at, uid_t, gid_t, const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "chown", at.path());
    return 0;
  }
  int path_truncate(const SecPath& at, off_t, const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "truncate", at.path());
    return 0;
  }
  int sb_mount(const SecPath*, const SecPath& target, std::string_view,
               const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "mount", target.path());
    return 0;
  }
  int sb_umount(const SecPath& root, const Cred& cred) override {
    if (opt_.namespace_changes) log(cred, "umount", root.path());
    return 0;
  }

 private:
  static std::string name_field(std::string_view name) {
    return " name=" + quoted(std::string(name));
  }
  static std::string quoted(const std::string& s) {
    std::string out;
    append_quoted(out, s);
    return out;
  }
  void log(const Cred& cred, const char* op, const std::string& path,
           const std::string& extra = {}) {
    std::string line = "uid=" + std::to_string(cred.uid) + " gid=" +
                       std::to_string(cred.gid) + " op=" + op + " path=";
    append_quoted(line, path);
    line += extra;
    line.push_back('\n');
    sink_.write_line(line);
  }

  LogSink sink_;
  const Options opt_;
};

}  // namespace

std::shared_ptr<SecurityModule> to_fd(int fd, bool own, Options opt) {
  return std::make_shared<Module>(fd, own, opt);
}

Result<std::shared_ptr<SecurityModule>> open_log(std::string_view host_path, Options opt) {
  const std::string p(host_path);
  const int fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Err{errno};
  return to_fd(fd, true, opt);
}

}  // namespace rcuvfs::audit
