// legacyfs: memfs without any RCU callback. getattr_rcu, permission and get_link all
// refuse in RCU mode, so every walk leaves RCU at its first step and every stat goes
// through the blocking getattr — and must still give the right answers.
#pragma once

#include "fs/memfs/memfs.h"

namespace rcuvfs::legacyfs {

class LegacyFsType : public FsType {
 public:
  std::string_view name() const override { return "legacyfs"; }
  Result<std::unique_ptr<Superblock>> make_super(std::string_view options,
                                                 const Cred& owner) override;
};

}  // namespace rcuvfs::legacyfs
