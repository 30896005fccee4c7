// Running a stream of shell lines: the read-execute-print loop of `rcuvfs shell`.
#pragma once

#include "shell/executor.h"

#include <iosfwd>

namespace rcuvfs::shell {

// Runs every line of `in` through `ex`, writing each output line to `out` (flushed
// per line). With `prompt`, "rcuvfs> " is written before each line is read.
// Returns the shell's exit status: 0 when every line parsed, 1 when any was `bad`.
int run_session(Executor& ex, std::istream& in, std::ostream& out, bool prompt);

}  // namespace rcuvfs::shell
