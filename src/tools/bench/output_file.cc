#include "tools/bench/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace rcuvfs::tools::bench {
namespace {
std::string failed(const std::string& path, int err) {
  return path + ": " + std::strerror(err);
}
}  // namespace

OutputFile::~OutputFile() {
  if (fd_ < 0) return;
  ::close(fd_);
  if (created_ && !written_) ::unlink(path_.c_str());
}

std::string OutputFile::open(const std::string& dest) {
  path_ = dest;
  if (dest == "-") return "";
  // O_EXCL first: only a file made here is removed when the run fails.
  fd_ = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  created_ = fd_ >= 0;
  if (fd_ < 0 && errno == EEXIST) fd_ = ::open(dest.c_str(), O_WRONLY | O_CLOEXEC);
  return fd_ < 0 ? failed(dest, errno) : "";
}

std::string OutputFile::write(const std::string& text) {
  if (path_ == "-") {
    std::cout << text << std::flush;
    return std::cout ? "" : failed("standard output", EIO);
  }
  if (::ftruncate(fd_, 0) != 0) return failed(path_, errno);
  written_ = true;
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::pwrite(fd_, text.data() + done, text.size() - done,
                               static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed(path_, n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  return "";
}

}  // namespace rcuvfs::tools::bench
