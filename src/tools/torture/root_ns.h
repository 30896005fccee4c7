// The namespace a torture run races in: a fresh instance of the chosen filesystem.
#pragma once

#include <rcuvfs/vfs.h>

#include <memory>
#include <string>

namespace rcuvfs::torture {

class RootNamespace {
 public:
  // memfs, recyclefs, legacyfs; or hostfs over a new temporary host directory
  // (removed again with the namespace), trusting its cache for an hour so that the
  // run's stats are served from the cache, in the walker's RCU mode.
  // `cache`: the dentry cache's budget in bytes (0: the default); a small one makes
  // the shrinker evict entries while the readers walk them.
  // On failure, vfs() is null and error() says why.
  // `watch`: hostfs's watch= option (1, inotify, fanotify, 0).
  explicit RootNamespace(const std::string& fs, uint64_t cache = 0,
                         const std::string& watch = "1");
  ~RootNamespace();
  RootNamespace(const RootNamespace&) = delete;
  RootNamespace& operator=(const RootNamespace&) = delete;

  Vfs* vfs() const { return vfs_.get(); }
  // hostfs: the host directory it serves ("" otherwise).
  const std::string& host_dir() const { return host_dir_; }
  const std::string& error() const { return error_; }
  // After a run, with its threads stopped: what the churn left must still keep every
  // rule of the dentry cache (diag::check). "" or the first problem found.
  std::string check() const;

 private:
  std::string host_dir_;  // hostfs: the directory it serves
  std::unique_ptr<Vfs> vfs_;
  std::string error_;
};

}  // namespace rcuvfs::torture
