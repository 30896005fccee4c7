// The dcache's hash table grows with the names it holds and shrinks after they go,
// and lookups find every entry in the resized table.
#include <rcuvfs/diagnostics.h>
#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include "test_util.h"

#include <fcntl.h>

#include <string>

namespace rcuvfs {
namespace {

constexpr int kNames = 300000;

std::string name(int i) { return "/d/f" + std::to_string(i); }

TEST(DcacheHash, GrowsWithTheNamesAndShrinksAfter) {
  diag::wait_dcache_resized();
  const size_t before = diag::dcache_buckets();
  const uint64_t resizes = diag::dcache_resizes();
  auto vfs = Vfs::create().value();
  auto t = vfs->new_task();
  ASSERT_OK(t->mkdirat(AT_FDCWD, "/d", 0755));
  for (int i = 0; i < kNames; ++i) ASSERT_OK(t->mknodat(AT_FDCWD, name(i), S_IFREG | 0644, 0));
  diag::wait_dcache_resized();
  // About one chain per name: the chains stay short.
  EXPECT_GE(diag::dcache_buckets(), static_cast<size_t>(kNames));
  EXPECT_GT(diag::dcache_resizes(), resizes);

  // Every name is found in the table it moved to, without leaving RCU mode.
  const uint64_t spec = diag::thread_counter(Counter::kStatSpeculative);
  for (int i = 0; i < kNames; ++i) ASSERT_OK(t->statx(AT_FDCWD, name(i)));
  EXPECT_EQ(diag::thread_counter(Counter::kStatSpeculative) - spec,
            static_cast<uint64_t>(kNames));

  for (int i = 0; i < kNames; ++i) ASSERT_OK(t->unlinkat(AT_FDCWD, name(i), 0));
  diag::quiesce();  // the dentries are freed after grace periods
  diag::wait_dcache_resized();
  EXPECT_LE(diag::dcache_buckets(), before);
  EXPECT_OK(t->statx(AT_FDCWD, "/d"));
  EXPECT_ERRNO(t->statx(AT_FDCWD, name(0)), ENOENT);
}

}  // namespace
}  // namespace rcuvfs
