#include "tools/bench/host_tree.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace rcuvfs::tools::bench {

namespace {
std::string sys_error(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string build(int root_fd, const TreeShape& shape) {
  for (const TreeShape::Entry& e : shape.entries()) {
    if (e.is_dir) {
      if (mkdirat(root_fd, e.path.c_str(), 0755) != 0) return sys_error("mkdir " + e.path);
    } else {
      int fd = openat(root_fd, e.path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) return sys_error("create " + e.path);
      close(fd);
    }
  }
  return "";
}
}  // namespace

std::unique_ptr<HostTree> HostTree::create(const TreeShape& shape, std::string* error,
                                           const std::string& parent) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = (!parent.empty() ? parent : std::string(tmp && *tmp ? tmp : "/tmp")) +
                      "/rcuvfs-bench.XXXXXX";
  if (!mkdtemp(templ.data())) {
    *error = sys_error("mkdtemp " + templ);
    return nullptr;
  }
  std::unique_ptr<HostTree> t(new HostTree);
  bool tmpfs = parent.empty() && geteuid() == 0 &&
               mount("tmpfs", templ.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0;
  t->fd_ = open(templ.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (t->fd_ < 0) *error = sys_error("open " + templ);
  if (tmpfs) {
    umount2(templ.c_str(), MNT_DETACH);
    rmdir(templ.c_str());
    t->where_ = "a private tmpfs";
  } else {
    // Not root, or a container that forbids mount(2): the directory's own filesystem.
    t->remove_dir_ = templ;
    t->where_ = templ;
  }
  if (t->fd_ < 0) return nullptr;
  if (std::string e = build(t->fd_, shape); !e.empty()) {
    *error = "host tree in " + t->where_ + ": " + e;
    return nullptr;
  }
  return t;
}

HostTree::~HostTree() {
  if (fd_ >= 0) close(fd_);
  if (!remove_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(remove_dir_, ec);
  }
}

}  // namespace rcuvfs::tools::bench
