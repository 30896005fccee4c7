// A reader of the mixed scenario: stats watched paths, three times in four those of
// its focus domain (World::picks), and keeps every outcome, stamped with the logical
// clock, in its own buffer.
#pragma once

#include "tools/torture/domain.h"

#include <atomic>
#include <random>
#include <vector>

namespace rcuvfs::torture {

// Runs until `stop` or until `out` holds `cap` observations.
void read_paths(Task& task, const World& world, size_t focus, const std::atomic<bool>& stop,
                std::mt19937& rng, std::vector<Observation>& out, size_t cap);

}  // namespace rcuvfs::torture
