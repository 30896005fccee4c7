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
  // run's stats are served from the cache, in the walker's RCU mode; or
  // etcd:ENDPOINTS[,prefix=P][,timeout=MS] on a fresh prefix under P (one per run;
  // its tree is removed again with the namespace).
  // `cache`: the dentry cache's budget in bytes (0: the default); a small one makes
  // the shrinker evict entries while the readers walk them.
  // `watch`: hostfs's watch= option (1, inotify, fanotify, 0).
  // `two`: on etcd, a second instance on the same prefix for the writers (writers()),
  // as a second machine would be; elsewhere writers() is vfs().
  // On failure, vfs() is null and error() says why.
  explicit RootNamespace(const std::string& fs, uint64_t cache = 0,
                         const std::string& watch = "1", bool two = false);
  ~RootNamespace();
  RootNamespace(const RootNamespace&) = delete;
  RootNamespace& operator=(const RootNamespace&) = delete;

  Vfs* vfs() const { return vfs_.get(); }
  Vfs* writers() const { return writers_ ? writers_.get() : vfs_.get(); }
  // The filesystem type: `fs` up to its ':'.
  const std::string& type() const { return type_; }
  // hostfs: the host directory it serves ("" otherwise).
  const std::string& host_dir() const { return host_dir_; }
  const std::string& error() const { return error_; }
  // After a run, with its threads stopped: what the churn left must still keep every
  // rule of the dentry cache (diag::check), in each instance. "" or the first problem.
  std::string check() const;

 private:
  std::unique_ptr<Vfs> make(const std::string& options, uint64_t cache);

  std::string type_;
  std::string host_dir_;  // hostfs: the directory it serves
  bool shared_ = false;   // the store outlives the namespace: remove its tree
  std::unique_ptr<Vfs> vfs_, writers_;
  std::string error_;
};

}  // namespace rcuvfs::torture
