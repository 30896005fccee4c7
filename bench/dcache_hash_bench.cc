// The dcache's hash table against liburcu's lock-free resizable hash table
// (cds_lfht), on the same keys: (directory, name) for N names in one directory.
//
// BM_Dcache/hit/N: d_lookup_rcu in the dcache a memfs namespace filled through
//   mknodat (the walker's lookup, as it runs on every component).
// BM_Lfht/hit/N: cds_lfht_lookup of the same keys, with the same 64-bit hash of
//   (parent, name), in a table created at its ideal size (a power of two >= N, no
//   resizing: cds_lfht's best case). Its entries have a dentry's size and hold the
//   parent and the name, as a dentry embedding a cds_lfht_node would.
// .../miss/N: names that are not there.
//
// Every lookup is one RCU read-side section, as in a walk. Keys are looked up in a
// fixed random order over all N (at 10^6 the tables and entries are far larger than
// the caches, as in a big directory). Component hashes are computed beforehand: this
// measures the tables, not the hashing.
#include "core/dcache.h"
#include "core/internals.h"
#include "core/rcu.h"
#include "core/task_state.h"

#include <rcuvfs/vfs.h>

#include <urcu/rculfhash.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using rcuvfs::core::Component;
using rcuvfs::core::Dentry;

// (Appended, not "f" + ...: g++ 12 warns about that, PR105651.)
std::string entry_name(int i) { return std::string("f").append(std::to_string(i)); }
std::string absent_name(int i) { return std::string("g").append(std::to_string(i)); }

struct Key {
  std::string name;
  Component c;
};

// `count` keys named by `name_of`, in a fixed shuffled order.
std::vector<Key> keys(int count, std::string (*name_of)(int)) {
  std::vector<Key> k;
  k.reserve(count);
  for (int i = 0; i < count; ++i) {
    std::string n = name_of(i);
    const Component c = rcuvfs::core::hash_component(n);
    k.push_back({std::move(n), c});
  }
  std::shuffle(k.begin(), k.end(), std::mt19937(42));
  return k;
}

// ---- the dcache: a memfs directory of N files --------------------------------------
struct DcacheDir {
  std::unique_ptr<rcuvfs::Vfs> vfs;
  Dentry* dir = nullptr;  // "/d", held by the dcache (memfs pins its entries)
};

std::string make_dcache_dir(int entries, DcacheDir* out) {
  auto v = rcuvfs::Vfs::create("memfs");
  if (!v.ok()) return "cannot create a memfs namespace";
  out->vfs = std::move(*v);
  auto task = out->vfs->new_task();
  if (!task->mkdirat(AT_FDCWD, "/d", 0755).ok()) return "mkdir /d failed";
  for (int i = 0; i < entries; ++i)
    if (!task->mknodat(AT_FDCWD, std::string("/d/").append(entry_name(i)), S_IFREG | 0644, 0)
             .ok())
      return "mknod failed";
  const Dentry* root = rcuvfs::core::state_of(*task).fs.load(std::memory_order_relaxed)->root.dentry;
  const std::string name = "d";
  const Component c = rcuvfs::core::hash_component(name);
  uint32_t seq;
  rcuvfs::core::RcuLock rcu;
  out->dir = rcuvfs::core::d_lookup_rcu(root, c, name.data(), &seq);
  return out->dir ? "" : "/d is not in the dcache";
}

void BM_Dcache(benchmark::State& state, bool hit) {
  const auto n = static_cast<int>(state.range(0));
  DcacheDir d;
  if (std::string e = make_dcache_dir(n, &d); !e.empty()) {
    state.SkipWithError(e.c_str());
    return;
  }
  const std::vector<Key> k = keys(n, hit ? entry_name : absent_name);
  size_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    const Key& key = k[i];
    uint32_t seq;
    rcuvfs::core::rcu_lock();
    Dentry* r = rcuvfs::core::d_lookup_rcu(d.dir, key.c, key.name.data(), &seq);
    rcuvfs::core::rcu_unlock();
    benchmark::DoNotOptimize(r);
    found += r != nullptr;
    if (++i == k.size()) i = 0;
  }
  if (found != (hit ? state.iterations() : 0)) state.SkipWithError("wrong lookup results");
}

// ---- cds_lfht ----------------------------------------------------------------------
// An entry the size of a dentry, holding what the dcache compares.
struct alignas(Dentry) LfhtEntry {
  cds_lfht_node node;
  const void* parent;
  uint32_t len;
  char name[16];
  char rest[sizeof(Dentry) - sizeof(cds_lfht_node) - 2 * sizeof(void*) - 16];
};
static_assert(sizeof(LfhtEntry) == sizeof(Dentry));

struct LfhtKey {
  const void* parent;
  const char* name;
  uint32_t len;
};

int lfht_match(cds_lfht_node* node, const void* key) {
  const auto* e = caa_container_of(node, LfhtEntry, node);
  const auto* k = static_cast<const LfhtKey*>(key);
  return e->parent == k->parent && e->len == k->len && std::memcmp(e->name, k->name, k->len) == 0;
}

unsigned long lfht_hash(const void* parent, const Component& c) {
  return rcuvfs::core::dtable::parent_name_hash(static_cast<const Dentry*>(parent), c.hash());
}

struct Lfht {
  cds_lfht* ht = nullptr;
  std::vector<LfhtEntry*> entries;
  ~Lfht() {
    if (!ht) return;
    {
      rcuvfs::core::RcuLock rcu;
      for (LfhtEntry* e : entries) cds_lfht_del(ht, &e->node);
    }
    cds_lfht_destroy(ht, nullptr);
    // No reader is left (this thread's were its own): the entries can go at once.
    for (LfhtEntry* e : entries) delete e;
  }
};

std::string make_lfht(const void* parent, int entries, Lfht* out) {
  unsigned long size = 1;
  while (size < static_cast<unsigned long>(entries)) size <<= 1;
  out->ht = cds_lfht_new_flavor(size, size, size, 0, &urcu_memb_flavor, nullptr);
  if (!out->ht) return "cds_lfht_new failed";
  rcuvfs::core::RcuLock rcu;
  for (int i = 0; i < entries; ++i) {
    const std::string n = entry_name(i);
    auto* e = new LfhtEntry{};
    cds_lfht_node_init(&e->node);
    e->parent = parent;
    e->len = static_cast<uint32_t>(n.size());
    std::memcpy(e->name, n.data(), n.size());
    out->entries.push_back(e);
    const LfhtKey key{parent, e->name, e->len};
    cds_lfht_add_unique(out->ht, lfht_hash(parent, rcuvfs::core::hash_component(n)),
                        lfht_match, &key, &e->node);
  }
  return "";
}

void BM_Lfht(benchmark::State& state, bool hit) {
  const auto n = static_cast<int>(state.range(0));
  static const int kParent = 0;  // any stable address stands for the directory
  Lfht t;
  if (std::string e = make_lfht(&kParent, n, &t); !e.empty()) {
    state.SkipWithError(e.c_str());
    return;
  }
  const std::vector<Key> k = keys(n, hit ? entry_name : absent_name);
  std::vector<unsigned long> hashes;
  for (const Key& key : k) hashes.push_back(lfht_hash(&kParent, key.c));
  size_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    const LfhtKey key{&kParent, k[i].name.data(), k[i].c.len()};
    cds_lfht_iter iter;
    rcuvfs::core::rcu_lock();
    cds_lfht_lookup(t.ht, hashes[i], lfht_match, &key, &iter);
    cds_lfht_node* r = cds_lfht_iter_get_node(&iter);
    rcuvfs::core::rcu_unlock();
    benchmark::DoNotOptimize(r);
    found += r != nullptr;
    if (++i == k.size()) i = 0;
  }
  if (found != (hit ? state.iterations() : 0)) state.SkipWithError("wrong lookup results");
}

// Each table, found and absent names, in directories of 10, 1000 and 10^6 names.
#define RCUVFS_TABLE_BENCH(fn, what, hit) \
  BENCHMARK_CAPTURE(fn, what, hit)->Arg(10)->Arg(1000)->Arg(1000000)->Unit(benchmark::kNanosecond)
RCUVFS_TABLE_BENCH(BM_Dcache, hit, true);
RCUVFS_TABLE_BENCH(BM_Lfht, hit, true);
RCUVFS_TABLE_BENCH(BM_Dcache, miss, false);
RCUVFS_TABLE_BENCH(BM_Lfht, miss, false);

}  // namespace
