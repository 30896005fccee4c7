#include "tools/bench/fixture.h"

#include "tools/bench/vfs_tree.h"

#include <cstring>

namespace rcuvfs::tools::bench {

std::unique_ptr<Fixture> build_fixture(const TreeShape& shape, bool with_host,
                                       std::string* error) {
  auto fx = std::make_unique<Fixture>(shape);
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
  for (const TreeShape::Entry& e : shape.entries()) {
    if (!fx->lock_tree.create(e.path, e.is_dir ? S_IFDIR | 0755 : S_IFREG | 0644)) {
      *error = "lock tree: cannot create " + e.path;
      return nullptr;
    }
  }
  if (with_host && !(fx->host = HostTree::create(shape, error))) return nullptr;
  for (int t = 0; t < shape.subtrees(); ++t) {
    fx->rel_paths.push_back(shape.file(t));
    fx->abs_paths.push_back(std::string("/").append(shape.file(t)));
  }
  return fx;
}

}  // namespace rcuvfs::tools::bench
