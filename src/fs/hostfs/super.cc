// The hostfs instance: its root, the table of live inodes, options and the type.
#include "fs/hostfs/hostfs.h"

#include "fs/hostfs/creator.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>

namespace rcuvfs::hostfs {

Result<HostOptions> parse_options(std::string_view opts) {
  HostOptions o;
  while (!opts.empty() && !opts.starts_with("dir=")) {
    if (opts.find('=') == std::string_view::npos) break;  // a bare DIR
    size_t comma = opts.find(',');
    std::string_view kv = opts.substr(0, comma);
    opts = comma == std::string_view::npos ? std::string_view{} : opts.substr(comma + 1);
    if (kv.starts_with("ttl=")) {
      std::string v(kv.substr(4));
      char* end = nullptr;
      double secs = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !std::isfinite(secs) || secs < 0 || secs > 1e6)
        return Err{EINVAL};
      o.ttl_ns = static_cast<int64_t>(secs * 1e9);
    } else {
      return Err{EINVAL};
    }
  }
  if (opts.starts_with("dir=")) opts.remove_prefix(4);
  if (opts.empty()) return Err{EINVAL};
  o.dir = std::string(opts);
  return o;
}

HostSuper::HostSuper(int root_fd, const struct ::statx& root_st, int64_t ttl_ns)
    : creator_(std::make_unique<Creator>()) {
  entry_ttl_ns = ttl_ns;
  // What the dcache's budget is charged for an inode only it holds (a symlink's body
  // and the kernel's side of the descriptor come on top).
  cached_inode_bytes = sizeof(HostInode);
  // revalidate in RCU mode is entry_fresh alone (dir.cc): the walker may test it.
  if (ttl_ns > 0) flags |= kSbEntryTtl;
  root_ = get_inode(root_fd, root_st);
}

HostSuper::~HostSuper() = default;

Inode* HostSuper::root_inode() {
  Inode* r = root_;
  root_ = nullptr;
  return r;
}

HostInode* HostSuper::get_inode(int fd, const struct ::statx& st) {
  const std::pair<uint64_t, uint64_t> key{makedev(st.stx_dev_major, st.stx_dev_minor),
                                          st.stx_ino};
  std::lock_guard g(table_mu_);
  auto it = table_.find(key);
  if (it != table_.end()) {
    HostInode* in = it->second;
    // An inode on its way out (refcount 0) can't be revived: replace it.
    int32_t c = in->refcount.load(std::memory_order_relaxed);
    while (c > 0 && !in->refcount.compare_exchange_weak(c, c + 1, std::memory_order_acquire,
                                                        std::memory_order_relaxed)) {
    }
    if (c > 0) {
      ::close(fd);
      in->store_attrs(st);
      return in;
    }
  }
  std::string body;
  if (S_ISLNK(st.stx_mode)) {
    char buf[PATH_MAX];
    ssize_t n = readlinkat(fd, "", buf, sizeof buf);
    if (n > 0) body.assign(buf, static_cast<size_t>(n));
  }
  auto* in = new HostInode(this, fd, st, std::move(body));
  table_[key] = in;
  return in;
}

void HostSuper::forget(HostInode* inode) {
  std::lock_guard g(table_mu_);
  auto it = table_.find({inode->host_dev(), inode->host_ino()});
  if (it != table_.end() && it->second == inode) table_.erase(it);
}

Result<std::unique_ptr<Superblock>> HostFsType::make_super(std::string_view options,
                                                          const Cred&) {
  auto o = parse_options(options);
  if (!o.ok()) return Err{o.error()};
  int fd = ::open(o->dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Err{errno};
  struct ::statx st;
  if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
              &st) != 0) {
    int e = errno;
    ::close(fd);
    return Err{e};
  }
  // Every cached host object holds a descriptor: use the whole allowance.
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return std::unique_ptr<Superblock>(std::make_unique<HostSuper>(fd, st, o->ttl_ns));
}

}  // namespace rcuvfs::hostfs
