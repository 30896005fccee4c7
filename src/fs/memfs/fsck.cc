// memfs's part of diag::check: the rules that follow from how memfs keeps its
// attributes (tmpfs's conventions) and its private state.
#include "fs/memfs/memfs.h"

#include <string>

namespace rcuvfs::memfs {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;
}

void MemSuper::check_inode(const Inode& inode, const FsckFacts& facts,
                           std::vector<std::string>& problems) const {
  if (inode.sb != this) {
    problems.push_back("inode of another filesystem");
    return;
  }
  static_cast<const MemInode&>(inode).check(facts, problems);
}

void MemInode::check(const FsckFacts& facts, std::vector<std::string>& problems) const {
  const uint64_t sz = size.load(kRelaxed);
  const auto num = [](uint64_t v) { return std::to_string(v); };
  if (ino.load(kRelaxed) == 0 || generation.load(kRelaxed) == 0)
    problems.push_back("inode never initialised");
  if (refcount.load(kRelaxed) <= 0) problems.push_back("reachable inode with no reference");
  switch (type()) {
    case S_IFDIR: {
      const uint64_t want = kEmptyDirSize + kDirentSize * facts.entries;
      if (sz != want)
        problems.push_back("directory size " + num(sz) + ", expected " + num(want) + " for " +
                           num(facts.entries) + " entries");
      break;
    }
    case S_IFREG: {
      // Attribute writers hold `lock`; the check runs on a quiescent namespace, so
      // reading the contents without it only needs to not race with itself.
      std::shared_lock g(const_cast<InodeLock&>(lock));
      if (payload_.load(kRelaxed) & kBodyTag)
        problems.push_back("regular file with a symlink body");
      const std::string* d = data();
      const uint64_t have = d ? d->size() : 0;
      if (have != sz)
        problems.push_back("size " + num(sz) + " but " + num(have) + " bytes of data");
      break;
    }
    case S_IFLNK: {
      const LinkBody* b = body(std::memory_order_acquire);
      if (!b)
        problems.push_back("symlink without a body");
      else if (b->len != sz)
        problems.push_back("symlink size " + num(sz) + " but a " + num(b->len) + "-byte body");
      break;
    }
    default: {
      if (sz != 0) problems.push_back("special file with size " + num(sz));
      const uintptr_t p = payload_.load(kRelaxed);
      const bool device = S_ISCHR(mode.load(kRelaxed)) || S_ISBLK(mode.load(kRelaxed));
      if (device ? !(p & kDevTag) : p != 0)
        problems.push_back("special file with contents");
      break;
    }
  }
}

}  // namespace rcuvfs::memfs
