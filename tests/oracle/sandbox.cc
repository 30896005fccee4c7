#include "oracle/sandbox.h"

#include "oracle/linux_backend.h"
#include "shell/executor.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace rcuvfs::oracle {
namespace {

constexpr int kSetupFailed = 77;
constexpr char kSetupMarker[] = "!setup: ";

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

[[noreturn]] void setup_failed(int out, const char* what) {
  write_all(out, std::string(kSetupMarker) + what + ": " + std::strerror(errno) + "\n");
  _exit(kSetupFailed);
}

// Descriptors as rcuvfs numbers them: 0, 1 and 2 open, the script's from 3 upward,
// lowest free first, and the soft RLIMIT_NOFILE at rcuvfs's default (1024). The
// sandbox's own two descriptors (`out`, `proc_fd`: renumbered in place) go to the top
// of the hard limit, out of the way of any `nofile` limit a script sets below it, and
// every inherited one is closed.
void arrange_descriptors(int& out, int& proc_fd) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) < 0) setup_failed(out, "getrlimit");
  lim.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &lim) < 0) setup_failed(out, "setrlimit");
  const int top = static_cast<int>(lim.rlim_max) - 2;
  for (int* fd : {&out, &proc_fd}) {
    const int moved = ::fcntl(*fd, F_DUPFD_CLOEXEC, top);
    if (moved < 0) setup_failed(out, "F_DUPFD_CLOEXEC");
    ::close(*fd);
    *fd = moved;
  }
  for (int fd = 0; fd < 3; ++fd)
    if (::fcntl(fd, F_GETFD) < 0 && ::open("/dev/null", O_RDWR) != fd)
      setup_failed(out, "open /dev/null");
  if (::close_range(3, static_cast<unsigned>(top) - 1, 0) < 0) setup_failed(out, "close_range");
  lim.rlim_cur = std::min<rlim_t>(1024, lim.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &lim) < 0) setup_failed(out, "setrlimit");
}

// The child: never returns.
[[noreturn]] void child_main(int out, const std::vector<std::string>& script,
                             unsigned timeout_s) {
  alarm(timeout_s);
  if (::unshare(CLONE_NEWNS) < 0) setup_failed(out, "unshare(CLONE_NEWNS)");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
    setup_failed(out, "mount --make-rprivate /");
  // Any existing directory will do: the mount is private to this namespace.
  const char* root = "/tmp";
  if (::mount("tmpfs", root, "tmpfs", 0, "mode=0755") < 0)
    setup_failed(out, "mount tmpfs");
  int proc_fd = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc_fd < 0) setup_failed(out, "open /proc/self/fd");
  arrange_descriptors(out, proc_fd);
  if (::chroot(root) < 0) setup_failed(out, "chroot");
  if (::chdir("/") < 0) setup_failed(out, "chdir /");
  ::umask(022);

  bool bad = false;
  {
    LinuxBackend backend(proc_fd);
    shell::Executor ex(backend);
    for (const auto& line : script) {
      if (auto r = ex.run_line(line))
        if (!write_all(out, *r + "\n")) _exit(kSetupFailed);
    }
    bad = ex.saw_bad();
  }
  _exit(bad ? 1 : 0);
}

}  // namespace

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

LinuxRun run_on_linux(const std::vector<std::string>& script, unsigned timeout_s) {
  LinuxRun run;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) {
    run.setup_error = std::string("pipe: ") + std::strerror(errno);
    return run;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    run.setup_error = std::string("fork: ") + std::strerror(errno);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return run;
  }
  if (pid == 0) {
    ::close(pipefd[0]);
    child_main(pipefd[1], script, timeout_s);
  }
  ::close(pipefd[1]);
  std::string text;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.output = split_lines(text);
  if (WIFSIGNALED(status)) {
    run.setup_error = std::string("the Linux shell died of signal ") +
                      strsignal(WTERMSIG(status)) +
                      (WTERMSIG(status) == SIGALRM ? " (a line blocked?)" : "");
    return run;
  }
  int code = WEXITSTATUS(status);
  if (code == kSetupFailed) {
    run.setup_error = run.output.empty() ? "setup failed" : run.output.back();
    if (run.setup_error.rfind(kSetupMarker, 0) == 0)
      run.setup_error.erase(0, sizeof kSetupMarker - 1);
    return run;
  }
  run.started = true;
  run.exit_status = code;
  return run;
}

}  // namespace rcuvfs::oracle
