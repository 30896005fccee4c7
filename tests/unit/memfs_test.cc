// memfs's own rules, on memfs and on the filesystems built on it (legacyfs: no RCU
// callbacks; recyclefs: inode objects reused at once): sparse files that cost no
// memory.
#include "test_util.h"

#include <rcuvfs/diagnostics.h>

#include "core/namei.h"
#include "core/ops_common.h"
#include "fs/memfs/memfs.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

using namespace rcuvfs;

class Memfs : public ::testing::TestWithParam<const char*>, public rcuvfs_test::VfsHarness {
 protected:
  memfs::MemSuper& super() {
    auto p = core::lookup_path(t->state(), AT_FDCWD, "/", 0);
    EXPECT_TRUE(p.ok());
    core::PathRef ref(*p);
    return *static_cast<memfs::MemSuper*>(ref.inode()->sb);
  }
};

// Resident memory of the process, in bytes (/proc/self/statm: pages).
uint64_t rss() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

TEST_P(Memfs, GrowingByTruncateCostsNoMemory) {
  make(GetParam());
  put("f");
  const uint64_t before = rss();
  ASSERT_GT(before, 0u);
  ASSERT_OK(t->truncate("f", 4000000000));
  const uint64_t after = rss();
  EXPECT_LT(after, before + (10 << 20)) << "RSS grew from " << before << " to " << after;
  EXPECT_EQ(st("f").stx_size, 4000000000u);
  EXPECT_EQ(st("f").stx_blocks, 0u);
  auto fd = t->openat(AT_FDCWD, "f", O_RDONLY);
  ASSERT_OK(fd);
  std::string buf(8, '?');
  ASSERT_OK(t->pread(*fd, buf.data(), buf.size(), 3000000000));
  EXPECT_EQ(buf, std::string(8, '\0'));
  ASSERT_OK(t->close(*fd));
  EXPECT_EQ(super().used_pages(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Filesystems, Memfs,
                         ::testing::Values("memfs", "legacyfs", "recyclefs"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
