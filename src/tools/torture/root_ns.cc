#include "tools/torture/root_ns.h"

#include <rcuvfs/diagnostics.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace rcuvfs::torture {

RootNamespace::RootNamespace(const std::string& fs, uint64_t cache, const std::string& watch) {
  std::string options;
  if (fs == "hostfs") {
    // /dev/shm when there is one: the host side of every operation stays in memory.
    const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(base) + "/rcuvfs-torture.XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
      error_ = "cannot make a host directory under " + std::string(base);
      return;
    }
    host_dir_ = tmpl;
    // Searchable by all, like the memfs root: readers check access with other ids.
    ::chmod(host_dir_.c_str(), 0755);
    options = "ttl=3600,watch=" + watch + ",dir=" + host_dir_;
  }
  auto v = Vfs::create(fs, options);
  if (!v.ok()) {
    error_ = "cannot create a " + fs + " namespace: errno " + std::to_string(v.error());
    return;
  }
  vfs_ = std::move(*v);
  if (cache && !vfs_->set_cache_budget(cache).ok()) {
    error_ = "bad cache budget " + std::to_string(cache);
    vfs_.reset();
  }
}

std::string RootNamespace::check() const {
  const std::vector<std::string> p = diag::check(*vfs_);
  if (p.empty()) return "";
  return "consistency check after the run: " + p.front() +
         (p.size() > 1 ? " (and " + std::to_string(p.size() - 1) + " more)" : "");
}

RootNamespace::~RootNamespace() {
  vfs_.reset();  // closes its descriptors of the host directory first
  std::error_code ec;
  if (!host_dir_.empty()) std::filesystem::remove_all(host_dir_, ec);
}

}  // namespace rcuvfs::torture
