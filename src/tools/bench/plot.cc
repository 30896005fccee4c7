#include "tools/bench/plot.h"

#include "tools/bench/plot_script.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace rcuvfs::tools::bench {

namespace {
// popen() runs anything through the shell, so a missing gnuplot would only show up
// as "sh: gnuplot: not found"; look for it first to say what to install.
bool gnuplot_in_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((dir + "/gnuplot").c_str(), X_OK) == 0) return true;
  return false;
}
}  // namespace

std::string check_gnuplot() {
  if (gnuplot_in_path()) return "";
  return "--plot needs gnuplot, which is not installed (Debian: apt-get install gnuplot-nox)";
}

std::string draw_plot(const std::string& svg_file, const Machine& machine, int depth,
                      const std::vector<Outcome>& outcomes) {
  if (std::string e = check_gnuplot(); !e.empty()) return e;
  const std::string script = plot_script(svg_file, machine, depth, outcomes);
  std::FILE* gp = popen("gnuplot", "w");
  if (!gp) return "cannot run gnuplot";
  std::fwrite(script.data(), 1, script.size(), gp);
  int status = pclose(gp);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "gnuplot failed to draw " + svg_file + " (its messages are above)";
  return "";
}

}  // namespace rcuvfs::tools::bench
