// Helpers shared by the unit tests: errno assertions that print names, and a fixture
// owning one namespace and one root task.
#pragma once

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include "common/etcd_cluster.h"
#include "common/host_dir.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace rcuvfs_test {

// "OK" or the errno's symbolic name ("ENOENT"), so failures read like strace.
inline std::string errname(int e) {
  if (e == 0) return "OK";
  const char* n = strerrorname_np(e);
  return n ? n : "errno " + std::to_string(e);
}

}  // namespace rcuvfs_test

// `expr` is a Result/Status; compares its error (0 = success) by name.
#define EXPECT_ERRNO(expr, code) \
  EXPECT_EQ(::rcuvfs_test::errname((expr).error()), ::rcuvfs_test::errname(code))
#define ASSERT_ERRNO(expr, code) \
  ASSERT_EQ(::rcuvfs_test::errname((expr).error()), ::rcuvfs_test::errname(code))
#define EXPECT_OK(expr) EXPECT_ERRNO(expr, 0)
#define ASSERT_OK(expr) ASSERT_ERRNO(expr, 0)

namespace rcuvfs_test {

// One namespace (root filesystem of type `fstype`) and a root task, umask 022.
// "hostfs" and "hostfs_ttl0" serve a fresh scratch host directory (the second with
// every stat and lookup going to the host); "etcd" a fresh prefix of the test cluster
// (common/etcd_cluster.h).
class VfsHarness {
 public:
  void make(std::string_view fstype) {
    std::string options;
    if (fstype.starts_with("hostfs")) {
      host_dir = std::make_unique<HostDir>();
      ASSERT_FALSE(host_dir->path().empty()) << "mkdtemp: " << std::strerror(errno);
      options = (fstype == "hostfs_ttl0" ? "ttl=0,dir=" : "dir=") + host_dir->path();
      fstype = "hostfs";
    } else if (fstype == "etcd") {
      const std::string eps = etcd_endpoints();
      ASSERT_FALSE(eps.empty()) << "no etcd cluster (scripts/etcd-cluster.sh failed)";
      options = eps + ",prefix=" + etcd_prefix();
    }
    auto v = rcuvfs::Vfs::create(fstype, options);
    ASSERT_OK(v);
    vfs = std::move(*v);
    t = vfs->new_task();
    ASSERT_NE(t, nullptr);
  }

  // statx that must succeed.
  rcuvfs::Statx st(std::string_view path, int flags = 0, rcuvfs::Task* task = nullptr) {
    auto r = (task ? task : t.get())->statx(AT_FDCWD, path, flags);
    EXPECT_OK(r) << "statx " << path;
    return r.ok() ? *r : rcuvfs::Statx{};
  }

  // Creates (or truncates) a regular file holding `data`.
  void put(std::string_view path, std::string_view data = "", mode_t mode = 0644,
           rcuvfs::Task* task = nullptr) {
    rcuvfs::Task* tk = task ? task : t.get();
    auto fd = tk->openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
    ASSERT_OK(fd) << "create " << path;
    if (!data.empty()) {
      auto n = tk->write(*fd, data.data(), data.size());
      ASSERT_OK(n);
      ASSERT_EQ(*n, data.size());
    }
    ASSERT_OK(tk->close(*fd));
  }

  // The whole content of a regular file (empty on error, which is reported).
  std::string get(std::string_view path, rcuvfs::Task* task = nullptr) {
    rcuvfs::Task* tk = task ? task : t.get();
    auto fd = tk->openat(AT_FDCWD, path, O_RDONLY);
    EXPECT_OK(fd) << "open " << path;
    if (!fd.ok()) return {};
    std::string out;
    char buf[4096];
    for (;;) {
      auto n = tk->read(*fd, buf, sizeof buf);
      EXPECT_OK(n);
      if (!n.ok() || *n == 0) break;
      out.append(buf, *n);
    }
    EXPECT_OK(tk->close(*fd));
    return out;
  }

  std::unique_ptr<HostDir> host_dir;  // outlives the namespace (declared first)
  std::unique_ptr<rcuvfs::Vfs> vfs;
  std::unique_ptr<rcuvfs::Task> t;
};

}  // namespace rcuvfs_test
