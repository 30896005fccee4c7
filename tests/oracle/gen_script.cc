// gen_script: prints the random script the differential test uses for a seed, e.g.
// to replay a failure by hand:
//
//   build/tests/oracle/gen_script 17 > /tmp/s17.sh
//   build/tests/oracle/linux_shell /tmp/s17.sh; build/rcuvfs shell /tmp/s17.sh
#include "oracle/script_gen.h"

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: gen_script SEED [LINES]\n";
    return 2;
  }
  uint64_t seed = std::strtoull(argv[1], nullptr, 10);
  size_t lines = argc == 3 ? std::strtoull(argv[2], nullptr, 10) : 60;
  for (const auto& l : rcuvfs::oracle::generate_script(seed, lines)) std::cout << l << '\n';
  return 0;
}
