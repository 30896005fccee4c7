#include "resolve/linux_world.h"

#include "resolve/tree.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace rcuvfs::resolve_test {
namespace {

class LinuxWorld : public World {
 public:
  LinuxWorld(int root, int proc) : root_(root), proc_(proc) {}
  int root_fd() override { return root_; }
  int openat(int dirfd, const std::string& path, int flags) override {
    int fd = ::openat(dirfd, path.c_str(), flags);
    return fd < 0 ? -errno : fd;
  }
  Outcome openat2(int dirfd, const std::string& path, const open_how& how) override {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd < 0) return Outcome::failure(errno);
    char buf[4096];
    std::string link = "self/fd/" + std::to_string(fd);
    ssize_t n = ::readlinkat(proc_, link.c_str(), buf, sizeof buf);
    int e = errno;
    ::close(static_cast<int>(fd));
    if (n < 0) return Outcome::success("<readlink failed: " + std::string(std::strerror(e)) + ">");
    return Outcome::success(std::string(buf, static_cast<size_t>(n)));
  }
  void close(int fd) override { ::close(fd); }

 private:
  int root_, proc_;
};

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string field(const std::string& p) { return p.empty() ? "-" : p; }

[[noreturn]] void child(int out, const std::vector<ResolveCase>& cases, unsigned timeout_s) {
  ::alarm(timeout_s);
  auto fail = [&](const std::string& what) {
    std::string msg = errno ? what + ": " + std::strerror(errno) : what;
    write_all(out, "SETUP " + msg + "\n");
    ::_exit(0);
  };
  if (::geteuid() != 0) {
    errno = EPERM;
    fail("not root (the kernel side needs CAP_SYS_ADMIN to mount tmpfs)");
  }
  if (::unshare(CLONE_NEWNS) != 0) fail("unshare(CLONE_NEWNS)");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    fail("mount(/, MS_REC|MS_PRIVATE)");
  char dir[] = "/tmp/rcuvfs-resolve.XXXXXX";
  if (!::mkdtemp(dir)) fail("mkdtemp");
  write_all(out, std::string("DIR ") + dir + "\n");
  if (::mount("tmpfs", dir, "tmpfs", 0, "mode=0755") != 0) fail("mount tmpfs");
  int proc = ::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) fail("open /proc");
  int root = ::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail("open tree root");
  ::umask(022);

  TreeOps ops;
  auto rc = [](int r) { return r == 0 ? 0 : errno; };
  ops.mkdir = [&](const std::string& p) { return rc(::mkdirat(root, p.c_str(), 0755)); };
  ops.mkfile = [&](const std::string& p) {
    return rc(::mknodat(root, p.c_str(), S_IFREG | 0644, 0));
  };
  ops.symlink = [&](const std::string& t, const std::string& p) {
    return rc(::symlinkat(t.c_str(), root, p.c_str()));
  };
  ops.mount = [&](const std::string& p) {
    std::string target = std::string(dir) + "/" + p;
    return rc(::mount("tmpfs", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"));
  };
  std::string why;
  if (!build_tree(ops, &why)) {
    errno = 0;
    fail("building the tree: " + why);
  }
  if (::chroot(dir) != 0) fail("chroot");
  if (::chdir("/") != 0) fail("chdir /");

  LinuxWorld world(root, proc);
  std::vector<CaseRun> runs = run_cases(world, cases);
  std::ostringstream os;
  os << "OK\n";
  for (const CaseRun& r : runs)
    os << "R " << r.main.err << ' ' << field(r.main.path) << ' ' << (r.warmed ? 1 : 0) << ' '
       << r.warm.err << ' ' << field(r.warm.path) << '\n';
  write_all(out, os.str());
  ::_exit(0);
}

}  // namespace

LinuxRun run_on_linux(const std::vector<ResolveCase>& cases, unsigned timeout_s) {
  LinuxRun result;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    result.setup_error = std::string("pipe2: ") + std::strerror(errno);
    return result;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    result.setup_error = std::string("fork: ") + std::strerror(errno);
    ::close(p[0]);
    ::close(p[1]);
    return result;
  }
  if (pid == 0) {
    ::close(p[0]);
    child(p[1], cases, timeout_s);
  }
  ::close(p[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(p[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  std::istringstream in(text);
  std::string line, tmpdir;
  bool ok = false;
  while (std::getline(in, line)) {
    if (line.rfind("DIR ", 0) == 0) {
      tmpdir = line.substr(4);
    } else if (line.rfind("SETUP ", 0) == 0) {
      result.setup_error = line.substr(6);
    } else if (line == "OK") {
      ok = true;
    } else if (line.rfind("R ", 0) == 0) {
      std::istringstream ls(line.substr(2));
      CaseRun r;
      int warmed = 0;
      ls >> r.main.err >> r.main.path >> warmed >> r.warm.err >> r.warm.path;
      if (r.main.path == "-") r.main.path.clear();
      if (r.warm.path == "-") r.warm.path.clear();
      r.warmed = warmed;
      result.runs.push_back(r);
    }
  }
  // The mount point lived only in the child's namespace: the directory is empty here.
  if (!tmpdir.empty()) ::rmdir(tmpdir.c_str());
  if (ok && result.runs.size() == cases.size()) {
    result.started = true;
  } else if (result.setup_error.empty()) {
    result.setup_error = "the kernel-side child died (wait status " + std::to_string(status) +
                         ") after " + std::to_string(result.runs.size()) + " cases";
  }
  return result;
}

}  // namespace rcuvfs::resolve_test
