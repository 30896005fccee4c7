#include "tools/torture/progress.h"

#include <cstdio>
#include <unistd.h>

namespace rcuvfs::torture {

Progress::Progress(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO)) {}

void Progress::update(double elapsed, double total, const Report& r) {
  if (!enabled_ || (last_ >= 0 && elapsed - last_ < 1.0)) return;
  last_ = elapsed;
  std::fprintf(stderr, "%s[%5.1f/%.0f s] %s %s: %llu stats, %llu ops, %llu violations, "
               "%llu escapes%s",
               tty_ ? "\r\033[K" : "", elapsed, total, r.scenario.c_str(), r.fs.c_str(),
               static_cast<unsigned long long>(r.stats), static_cast<unsigned long long>(r.ops),
               static_cast<unsigned long long>(r.violations),
               static_cast<unsigned long long>(r.escapes), tty_ ? "" : "\n");
  std::fflush(stderr);
}

void Progress::finish() {
  if (enabled_ && tty_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace rcuvfs::torture
