#include "tools/bench/fixture.h"

#include "tools/bench/vfs_tree.h"

#include <sys/xattr.h>

#include <cstring>

namespace rcuvfs::tools::bench {

namespace {
// hostfs over the host tree: "hostfs:[OPTS,]DIR" becomes OPTS,dir=<the tree>.
Result<std::unique_ptr<Vfs>> hostfs_over(const std::string& fs, const HostTree& tree) {
  std::string opts = fs.substr(fs.find(':') + 1);
  size_t at = opts.find("dir=");
  opts = (at == std::string::npos ? std::string() : opts.substr(0, at)) + "dir=" + tree.dir();
  return Vfs::create("hostfs", opts);
}
}  // namespace

std::string hostfs_dir(const std::string& fs) {
  std::string opts = fs.substr(fs.find(':') + 1);
  size_t at = opts.find("dir=");
  return at == std::string::npos ? opts : opts.substr(at + 4);
}

std::unique_ptr<Fixture> build_fixture(const TreeShape& shape, bool with_host,
                                       const std::string& fs, std::string* error) {
  auto fx = std::make_unique<Fixture>(shape);
  const bool hostfs = fs.starts_with("hostfs:");
  if (hostfs) {
    if (!(fx->host = HostTree::create(shape, error, hostfs_dir(fs)))) return nullptr;
    auto vfs = hostfs_over(fs, *fx->host);
    if (!vfs.ok()) {
      *error = "cannot serve " + fx->host->where() + " with hostfs: " +
               std::strerror(vfs.error());
      return nullptr;
    }
    fx->vfs = std::move(*vfs);
  } else {
    auto vfs = Vfs::create("memfs");
    if (!vfs.ok()) {
      *error = std::string("cannot create a memfs namespace: ") + std::strerror(vfs.error());
      return nullptr;
    }
    fx->vfs = std::move(*vfs);
    if (std::string e = build_vfs_tree(*fx->vfs->new_task(), shape); !e.empty()) {
      *error = e;
      return nullptr;
    }
  }
  for (const TreeShape::Entry& e : shape.entries()) {
    if (!fx->lock_tree.create(e.path, e.is_dir ? S_IFDIR | 0755 : S_IFREG | 0644)) {
      *error = "lock tree: cannot create " + e.path;
      return nullptr;
    }
  }
  if (with_host && !fx->host && !(fx->host = HostTree::create(shape, error))) return nullptr;
  auto task = fx->vfs->new_task();
  for (int t = 0; t < shape.subtrees(); ++t) {
    fx->rel_paths.push_back(shape.file(t));
    fx->abs_paths.push_back(std::string("/").append(shape.file(t)));
    if (auto st = task->setxattr(fx->abs_paths.back(), kBenchXattr, kBenchXattrValue);
        !st.ok()) {
      *error = "cannot set " + std::string(kBenchXattr) + " on " + fx->abs_paths.back() +
               ": " + std::strerror(st.error());
      return nullptr;
    }
    const std::string& abs = fx->abs_paths.back();
    const std::string name = abs.substr(abs.rfind('/') + 1);
    if (auto st = task->symlinkat(name, AT_FDCWD, abs + kBenchLinkSuffix); !st.ok()) {
      *error = "cannot make the symlink beside " + abs + ": " + std::strerror(st.error());
      return nullptr;
    }
    // (A host tree that takes no user. attributes fails only the kernel's getxattr.)
    if (fx->host && !hostfs) {
      const std::string at = "/proc/self/fd/" + std::to_string(fx->host->root_fd()) + "/" +
                             fx->rel_paths.back();
      (void)::setxattr(at.c_str(), kBenchXattr, kBenchXattrValue.data(),
                       kBenchXattrValue.size(), 0);
      (void)::symlink(name.c_str(), (at + kBenchLinkSuffix).c_str());
    }
  }
  return fx;
}

}  // namespace rcuvfs::tools::bench
