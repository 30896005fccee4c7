// The checks of every numeric option of the subcommands, in one place so that the
// same mistake gets the same message everywhere and is refused before anything runs
// (CLI11 prints "--OPTION: <message>", and main() exits with status 2).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>

namespace rcuvfs::tools {

// The longest duration any option takes, in seconds (about 11.5 days): a run, a
// cache lifetime. hostfs's ttl= has the same limit, and a time point this far ahead
// still fits steady_clock's nanoseconds many times over.
inline constexpr double kMaxSeconds = 1e6;

// Decimal digits only (a '-' first when lo < 0), from lo to hi.
CLI::Validator whole_number(int64_t lo, int64_t hi);

// A finite decimal number ("0.25", "3"; no exponent, "inf" or "nan") from lo to hi;
// above lo only, when lo_excluded.
CLI::Validator decimal_number(double lo, double hi, bool lo_excluded = false);

// A duration of more than 0 (or at least 0) and at most kMaxSeconds.
inline CLI::Validator positive_seconds() { return decimal_number(0, kMaxSeconds, true); }
inline CLI::Validator seconds_or_zero() { return decimal_number(0, kMaxSeconds); }

}  // namespace rcuvfs::tools
