// The README's embedding example, as a program: prints the mode and size of a file
// made in a fresh memfs namespace.
#include <rcuvfs/vfs.h>

#include <cstdio>
#include <cstring>

int main() {
  auto vfs = rcuvfs::Vfs::create("memfs");
  if (!vfs.ok()) return 1;
  auto task = (*vfs)->new_task();
  if (!task->mkdirat(AT_FDCWD, "etc", 0755).ok()) return 1;
  auto fd = task->openat(AT_FDCWD, "etc/motd", O_CREAT | O_WRONLY, 0644);
  if (!fd.ok()) return 1;
  if (!task->write(*fd, "hi\n", 3).ok() || !task->close(*fd).ok()) return 1;
  auto st = task->statx(AT_FDCWD, "etc/motd", 0, STATX_BASIC_STATS);
  if (!st.ok()) {
    std::fprintf(stderr, "stat: %s\n", std::strerror(st.error()));
    return 1;
  }
  std::printf("mode=%o size=%llu\n", st->stx_mode, static_cast<unsigned long long>(st->stx_size));
  return 0;
}
