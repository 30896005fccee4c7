// Diagnostics for benchmarks and tests. Nothing here is for production use.
#pragma once

#include <rcuvfs/counters.h>
#include <rcuvfs/result.h>
#include <rcuvfs/task.h>
#include <rcuvfs/uapi.h>

#include <string_view>

namespace rcuvfs::diag {

// The cost floor of a stat: walks the dcache from the task's root with relaxed
// loads only — no RCU section, no sequence counters, no permission checks, no
// symlinks, no mounts, no "..". Unsafe while anything writes to the namespace; it
// exists so benchmarks can show how close the real walk comes to doing nothing
// but the lookups. Names missing from the dcache are ENOENT.
Result<Statx> floor_stat(Task& task, std::string_view path);

// One of the calling thread's own walker counters (its share of Vfs::counters()),
// read without the lock Vfs::counters() takes: cheap enough to compare before and
// after every call, to learn how that call was served.
uint64_t thread_counter(Counter c);

// Deliberate bugs, for checking that a checker can fail (rcuvfs torture --inject).
// Process-wide; 0 turns them all off.
enum Inject : unsigned {
  kSkipValidation = 1u << 0,     // accept the speculative stat without re-checking
  kSkipParentRecheck = 1u << 1,  // don't re-check the parent after finding a child
  kNoAttrSnapshot = 1u << 2,     // read attributes without the attribute seqcount
};
void set_inject(unsigned bugs);

}  // namespace rcuvfs::diag
