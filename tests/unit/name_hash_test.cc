// The walker's word-at-a-time component scan (core/dentry.h): it must agree with the
// hash stored in a dentry's Name for every length and alignment, find the component's
// end exactly, and never read outside the path (the buffers here are exact-size heap
// copies, so AddressSanitizer builds catch any over-read).
// GCC's -Warray-bounds follows name_bytes_match's word loads into the exact-size
// buffers below along paths the hash_len comparison rules out; AddressSanitizer checks
// the loads that do happen.
#pragma GCC diagnostic ignored "-Warray-bounds"
#include "core/dcache.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <string>

namespace {

using rcuvfs::core::Component;
using rcuvfs::core::hash_component;
using rcuvfs::core::load_word;
using rcuvfs::core::Name;
using rcuvfs::core::name_hash;
using rcuvfs::core::name_matches;

// An exact-size heap copy of s: nothing readable before or after it.
struct Exact {
  explicit Exact(const std::string& s) : size(s.size()), bytes(new char[s.size()]) {
    std::copy(s.begin(), s.end(), bytes.get());
  }
  size_t size;
  std::unique_ptr<char[]> bytes;
};

// A Name allocated the way the dcache allocates them.
struct OwnedName {
  explicit OwnedName(const std::string& s)
      : n(static_cast<Name*>(::operator new(Name::alloc_size(s.size())))) {
    Name::init(n, s);
  }
  ~OwnedName() { ::operator delete(n); }
  Name* n;
};

uint64_t first_word(const std::string& name) {
  uint64_t w = 0;
  for (size_t i = 0; i < name.size() && i < 8; ++i)
    w |= uint64_t{static_cast<unsigned char>(name[i])} << (8 * i);
  return w;
}

TEST(NameHash, ComponentAgreesWithNameForEveryLengthAndTail) {
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789._-";
  for (size_t len = 1; len <= 40; ++len) {
    std::string name;
    for (size_t i = 0; i < len; ++i) name.push_back(alphabet[(i * 7 + len) % alphabet.size()]);
    OwnedName owned(name);
    ASSERT_EQ(owned.n->len(), len);
    ASSERT_EQ(owned.n->view(), name);
    ASSERT_EQ(owned.n->hash(), name_hash(name));
    // The name alone, followed by a slash, by slashes and more, by a short tail.
    for (const std::string& tail : {std::string(), std::string("/"), std::string("//x"),
                                    std::string("/abcdefghijk"), std::string("/a/b/c")}) {
      Exact path(name + tail);
      const Component c = hash_component(path.bytes.get(), path.size, path.bytes.get());
      EXPECT_EQ(c.len(), len) << name << tail;
      EXPECT_EQ(c.hash(), name_hash(name)) << name << tail;
      EXPECT_EQ(c.word0, first_word(name)) << name << tail;
      EXPECT_EQ(c.word0, load_word(owned.n->str));
      EXPECT_TRUE(name_matches(owned.n->ref(), c, path.bytes.get())) << name << tail;
    }
  }
}

TEST(NameHash, ComponentsInsideAPathAreFoundAtEveryOffset) {
  // "/x/yy/zzz/..." walked component by component, as the walker does.
  std::string path;
  std::vector<std::string> parts;
  for (size_t len = 1; len <= 19; ++len) {
    parts.push_back(std::string(len, static_cast<char>('a' + len)));
    path += "/" + parts.back();
  }
  Exact exact(path);
  const char* p = exact.bytes.get();
  const char* end = p + exact.size;
  for (const std::string& want : parts) {
    ASSERT_EQ(*p, '/');
    ++p;
    const Component c = hash_component(p, static_cast<size_t>(end - p), p);
    ASSERT_EQ(std::string(p, c.len()), want);
    EXPECT_EQ(c.hash(), name_hash(want));
    // Allowed to read from the start of the string: the same answer.
    const Component c2 = hash_component(p, static_cast<size_t>(end - p), exact.bytes.get());
    EXPECT_EQ(c2.hash_len, c.hash_len);
    EXPECT_EQ(c2.word0, c.word0);
    p += c.len();
  }
  EXPECT_EQ(p, end);
}

TEST(NameHash, NamesThatDifferMatchNothingElse) {
  // Same length, same first word, a difference past byte 8: the full compare decides.
  OwnedName a("abcdefgh-1");
  Exact b("abcdefgh-2");
  const Component cb = hash_component(b.bytes.get(), b.size, b.bytes.get());
  EXPECT_FALSE(name_matches(a.n->ref(), cb, b.bytes.get()));
  // A prefix is not the name.
  Exact prefix("abcdefgh");
  const Component cp = hash_component(prefix.bytes.get(), prefix.size, prefix.bytes.get());
  EXPECT_FALSE(name_matches(a.n->ref(), cp, prefix.bytes.get()));
}

TEST(NameHash, ADifferenceAtAnyByteIsSeen) {
  // Same length and first word: the word-by-word compare (with its overlapping last
  // word) decides, whichever byte differs. The hash is the component's own so that
  // only the bytes are compared.
  for (size_t len = 9; len <= 40; ++len) {
    const std::string name(len, 'n');
    OwnedName owned(name);
    for (size_t i = 8; i < len; ++i) {
      std::string other = name;
      other[i] = 'o';
      Exact p(other);
      Component c = hash_component(p.bytes.get(), p.size, p.bytes.get());
      c.hash_len = owned.n->hash_len;
      EXPECT_FALSE(name_matches(owned.n->ref(), c, p.bytes.get())) << len << " " << i;
    }
    Exact same(name);
    const Component c = hash_component(same.bytes.get(), same.size, same.bytes.get());
    EXPECT_TRUE(name_matches(owned.n->ref(), c, same.bytes.get())) << len;
  }
}

TEST(NameHash, SimilarNamesSpreadOverChains) {
  // A million-entry directory's names differ in their last characters only; they must
  // still be told apart by the hash and land on different chains.
  const auto* parent = reinterpret_cast<const rcuvfs::core::Dentry*>(uintptr_t{0x7f0012345670});
  std::set<uint32_t> hashes;
  std::set<size_t> chains;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const uint32_t h = name_hash("f" + std::to_string(1000000 + i));
    hashes.insert(h);
    chains.insert(rcuvfs::core::dtable::parent_name_hash(parent, h) & 0xffff);
  }
  EXPECT_GT(hashes.size(), static_cast<size_t>(n * 0.999));
  // 100k random values fill 65536 (1 - e^-1.53) = 51,300 of 65536 slots.
  EXPECT_GT(chains.size(), 50000u);
}

TEST(NameHash, RandomPathsRoundTrip) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string path;
    std::vector<std::string> names;
    const int count = 1 + static_cast<int>(rng() % 5);
    for (int k = 0; k < count; ++k) {
      std::string name;
      const size_t len = 1 + rng() % 24;
      for (size_t i = 0; i < len; ++i) {
        char ch = static_cast<char>(1 + rng() % 255);
        name.push_back(ch == '/' ? 'q' : ch);
      }
      names.push_back(name);
      path += name;
      path.append(1 + rng() % 3, '/');
    }
    if (rng() % 2) path.pop_back();
    Exact exact(path);
    const char* p = exact.bytes.get();
    const char* end = p + exact.size;
    for (const std::string& want : names) {
      const Component c = hash_component(p, static_cast<size_t>(end - p), exact.bytes.get());
      ASSERT_EQ(std::string(p, c.len()), want);
      ASSERT_EQ(c.hash(), name_hash(want));
      ASSERT_EQ(c.word0, first_word(want));
      p += c.len();
      while (p < end && *p == '/') ++p;
    }
  }
}

}  // namespace
