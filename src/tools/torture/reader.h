// A reader of the mixed scenario: stats watched paths, three times in four those of
// its focus domain (World::picks), or asks them another read-only question (CallMix),
// and keeps every outcome, stamped with the logical clock, in its own buffer.
#pragma once

#include "tools/torture/domain.h"

#include <atomic>
#include <random>
#include <string_view>
#include <vector>

namespace rcuvfs::torture {

// Of 32 reads of a path that names its object itself (not followed, not a child), how
// many go to each call other than stat; the rest are stats. fstat reads a descriptor
// the reader holds, only for paths that hold one object for the whole run
// (PathSpec::fixed). Most reads stay stats by default: the races that catch a stat's
// missing validation need many of them, and on hostfs each xattr read is a host system
// call.
struct CallMix {
  uint8_t access = 8, getxattr = 1, listxattr = 1, readlink = 1, fstat = 4;
  // Where every speculative reader focuses (mixed.cc), or kDefault.
  enum class Focus : uint8_t { kDefault, kExchange } focus = Focus::kDefault;
};
// The mix of a run: a run aimed at one call's injected bug (`inject`) reads mostly
// with that call, where that call's stale answers come from (the directory exchange's
// replaced files), so that the race its check needs comes as often as a stat's does.
CallMix call_mix(std::string_view inject);

// Runs until `stop` or until `out` holds `cap` observations.
void read_paths(Task& task, const World& world, const CallMix& mix, size_t focus,
                const std::atomic<bool>& stop, std::mt19937& rng, std::vector<Observation>& out,
                size_t cap);

}  // namespace rcuvfs::torture
