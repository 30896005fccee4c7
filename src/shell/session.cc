#include "shell/session.h"

#include <istream>
#include <ostream>
#include <string>

namespace rcuvfs::shell {

int run_session(Executor& ex, std::istream& in, std::ostream& out, bool prompt) {
  std::string line;
  while (true) {
    if (prompt) out << "rcuvfs> " << std::flush;
    if (!std::getline(in, line)) break;
    if (auto result = ex.run_line(line)) out << *result << '\n' << std::flush;
  }
  if (prompt) out << '\n' << std::flush;
  return ex.saw_bad() ? 1 : 0;
}

}  // namespace rcuvfs::shell
