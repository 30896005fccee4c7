#include "tools/bench/plot_script.h"

#include <algorithm>
#include <sstream>

namespace rcuvfs::tools::bench {

namespace {
// A gnuplot single-quoted string: no escapes inside, '' stands for a quote.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

const Outcome* find(const std::vector<Outcome>& outcomes, Mode m, Workload w, int threads,
                    double rate) {
  for (const Outcome& o : outcomes)
    if (o.cell.mode == m && o.cell.workload == w && o.cell.threads == threads &&
        o.cell.writer_rate == rate)
      return &o;
  return nullptr;
}

// gnuplot reads NaN as "no value": a missing bar or point.
std::string value(const Outcome* o) {
  if (!o) return "NaN";
  std::ostringstream s;
  s << o->ops_per_sec;
  return s.str();
}

template <class T>
void add_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// Left panel: rows are modes, columns are (workload, threads) series.
void bars(std::ostringstream& s, const std::vector<Outcome>& outcomes) {
  std::vector<Mode> modes;
  std::vector<std::pair<Workload, int>> series;
  for (const Outcome& o : outcomes) {
    if (o.cell.writer_rate != 0) continue;
    add_unique(modes, o.cell.mode);
    add_unique(series, {o.cell.workload, o.cell.threads});
  }
  std::sort(modes.begin(), modes.end());
  std::sort(series.begin(), series.end());
  s << "$bars << EOD\nmode";
  for (auto [w, t] : series) s << " \"" << workload_name(w) << " t=" << t << "\"";
  s << "\n";
  for (Mode m : modes) {
    s << mode_name(m);
    for (auto [w, t] : series) s << " " << value(find(outcomes, m, w, t, 0));
    s << "\n";
  }
  s << "EOD\n"
       "set title 'stat throughput by mode (no writer)'\n"
       "set style data histograms\n"
       "set style histogram clustered gap 1\n"
       "set style fill solid 0.85 border rgb 'black'\n"
       "set logscale y\n"
       "set format y '%g'\n"
       "set ylabel 'million stats per second, all threads (log scale)'\n"
       "set grid ytics\n"
       // Below the plot: inside, it would cover the tallest bars.
       "set key below horizontal\n"
       "plot for [i=2:"
    << series.size() + 1 << "] $bars using (column(i)/1e6):xtic(1) title columnheader(i)\n";
}

// Right panel: one line per (mode, workload) of spec and linux at `threads`.
void writer_lines(std::ostringstream& s, const std::vector<Outcome>& outcomes,
                  const std::vector<double>& rates, int threads) {
  const std::vector<std::pair<Mode, Workload>> lines{{Mode::kSpec, Workload::kShared},
                                                     {Mode::kSpec, Workload::kPrivate},
                                                     {Mode::kLinux, Workload::kShared},
                                                     {Mode::kLinux, Workload::kPrivate}};
  s << "$lines << EOD\nrate";
  for (auto [m, w] : lines) s << " \"" << mode_name(m) << " " << workload_name(w) << "\"";
  s << "\n";
  for (double r : rates) {
    s << static_cast<long long>(r);
    for (auto [m, w] : lines) s << " " << value(find(outcomes, m, w, threads, r));
    s << "\n";
  }
  s << "EOD\n"
       "unset logscale y\n"
       "set yrange [0:*]\n"
       "set xrange [-0.3:"
    << rates.size() - 0.7
    << "]\n"
       "set title 'spec and linux under a renaming writer ("
    << threads
    << " threads)'\n"
       "set xlabel 'writer renames per second'\n"
       "set ylabel 'million stats per second, all threads'\n"
       // The y axis starts at 0, well below the lines: the corner is free.
       "set key inside bottom left vertical\n"
       // spec blue, linux orange; shared solid, private dashed.
       "set linetype 11 lc rgb '#1f77b4' lw 2 pt 7 ps 1.2 dt 1\n"
       "set linetype 12 lc rgb '#1f77b4' lw 2 pt 5 ps 1.2 dt 2\n"
       "set linetype 13 lc rgb '#ff7f0e' lw 2 pt 7 ps 1.2 dt 1\n"
       "set linetype 14 lc rgb '#ff7f0e' lw 2 pt 5 ps 1.2 dt 2\n"
       "plot for [i=2:5] $lines using 0:(column(i)/1e6):xtic(1) with linespoints lt (i+9) "
       "title columnheader(i)\n";
}
}  // namespace

std::string plot_script(const std::string& svg_file, const Machine& machine, int depth,
                        const std::vector<Outcome>& outcomes) {
  // Writer rates (with 0) of the spec/linux cells, at the widest thread count that
  // had a writer.
  std::vector<double> rates;
  int writer_threads = 0;
  for (const Outcome& o : outcomes) {
    if (o.cell.mode != Mode::kSpec && o.cell.mode != Mode::kLinux) continue;
    if (o.cell.writer_rate > 0) writer_threads = std::max(writer_threads, o.cell.threads);
  }
  for (const Outcome& o : outcomes)
    if ((o.cell.mode == Mode::kSpec || o.cell.mode == Mode::kLinux) &&
        o.cell.threads == writer_threads)
      add_unique(rates, o.cell.writer_rate);
  std::sort(rates.begin(), rates.end());
  const bool two_panels = rates.size() >= 2;

  std::ostringstream s;
  // noenhanced: CPU names contain characters ('@', '_') that enhanced text would
  // interpret.
  s << "set terminal svg size " << (two_panels ? 1400 : 760)
    << ",600 dynamic noenhanced font 'sans,13' background rgb 'white'\n"
    << "set output " << quoted(svg_file) << "\n"
    << "set multiplot layout 1," << (two_panels ? 2 : 1) << " title "
    << quoted("rcuvfs bench: stat of /b/t<i>/d1/.../d" + std::to_string(depth) + "/file (" +
              std::to_string(depth + 3) + " components) on " + machine.cpu + ", " +
              std::to_string(machine.nproc) + " CPUs, " + machine.kernel)
    << " font ',15'\n";
  bars(s, outcomes);
  if (two_panels) writer_lines(s, outcomes, rates, writer_threads);
  s << "unset multiplot\n";
  return s.str();
}

}  // namespace rcuvfs::tools::bench
