// normalize_output: copies shell output from stdin to stdout with the `ino=` and
// `dev=` values of stat lines renumbered 1, 2, 3, ... by first appearance.
#include "oracle/compare.h"

#include <iostream>
#include <string>
#include <vector>

int main() {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(std::cin, line)) lines.push_back(line);
  for (const auto& l : rcuvfs::oracle::normalize(lines)) std::cout << l << '\n';
  return 0;
}
