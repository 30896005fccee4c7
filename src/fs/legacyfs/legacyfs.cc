#include "fs/legacyfs/legacyfs.h"

namespace rcuvfs::legacyfs {

Result<std::unique_ptr<Superblock>> LegacyFsType::make_super(std::string_view options,
                                                            const Cred& owner) {
  RCUVFS_TRY(memfs::check_options(options));
  return std::unique_ptr<Superblock>(std::make_unique<memfs::MemSuper>(false, owner));
}

}  // namespace rcuvfs::legacyfs
