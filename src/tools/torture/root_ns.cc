#include "tools/torture/root_ns.h"

#include <rcuvfs/diagnostics.h>
#include <rcuvfs/task.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace rcuvfs::torture {

namespace {

// etcd's options with the prefix replaced by a fresh one under it.
std::string fresh_prefix(const std::string& options) {
  std::string base = "rcuvfs-torture", rest;
  std::istringstream in(options);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.rfind("prefix=", 0) == 0) {
      base = item.substr(7) + "/torture";
      continue;
    }
    rest += (rest.empty() ? "" : ",") + item;
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return rest + ",prefix=" + base + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

// Removes what `dir` holds, depth first, through `task`; best effort.
void remove_contents(Task& task, const std::string& dir) {
  auto fd = task.openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) return;
  std::vector<DirEntry> entries;
  while (true) {
    auto n = task.getdents(*fd, entries);
    if (!n.ok() || *n == 0) break;
  }
  (void)task.close(*fd);
  for (const DirEntry& e : entries) {
    if (e.name == "." || e.name == "..") continue;
    const std::string path = dir + (dir == "/" ? "" : "/") + e.name;
    if (e.type == DT_DIR) {
      remove_contents(task, path);
      (void)task.unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
    } else {
      (void)task.unlinkat(AT_FDCWD, path, 0);
    }
  }
}

}  // namespace

RootNamespace::RootNamespace(const std::string& fs, uint64_t cache, const std::string& watch,
                             bool two) {
  type_ = fs.substr(0, fs.find(':'));
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
  } else if (type_ == "etcd") {
    options = fresh_prefix(fs.substr(5));
    shared_ = true;
  }
  vfs_ = make(options, cache);
  if (vfs_ && two && shared_) {
    writers_ = make(options, cache);
    if (!writers_) vfs_.reset();
  }
}

std::unique_ptr<Vfs> RootNamespace::make(const std::string& options, uint64_t cache) {
  auto v = Vfs::create(type_, options);
  if (!v.ok()) {
    error_ = "cannot create a " + type_ + " namespace: errno " + std::to_string(v.error());
    return nullptr;
  }
  if (cache && !(*v)->set_cache_budget(cache).ok()) {
    error_ = "bad cache budget " + std::to_string(cache);
    return nullptr;
  }
  return std::move(*v);
}

std::string RootNamespace::check() const {
  std::vector<std::string> p = diag::check(*vfs_);
  if (p.empty() && writers_) p = diag::check(*writers_);
  if (p.empty()) return "";
  return "consistency check after the run: " + p.front() +
         (p.size() > 1 ? " (and " + std::to_string(p.size() - 1) + " more)" : "");
}

RootNamespace::~RootNamespace() {
  if (shared_ && vfs_) {
    auto task = writers()->new_task();
    remove_contents(*task, "/");
  }
  writers_.reset();
  vfs_.reset();  // closes its descriptors of the host directory first
  std::error_code ec;
  if (!host_dir_.empty()) std::filesystem::remove_all(host_dir_, ec);
}

}  // namespace rcuvfs::torture
