// The writers' history of `rcuvfs torture` (src/tools/torture/history.h): what it keeps
// stays bounded however long a run lasts, once no stat in flight can need the rest,
// and what it keeps is still enough to catch a stat that was not true.
#include "tools/torture/domain.h"
#include "tools/torture/history.h"

#include <rcuvfs/vfs.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <sys/stat.h>
#include <vector>

namespace rcuvfs::torture {
namespace {

// Every domain of the mixed scenario, stepped on a memfs namespace with its history
// pruned between epochs as run_mixed prunes it (no reader in flight: the horizon is
// the clock). A log that kept the objects writers unlinked would grow with the steps.
TEST(WriterLog, StaysBoundedAcrossEpochs) {
  auto vfs = Vfs::create("memfs");
  ASSERT_TRUE(vfs.ok());
  World world{**vfs, **vfs, "memfs"};
  std::vector<std::unique_ptr<Domain>> domains;
  domains.push_back(make_slot_domain(world, 0, 11, "/slots"));
  domains.push_back(make_dirswap_domain(world, 1, 12, "/swap"));
  domains.push_back(make_mount_domain(world, 2, 13, "/mnt"));
  domains.push_back(make_attr_domain(world, 3, 14, "/attr"));
  domains.push_back(make_symlink_domain(world, 4, 15, "/sym"));
  for (auto& d : domains) d->prepare();

  constexpr int kEpochs = 100, kStepsPerEpoch = 50;
  // After a prune a domain's log holds its live objects (a dozen at most) with their
  // latest versions and bindings, whatever the number of steps before.
  constexpr size_t kBound = 100;
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    for (auto& d : domains)
      for (int i = 0; i < kStepsPerEpoch; ++i) d->step();
    const uint64_t horizon = world.clock.load();
    for (auto& d : domains) {
      d->log().prune(horizon);
      // (The directory exchange's replaced files still open: an object and its
      // latest version each.)
      const size_t bound = &d == &domains[1] ? kBound + 2 * kDirSwapHeld : kBound;
      ASSERT_LE(d->log().size(), bound)
          << "domain " << (&d - &domains[0]) << " after epoch " << epoch;
    }
  }
}

// One writer's log of two paths, judged after every prune as the run judges it.
class PrunedLog : public ::testing::Test {
 protected:
  static constexpr uint32_t kPath = 0, kOther = 1;
  static Attrs file(uint32_t uid) { return Attrs{S_IFREG | 0644, uid, uid, 0, true}; }

  uint64_t tick() { return ++clock_; }
  // A file made at `path`, its owner changed once, then (unless `keep`) unlinked.
  void churn(Key key, bool keep) {
    uint64_t b = tick(), e = tick();
    log_.created(key, file(1), 0, 0, b, e);
    log_.bind(kPath, key, b, e);
    b = tick(), e = tick();
    log_.attrs(key, file(2), b, e);
    if (keep) return;
    b = tick(), e = tick();
    log_.unbind(kPath, key, b, e);
    log_.destroyed(key, b, e);
  }
  // What a stat starting now that found `key` with owner `uid` is judged to be.
  uint64_t violations(Key key, uint32_t uid, uint32_t path = kPath, int err = 0) {
    Observation o{};
    o.path = path;
    o.err = err;
    o.speculative = true;
    o.before = tick();
    o.after = tick();
    o.key = key;
    o.mode = S_IFREG | 0644;
    o.uid = o.gid = uid;
    return checker_.check({o}, nullptr);
  }

  std::vector<PathSpec> paths_{PathSpec{"/p", AT_SYMLINK_NOFOLLOW},
                               PathSpec{"/q", AT_SYMLINK_NOFOLLOW}};
  WriterLog log_;
  Checker checker_{paths_, {&log_}};
  uint64_t clock_ = 1;
};

// Objects made and destroyed over many epochs leave nothing behind; the one still
// bound keeps its latest version; and a stat after the horizon that shows something
// gone (a destroyed object, a replaced version) is still a violation.
TEST_F(PrunedLog, KeepsWhatAStatCanNeedAndCatchesTheRest) {
  // An object bound elsewhere and then to nothing, but not destroyed: it may come back.
  uint64_t b = tick(), e = tick();
  log_.created(5000, file(7), 0, 0, b, e);
  log_.bind(kOther, 5000, b, e);
  b = tick(), e = tick();
  log_.unbind(kOther, 5000, b, e);
  for (Key key = 1; key <= 1000; ++key) {
    churn(key, false);
    if (key % 10 == 0) log_.prune(clock_);
  }
  churn(1001, true);
  // (A horizon past the last stamp: an operation may take effect at its end stamp.)
  log_.prune(tick());
  // Object 5000 with its version; object 1001 with its latest version and binding.
  EXPECT_EQ(log_.size(), 5u);

  EXPECT_EQ(violations(1001, 2), 0u) << "the object the path holds";
  EXPECT_EQ(violations(1001, 1), 1u) << "a version replaced before the horizon";
  EXPECT_EQ(violations(999, 2), 1u) << "an object destroyed before the horizon";
  EXPECT_EQ(violations(1001, 2, kPath, ENOENT), 1u) << "ENOENT while bound";
  b = tick(), e = tick();
  log_.bind(kOther, 5000, b, e);
  EXPECT_EQ(violations(5000, 7, kOther), 0u) << "an object bound again after a prune";
}

// The attribute values: each version decodes to itself, a mix of two to nothing.
TEST(XattrValue, DecodesOnlyWholeValues) {
  for (uint32_t v : {1u, 2u, 52u, 53u, 1000u, 4000000000u})
    EXPECT_EQ(xattr_version(xattr_value(v)), v);
  const std::string a = xattr_value(7), b = xattr_value(8);
  EXPECT_EQ(xattr_version(a.substr(0, a.size() - 1)), kTornValue);
  EXPECT_EQ(xattr_version(b.substr(0, 4) + a.substr(4)), kTornValue);
  EXPECT_EQ(xattr_version(a + "x"), kTornValue);
  EXPECT_EQ(xattr_version(""), kTornValue);
  EXPECT_EQ(xattr_version("v=0;" + std::string(8, 'a')), kTornValue);
}

// getxattr and listxattr answers against the versions of the object the path held.
TEST_F(PrunedLog, XattrAnswersMustBeOneVersions) {
  Attrs none = file(1), v3 = file(1), v4 = file(1);
  v3.xattr = 3;
  v4.xattr = 4;
  v4.xattr_extra = true;
  uint64_t b = tick(), e = tick();
  log_.created(42, none, 0, 0, b, e);
  log_.bind(kPath, 42, b, e);
  b = tick(), e = tick();
  log_.attrs(42, v3, b, e);
  const uint64_t after_v3 = tick();
  b = tick(), e = tick();
  log_.attrs(42, v4, b, e);
  auto judge = [&](Call call, int err, uint64_t size, uint32_t bits, uint64_t from) {
    Observation o{};
    o.path = kPath;
    o.call = call;
    o.err = err;
    o.speculative = true;
    o.before = from;
    o.after = tick();
    o.size = size;
    o.mode = bits;
    return checker_.check({o}, nullptr);
  };
  EXPECT_EQ(judge(Call::kGetxattr, 0, 4, 0, tick()), 0u) << "the version in force";
  EXPECT_EQ(judge(Call::kGetxattr, 0, 3, 0, after_v3), 0u) << "a version of the window";
  EXPECT_EQ(judge(Call::kGetxattr, 0, 3, 0, tick()), 1u) << "a version replaced before";
  EXPECT_EQ(judge(Call::kGetxattr, 0, kTornValue, 0, tick()), 1u) << "a torn value";
  EXPECT_EQ(judge(Call::kGetxattr, ENODATA, 0, 0, tick()), 1u) << "ENODATA with a value set";
  EXPECT_EQ(judge(Call::kGetxattr, EACCES, 0, 0, tick()), 1u) << "an error with no cause";
  EXPECT_EQ(judge(Call::kListxattr, 0, 0, kListedV | kListedX, tick()), 0u);
  EXPECT_EQ(judge(Call::kListxattr, 0, 0, kListedV, after_v3), 0u);
  EXPECT_EQ(judge(Call::kListxattr, 0, 0, kListedX, after_v3), 1u) << "names of no version";
  EXPECT_EQ(judge(Call::kListxattr, 0, 0, kListedV | kListedOther, tick()), 1u);
  b = tick(), e = tick();
  log_.unbind(kPath, 42, b, e);
  EXPECT_EQ(judge(Call::kGetxattr, ENOENT, 0, 0, tick()), 0u) << "ENOENT once unbound";
}

}  // namespace
}  // namespace rcuvfs::torture
