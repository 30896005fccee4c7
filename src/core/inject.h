// Fault injection and test hooks: switches that the torture self-tests (rcuvfs::diag)
// and the walk tests set, never set in production use. Each injected bug removes one
// check, so that a test can prove the checker catches what that check prevents. They
// are read here, at the top of the code they disable, never inside a validation:
// `if (injected(kInjectX)) <skip>` with one relaxed load, so the checks themselves
// read as they run in production.
#pragma once

#include <atomic>

namespace rcuvfs::core {

struct Path;

inline constexpr unsigned kInjectSkipValidation = 1u << 0;     // stat: no final validation
inline constexpr unsigned kInjectSkipParentRecheck = 1u << 1;  // no hand-over-hand recheck
inline constexpr unsigned kInjectNoAttrSnapshot = 1u << 2;     // attributes read unlocked
inline constexpr unsigned kInjectEvictHashed = 1u << 3;        // the shrinker frees in use
inline constexpr unsigned kInjectAccessSkipValidation = 1u << 5;
inline constexpr unsigned kInjectReadlinkSkipValidation = 1u << 7;
inline constexpr unsigned kInjectXattrSkipValidation = 1u << 8;

extern std::atomic<unsigned> g_inject;  // read inline on the stat's path
void set_inject(unsigned bugs);
inline unsigned inject() { return g_inject.load(std::memory_order_relaxed); }
[[gnu::always_inline]] inline bool injected(unsigned bugs) {
  return __builtin_expect((inject() & bugs) != 0, 0);
}

// Called in RCU mode between a speculative answer and its validation (the tests use it
// to bump a sequence counter deterministically).
using SpecHook = void (*)(const Path& final_path);
extern std::atomic<SpecHook> g_spec_hook;
void set_speculation_hook(SpecHook hook);
[[gnu::always_inline]] inline void speculation_point(const Path& at) {
  if (SpecHook hook = g_spec_hook.load(std::memory_order_relaxed)) hook(at);
}

}  // namespace rcuvfs::core
