#include "tools/bench/files_bench.h"

#include "tools/bench/error_message.h"
#include "tools/bench/proc_status.h"

#include <rcuvfs/vfs.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <string_view>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace rcuvfs::tools::bench {

namespace {
// The tree's shape, shared by both sides: dirs d<k> of up to 1000 files f<i>.
struct Shape {
  explicit Shape(uint64_t files)
      : files(files),
        dirs(std::max<uint64_t>(1, files / 1000)),
        per_dir((files + dirs - 1) / dirs) {}
  uint64_t files, dirs, per_dir;
};

// "f<i>" in buf; to_chars, not snprintf: formatting would cost a fifth of the time.
std::string_view file_name(char (&buf)[32], uint64_t i) {
  buf[0] = 'f';
  return {buf, static_cast<size_t>(std::to_chars(buf + 1, buf + sizeof buf, i).ptr - buf)};
}
std::string dir_name(uint64_t d) {
  std::string name = "d";  // (not "d" + ...: g++ 12 warns about that, PR105651)
  return name += std::to_string(d);
}
}  // namespace

std::string run_files_bench(uint64_t files, FilesOutcome* out) {
  auto vfs = Vfs::create("memfs");
  if (!vfs.ok()) return fail("cannot create a memfs namespace", vfs.error());
  auto task = (*vfs)->new_task();
  if (Status st = task->mkdirat(AT_FDCWD, "f", 0755); !st.ok()) return fail("mkdir f", st.error());

  const Shape shape(files);
  const int64_t rss_before = vm_rss();
  const auto start = std::chrono::steady_clock::now();
  char name[32];
  uint64_t made = 0;
  for (uint64_t d = 0; d < shape.dirs && made < files; ++d) {
    const std::string dir = "f/" + dir_name(d);
    if (Status st = task->mkdirat(AT_FDCWD, dir, 0755); !st.ok()) return fail(dir, st.error());
    // Create relative to a descriptor: the cost measured is the creation, not a
    // re-walk of the directory path for every file.
    auto dfd = task->openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY);
    if (!dfd.ok()) return fail(dir, dfd.error());
    for (uint64_t i = 0; i < shape.per_dir && made < files; ++i, ++made) {
      const std::string_view file = file_name(name, i);
      if (Status st = task->mknodat(*dfd, file, S_IFREG | 0644, 0); !st.ok())
        return fail(std::string(file), st.error());
    }
    (void)task->close(*dfd);
  }
  out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out->files = files;
  out->dirs = shape.dirs;
  out->bytes_per_file = static_cast<double>(vm_rss() - rss_before) / static_cast<double>(files);
  return "";
}

std::string run_kernel_files_bench(uint64_t files, FilesOutcome* out, std::string* where) {
  struct statfs sfs;
  if (::statfs("/dev/shm", &sfs) != 0 || sfs.f_type != TMPFS_MAGIC)
    return "/dev/shm is not a tmpfs: no kernel figure";
  char root[] = "/dev/shm/rcuvfs-files.XXXXXX";
  if (!::mkdtemp(root)) return fail("mkdtemp /dev/shm", errno);
  *where = root;
  const int root_fd = ::open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return fail(root, errno);
  const Shape shape(files);
  std::string error;
  char name[32];
  uint64_t made = 0, dirs_made = 0;
  const int64_t slab_before = kernel_slab();
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t d = 0; d < shape.dirs && made < files && error.empty(); ++d, ++dirs_made) {
    const std::string dir = dir_name(d);
    if (::mkdirat(root_fd, dir.c_str(), 0755) != 0) {
      error = fail(dir, errno);
      break;
    }
    const int dfd = ::openat(root_fd, dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
      error = fail(dir, errno);
      break;
    }
    for (uint64_t i = 0; i < shape.per_dir && made < files; ++i, ++made) {
      const std::string file(file_name(name, i));
      if (::mknodat(dfd, file.c_str(), S_IFREG | 0644, 0) != 0) {
        error = fail(file, errno);
        break;
      }
    }
    ::close(dfd);
  }
  out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out->files = made;
  out->dirs = dirs_made;
  out->bytes_per_file =
      made ? static_cast<double>(kernel_slab() - slab_before) / static_cast<double>(made) : 0;
  // Remove what was made, measured or not.
  for (uint64_t d = 0; d < dirs_made; ++d) {
    const std::string dir = dir_name(d);
    const int dfd = ::openat(root_fd, dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      for (uint64_t i = 0; i < shape.per_dir; ++i)
        if (::unlinkat(dfd, std::string(file_name(name, i)).c_str(), 0) != 0 && errno == ENOENT)
          break;
      ::close(dfd);
    }
    ::unlinkat(root_fd, dir.c_str(), AT_REMOVEDIR);
  }
  ::close(root_fd);
  ::rmdir(root);
  return error;
}

}  // namespace rcuvfs::tools::bench
