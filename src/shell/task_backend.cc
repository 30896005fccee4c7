#include "shell/task_backend.h"

#include <rcuvfs/security/audit.h>
#include <rcuvfs/security/pathrules.h>
#include <rcuvfs/vfs.h>

namespace rcuvfs::shell {

Result<Statx> TaskBackend::statx(int dirfd, std::string_view path, int flags,
                                 unsigned mask) {
  return t_.statx(dirfd, path, flags, mask);
}
Result<int> TaskBackend::openat2(int dirfd, std::string_view path, const OpenHow& how) {
  return t_.openat2(dirfd, path, how);
}
Status TaskBackend::close(int fd) { return t_.close(fd); }
Result<size_t> TaskBackend::read(int fd, void* buf, size_t count) {
  return t_.read(fd, buf, count);
}
Result<size_t> TaskBackend::write(int fd, const void* buf, size_t count) {
  return t_.write(fd, buf, count);
}
Result<size_t> TaskBackend::getdents(int fd, std::vector<DirEntry>& out,
                                     size_t max_entries) {
  return t_.getdents(fd, out, max_entries);
}
Result<std::string> TaskBackend::fdpath(int fd) { return t_.fdpath(fd); }
Result<int> TaskBackend::inotify_init1(int flags) { return t_.inotify_init1(flags); }
Result<int> TaskBackend::inotify_add_watch(int fd, std::string_view path, uint32_t mask) {
  return t_.inotify_add_watch(fd, path, mask);
}
Status TaskBackend::inotify_rm_watch(int fd, int wd) { return t_.inotify_rm_watch(fd, wd); }

Status TaskBackend::mkdirat(int dirfd, std::string_view path, mode_t mode) {
  return t_.mkdirat(dirfd, path, mode);
}
Status TaskBackend::mknodat(int dirfd, std::string_view path, mode_t mode, dev_t dev) {
  return t_.mknodat(dirfd, path, mode, dev);
}
Status TaskBackend::symlinkat(std::string_view target, int newdirfd,
                              std::string_view linkpath) {
  return t_.symlinkat(target, newdirfd, linkpath);
}
Result<std::string> TaskBackend::readlinkat(int dirfd, std::string_view path) {
  return t_.readlinkat(dirfd, path);
}
Status TaskBackend::faccessat2(int dirfd, std::string_view path, int mode, int flags) {
  return t_.faccessat2(dirfd, path, mode, flags);
}
Result<Statfs> TaskBackend::statfs(std::string_view path) { return t_.statfs(path); }
Result<size_t> TaskBackend::getxattrat(int dirfd, std::string_view path, int at_flags,
                                       std::string_view name, void* value, size_t size) {
  return t_.getxattrat(dirfd, path, at_flags, name, value, size);
}
Status TaskBackend::setxattrat(int dirfd, std::string_view path, int at_flags,
                               std::string_view name, std::string_view value, int flags) {
  return t_.setxattrat(dirfd, path, at_flags, name, value, flags);
}
Result<size_t> TaskBackend::listxattrat(int dirfd, std::string_view path, int at_flags,
                                        char* list, size_t size) {
  return t_.listxattrat(dirfd, path, at_flags, list, size);
}
Status TaskBackend::removexattrat(int dirfd, std::string_view path, int at_flags,
                                  std::string_view name) {
  return t_.removexattrat(dirfd, path, at_flags, name);
}
Status TaskBackend::linkat(int olddirfd, std::string_view oldpath, int newdirfd,
                           std::string_view newpath, int flags) {
  return t_.linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}
Status TaskBackend::unlinkat(int dirfd, std::string_view path, int flags) {
  return t_.unlinkat(dirfd, path, flags);
}
Status TaskBackend::renameat2(int olddirfd, std::string_view oldpath, int newdirfd,
                              std::string_view newpath, unsigned flags) {
  return t_.renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}
Status TaskBackend::fchmodat(int dirfd, std::string_view path, mode_t mode, int flags) {
  return t_.fchmodat(dirfd, path, mode, flags);
}
Status TaskBackend::fchownat(int dirfd, std::string_view path, uid_t owner, gid_t group,
                             int flags) {
  return t_.fchownat(dirfd, path, owner, group, flags);
}
Status TaskBackend::truncate(std::string_view path, off_t length) {
  return t_.truncate(path, length);
}
Status TaskBackend::chdir(std::string_view path) { return t_.chdir(path); }
Status TaskBackend::fchdir(int fd) { return t_.fchdir(fd); }
Status TaskBackend::chroot(std::string_view path) { return t_.chroot(path); }

Status TaskBackend::mount(std::string_view fstype, std::string_view target) {
  // A TYPE may carry options: "memfs:OPTIONS".
  auto colon = fstype.find(':');
  if (colon == std::string_view::npos) return t_.mount(fstype, target);
  return t_.mount(fstype.substr(0, colon), target, fstype.substr(colon + 1));
}
Status TaskBackend::bind(std::string_view source, std::string_view target, bool recursive) {
  return t_.bind(source, target, recursive);
}
Status TaskBackend::umount(std::string_view target, int flags) {
  return t_.umount(target, flags);
}

mode_t TaskBackend::umask(mode_t mask) { return t_.umask(mask); }
Status TaskBackend::set_fd_limit(uint64_t n) { return t_.set_fd_limit(n); }
Status TaskBackend::set_cred(const Cred& cred) {
  t_.set_cred(cred);
  return {};
}

std::vector<std::pair<std::string, uint64_t>> TaskBackend::stats() {
  Counters c = Vfs::counters();
  std::vector<std::pair<std::string, uint64_t>> out;
  for (size_t i = 0; i < static_cast<size_t>(Counter::kCount); ++i) {
    auto k = static_cast<Counter>(i);
    out.emplace_back(std::string(Counters::name(k)), c.get(k));
  }
  for (size_t i = 0; i < static_cast<size_t>(Echild::kCount); ++i) {
    auto k = static_cast<Echild>(i);
    std::string key(Counters::name(k));
    if (key.rfind("echild_", 0) != 0) key = "echild_" + key;
    out.emplace_back(std::move(key), c.get(k));
  }
  // The namespace's dentry cache against its budget.
  const CacheStats cs = t_.vfs().cache_stats();
  out.emplace_back("dcache_entries", cs.entries);
  out.emplace_back("dcache_negative", cs.negative);
  out.emplace_back("dcache_unused", cs.unused);
  out.emplace_back("dcache_bytes", cs.bytes);
  out.emplace_back("dcache_budget", cs.budget);
  out.emplace_back("dcache_reclaimed", cs.reclaimed);
  return out;
}

bool TaskBackend::is_access_right(std::string_view name) const {
  return !name.empty() && pathrules::parse_access(name).has_value();
}

Status TaskBackend::audit(std::string_view host_path) {
  auto m = audit::open_log(host_path);
  if (!m.ok()) return Err{m.error()};
  return t_.vfs().add_security_module(*m);
}

Status TaskBackend::restrict_add(std::string_view path, std::string_view rights) {
  auto mask = pathrules::parse_access(rights);
  if (!mask) return Err{EINVAL};
  auto id = inode_id_at(t_, AT_FDCWD, path);
  if (!id.ok()) return Err{id.error()};
  pending_.emplace_back(*id, *mask);
  return {};
}

Status TaskBackend::restrict_enforce(std::string_view handled) {
  auto mask = handled.empty() ? std::optional<uint32_t>(pathrules::kAllAccess)
                              : pathrules::parse_access(handled);
  if (!mask) return Err{EINVAL};
  pathrules::Ruleset rules(*mask);
  for (const auto& [id, access] : pending_)
    if (auto s = rules.allow(id, access & *mask); !s.ok() && (access & *mask)) return s;
  if (!pathrules_stacked_) {
    RCUVFS_TRY(t_.vfs().add_security_module(pathrules::module()));
    pathrules_stacked_ = true;
  }
  RCUVFS_TRY(pathrules::restrict_self(t_, rules));
  pending_.clear();
  return {};
}

}  // namespace rcuvfs::shell
