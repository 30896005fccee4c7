// memfs's part of diag::check: the rules that follow from how memfs keeps its
// attributes (tmpfs's conventions) and its private state.
#include "fs/memfs/memfs.h"

#include <string>

namespace rcuvfs::memfs {

void MemSuper::check_inode(const Inode& inode, const FsckFacts& facts,
                           std::vector<std::string>& problems) const {
  if (inode.sb != this) {
    problems.push_back("inode of another filesystem");
    return;
  }
  static_cast<const MemInode&>(inode).check(facts, problems);
}

void MemSuper::check(std::vector<std::string>& problems) const {
  uint64_t held = 0;
  {
    MutexLock g(files_lock_);
    for (const FileData* d = files_; d; d = d->next) held += d->map.size();
  }
  const uint64_t used = used_pages();
  if (used != held)
    problems.push_back("space: " + std::to_string(used) + " pages in use but files hold " +
                       std::to_string(held));
  if (max_pages_ != 0 && used > max_pages_)
    problems.push_back("space: " + std::to_string(used) + " pages in use, over the limit of " +
                       std::to_string(max_pages_));
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
      const FileData* d = file_data();
      if (!d) break;
      const uint64_t counted = d->pages.load(kRelaxed);
      if (counted != d->map.size())
        problems.push_back(num(counted) + " pages counted but " + num(d->map.size()) +
                           " held");
      if (d->map.empty()) problems.push_back("contents without a page");
      const uint64_t end_page = (sz + kPageSize - 1) / kPageSize;
      if (!d->map.empty() && d->map.rbegin()->first >= end_page)
        problems.push_back("page " + num(d->map.rbegin()->first) + " past the size " +
                           num(sz));
      // Bytes past the size read as zeros once the file grows again.
      if (const uint64_t at = sz % kPageSize) {
        auto last = d->map.find(sz / kPageSize);
        if (last != d->map.end()) {
          const unsigned char* b = last->second.bytes;
          for (uint64_t i = at; i < kPageSize; ++i)
            if (b[i]) {
              problems.push_back("non-zero byte past the size " + num(sz));
              break;
            }
        }
      }
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
