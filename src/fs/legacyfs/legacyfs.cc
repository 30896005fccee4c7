#include "fs/legacyfs/legacyfs.h"

namespace rcuvfs::legacyfs {

Result<std::unique_ptr<Superblock>> LegacyFsType::make_super(std::string_view options,
                                                            const Cred& owner) {
  auto opts = memfs::parse_options(options);
  if (!opts.ok()) return Err{opts.error()};
  return std::unique_ptr<Superblock>(std::make_unique<memfs::MemSuper>(false, owner, *opts));
}

}  // namespace rcuvfs::legacyfs
