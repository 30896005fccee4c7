// The progress line on stderr while a torture run goes: rewritten in place on a
// terminal, one plain line per update otherwise (a log, CI).
#pragma once

#include "tools/torture/report.h"

namespace rcuvfs::torture {

class Progress {
 public:
  explicit Progress(bool enabled);
  // Prints at most about once a second (the first call always prints).
  void update(double elapsed, double total, const Report& so_far);
  void finish();  // clears the line on a terminal

 private:
  bool enabled_, tty_;
  double last_ = -1;
};

}  // namespace rcuvfs::torture
