#include "tools/bench/plan.h"

#include <algorithm>

namespace rcuvfs::tools::bench {

namespace {
template <class T>
std::vector<T> sorted_unique(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<int> default_threads(bool quick, int nproc) {
  if (quick) return {1, 2};
  std::vector<int> t;
  for (int n = 1; n < nproc; n *= 2) t.push_back(n);
  t.push_back(std::max(nproc, 1));
  return t;
}
}  // namespace

const char* call_name(Call c) {
  switch (c) {
    case Call::kAccess: return "access";
    case Call::kStatfs: return "statfs";
    case Call::kGetxattr: return "getxattr";
    case Call::kListxattr: return "listxattr";
    case Call::kReadlink: return "readlink";
    case Call::kFstat: return "fstat";
    case Call::kStat: break;
  }
  return "stat";
}

Plan make_plan(const BenchOptions& opt, int nproc) {
  std::vector<Mode> modes;
  for (const std::string& name : opt.modes) modes.push_back(*parse_mode(name));
  if (modes.empty() && (opt.on_hostfs() || opt.call != Call::kStat))
    modes = {Mode::kSpec, Mode::kLinux, Mode::kRef, Mode::kKernel};  // all on the host tree
  if (modes.empty()) modes.assign(kAllModes.begin(), kAllModes.end());
  modes = sorted_unique(modes);  // enum order: spec first, as the ratios refer to it

  const std::vector<int> threads =
      sorted_unique(opt.threads.empty() ? default_threads(opt.quick, nproc) : opt.threads);

  std::vector<double> rates{0};
  if (!opt.writer_rates.empty())
    rates.insert(rates.end(), opt.writer_rates.begin(), opt.writer_rates.end());
  else if (opt.quick)
    rates.push_back(10000);
  else
    rates.insert(rates.end(), {1000, 10000, 100000});
  rates = sorted_unique(rates);

  // The writer races rcuvfs walkers only. --quick keeps its minute by racing just
  // the two RCU walks, unless the modes were chosen explicitly.
  auto races_writer = [&](Mode m) {
    if (opt.quick && opt.modes.empty()) return m == Mode::kSpec || m == Mode::kLinux;
    return is_rcuvfs_walk(m);
  };

  // floor is single-threaded (it is unsafe to share), so it runs at t=1 even when
  // 1 is not among the requested thread counts.
  std::vector<int> all_threads = threads;
  if (contains(modes, Mode::kFloor)) {
    all_threads.push_back(1);
    all_threads = sorted_unique(all_threads);
  }

  Plan plan;
  plan.seconds = opt.seconds > 0 ? opt.seconds : opt.quick ? 0.2 : 1.0;
  // --quick's cells are short: more of them make its medians steadier, within its minute.
  plan.rounds = opt.rounds > 0 ? opt.rounds : opt.quick ? 5 : 3;
  plan.subtrees = std::max(4, threads.back());
  plan.needs_host = contains(modes, Mode::kKernel) || opt.on_hostfs();
  for (double rate : rates)
    for (Workload w : kAllWorkloads)
      for (int t : all_threads)
        for (Mode m : modes) {
          bool wanted = m == Mode::kFloor ? (t == 1 && rate == 0)
                                          : contains(threads, t) && (rate == 0 || races_writer(m));
          if (wanted) plan.cells.push_back({m, w, t, rate});
        }
  return plan;
}

}  // namespace rcuvfs::tools::bench
