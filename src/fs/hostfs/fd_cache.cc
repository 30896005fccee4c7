#include "fs/hostfs/fd_cache.h"

#include <unistd.h>

#include <algorithm>
#include <cassert>

namespace rcuvfs::hostfs {

FdCache::~FdCache() {
  // Every inode dropped its slots when it was evicted; what is left is unreachable.
  std::vector<int> fds;
  {
    MutexLock g(mu_);
    for (FdSlot* s = lru_.next; s != &lru_; s = s->next) fds.push_back(s->fd);
  }
  close_all(fds);
}

FdStats FdCache::stats() const {
  MutexLock g(mu_);
  return stats_;
}

void FdCache::unlink(FdSlot& s) {
  s.prev->next = s.next;
  s.next->prev = s.prev;
  s.prev = s.next = nullptr;
}

void FdCache::push_front(FdSlot& s) {
  s.prev = &lru_;
  s.next = lru_.next;
  lru_.next->prev = &s;
  lru_.next = &s;
}

void FdCache::evict_to(size_t keep, std::vector<int>& out) {
  for (FdSlot* s = lru_.prev; stats_.open > keep && s != &lru_;) {
    FdSlot* before = s->prev;
    if (s->pins == 0) {
      out.push_back(s->fd);
      unlink(*s);
      s->fd = -1;
      --stats_.open;
      ++stats_.evictions;
    }
    s = before;
  }
}

void FdCache::close_all(const std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
}

int FdCache::pin(FdSlot& s) {
  MutexLock g(mu_);
  if (s.fd < 0) return -1;
  ++s.pins;
  if (!s.kept) {
    unlink(s);
    push_front(s);
  }
  return s.fd;
}

void FdCache::unpin(FdSlot& s) {
  std::vector<int> out;
  {
    MutexLock g(mu_);
    assert(s.pins > 0);
    --s.pins;
    // Pinned descriptors may have pushed the count past the budget: back within it.
    if (stats_.open - stats_.kept > budget_) evict_to(budget_ + stats_.kept, out);
  }
  close_all(out);
}

void FdCache::reserve() {
  std::vector<int> out;
  {
    MutexLock g(mu_);
    // Kept descriptors are outside the budget: they could not be closed anyway.
    if (stats_.open - stats_.kept >= budget_) evict_to(budget_ - 1 + stats_.kept, out);
    ++stats_.open;
    stats_.peak = std::max(stats_.peak, stats_.open);
  }
  close_all(out);
}

void FdCache::unreserve() {
  MutexLock g(mu_);
  --stats_.open;
}

int FdCache::install(FdSlot& s, int fd) {
  int mine = -1;
  {
    MutexLock g(mu_);
    if (s.fd >= 0) {
      mine = fd;
      --stats_.open;
      if (!s.kept) unlink(s);
    } else {
      s.fd = fd;
    }
    ++s.pins;
    if (!s.kept) push_front(s);
    fd = s.fd;
  }
  if (mine >= 0) ::close(mine);
  return fd;
}

void FdCache::adopt(FdSlot& s, int fd) {
  install(s, fd);
  unpin(s);
}

void FdCache::close_private(int fd) {
  ::close(fd);
  MutexLock g(mu_);
  --stats_.open;
}

void FdCache::keep(FdSlot& s) {
  MutexLock g(mu_);
  assert(s.fd >= 0 && s.pins > 0);
  if (s.kept) return;
  // Off the list: the list holds only what may be evicted some day.
  unlink(s);
  s.kept = true;
  ++s.pins;
  ++stats_.kept;
}

void FdCache::drop(FdSlot* slots, size_t n) {
  std::vector<int> out;
  {
    MutexLock g(mu_);
    for (size_t i = 0; i < n; ++i) {
      FdSlot& s = slots[i];
      if (s.fd < 0) continue;
      assert(s.pins == (s.kept ? 1u : 0u));
      if (s.kept)
        --stats_.kept;
      else
        unlink(s);
      out.push_back(s.fd);
      s = FdSlot{};
      --stats_.open;
    }
  }
  close_all(out);
}

size_t FdCache::shrink() {
  std::vector<int> out;
  {
    MutexLock g(mu_);
    evict_to(0, out);
  }
  close_all(out);
  return out.size();
}

int FdCache::count_open(int fd) {
  if (fd < 0) return fd;
  MutexLock g(mu_);
  ++stats_.opens;
  return fd;
}

void FdCache::note_emfile_retry() {
  const int e = errno;
  {
    MutexLock g(mu_);
    ++stats_.emfile_retries;
  }
  errno = e;
}

}  // namespace rcuvfs::hostfs
