#include "fuse/daemon.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace rcuvfs::fuse {
namespace {
int g_report_fd = -1;  // the child's end of the pipe to the waiting parent

void report(unsigned char status) {
  if (g_report_fd < 0) return;
  ssize_t n;
  do n = write(g_report_fd, &status, 1);
  while (n < 0 && errno == EINTR);
  close(g_report_fd);
  g_report_fd = -1;
}
}  // namespace

bool daemon_start() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return false;
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return false;
  }
  if (pid > 0) {
    close(p[1]);
    unsigned char status = 1;
    ssize_t n;
    do n = read(p[0], &status, 1);
    while (n < 0 && errno == EINTR);
    // No report at all: the child died before it could say anything.
    if (n != 1) {
      int ws = 0;
      waitpid(pid, &ws, 0);
      _exit(WIFEXITED(ws) && WEXITSTATUS(ws) ? WEXITSTATUS(ws) : 1);
    }
    _exit(status);
  }
  close(p[0]);
  g_report_fd = p[1];
  setsid();
  return true;
}

void daemon_ready() {
  if (chdir("/") != 0) {
    // Staying in the old directory only keeps it busy; not a reason to fail.
  }
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) close(null);
  }
  report(0);
}

void daemon_failed(int status) { report(static_cast<unsigned char>(status ? status : 1)); }

}  // namespace rcuvfs::fuse
