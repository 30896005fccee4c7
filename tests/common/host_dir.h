// A scratch host directory for hostfs tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace rcuvfs_test {

// A scratch host directory (mode 0755) for hostfs, on a tmpfs when there is one so
// that sizes and link counts follow the same rules as memfs; removed with its contents.
class HostDir {
 public:
  HostDir() {
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/rcuvfs-hostfs-XXXXXX";
    if (char* p = mkdtemp(tmpl.data())) {
      path_ = p;
      std::filesystem::permissions(path_, std::filesystem::perms(0755));
    }
  }
  ~HostDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  HostDir(const HostDir&) = delete;
  HostDir& operator=(const HostDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace rcuvfs_test
