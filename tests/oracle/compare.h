// Comparing the outputs of one script run on two backends.
#pragma once

#include <string>
#include <vector>

namespace rcuvfs::oracle {

// Rewrites the `ino=` and `dev=` values of stat lines to 1, 2, 3, ... in order of
// first appearance (each namespace's numbering is its own); inode numbers are keyed
// by (dev, ino). `rdev=` is kept.
std::vector<std::string> normalize(const std::vector<std::string>& output);

struct Mismatch {
  size_t script_line;     // 1-based line number in the script
  std::string command;    // the script line
  std::string rcuvfs;     // normalised output of rcuvfs ("<missing>" when absent)
  std::string linux_out;  // normalised output of Linux
};

// Pairs every non-blank, non-comment script line with one output line of each run
// and returns the differences. Lines running `stats` are not compared.
std::vector<Mismatch> compare_outputs(const std::vector<std::string>& script,
                                      const std::vector<std::string>& rcuvfs,
                                      const std::vector<std::string>& linux_out);

// "line 12: rename a a/b\n  rcuvfs: ok\n  linux:  err EINVAL\n" for each mismatch
// (at most `limit`).
std::string describe(const std::vector<Mismatch>& mismatches, size_t limit = 10);

}  // namespace rcuvfs::oracle
