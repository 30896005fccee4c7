// The progress line on stderr while cells run ("[12/30] spec private t=2 ..."). On a
// terminal it is rewritten in place; otherwise (a log, CI) each cell gets a line.
#pragma once

#include "tools/bench/cell.h"

#include <cstddef>

namespace rcuvfs::tools::bench {

class Progress {
 public:
  explicit Progress(size_t total);
  void start(const Cell& cell);  // the next cell begins
  void finish();                 // all done: clear the line on a terminal

 private:
  size_t total_;
  size_t done_ = 0;
  bool tty_;
};

}  // namespace rcuvfs::tools::bench
