#include "tools/torture/mixed.h"

#include "tools/torture/domain.h"
#include "tools/torture/reader.h"
#include "tools/torture/root_ns.h"

#include <rcuvfs/vfs.h>

#include <chrono>
#include <mutex>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace rcuvfs::torture {
namespace {

constexpr double kEpochSeconds = 0.25;

// The domains, by index (= the writer log index of their paths).
// kHost only on hostfs: changes made on the host behind rcuvfs's back.
enum : uint32_t { kSlots, kDirSwap, kMount, kAttr, kSymlink, kAttr2, kHost, kDomains };
constexpr size_t kMaxObservationsPerEpoch = 400'000;

// Half the readers use the default speculative walk; the others alternate between a
// forced reference walk and Linux's mode (RCU walk, reference for getattr).
Task::WalkMode reader_mode(int r) {
  if (r % 2 == 0) return Task::WalkMode::kSpeculative;
  return r % 4 == 1 ? Task::WalkMode::kRefOnly : Task::WalkMode::kLinux;
}

// The domain a reader focuses on. The speculative readers come first to the domains
// whose bugs need the most tries: directory exchange, then attribute churn; or all
// to the one CallMix::focus names.
size_t reader_focus(int r, size_t domains, const CallMix& mix) {
  if (mix.focus == CallMix::Focus::kExchange && reader_mode(r) == Task::WalkMode::kSpeculative)
    return kDirSwap;
  static const uint32_t kOrder[kDomains] = {kDirSwap, kAttr, kAttr2, kHost, kSymlink, kMount,
                                            kSlots};
  std::vector<uint32_t> order;
  for (uint32_t d : kOrder)
    if (d < domains) order.push_back(d);
  const size_t k = static_cast<size_t>(r / 2) + (r % 2 ? 3 : 0);
  return order[k % order.size()];
}

// A torn attribute read needs an attribute writer and a speculative reader running on
// two cores in the same nanoseconds; the other races need a reader stalled mid-walk,
// which any thread's time slice provides. So the threads a torn read does not need
// yield the CPU more readily (a higher nice value, which any thread may take).
constexpr int kBackgroundNice = 5;
void run_in_background() {
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kBackgroundNice);
}

}  // namespace

Report run_mixed(const Options& opt, Progress& progress) {
  Report rep;
  rep.scenario = "mixed";
  rep.fs = opt.fs;
  rep.inject = opt.inject;
  rep.threads = opt.threads;

  // On etcd the writers work through a second instance, as on another machine.
  RootNamespace ns(opt.fs, opt.cache, opt.host_watch, /*two=*/true);
  if (!ns.vfs()) {
    rep.error = ns.error();
    return rep;
  }
  World world{*ns.vfs(), *ns.writers(), ns.type(), ns.host_dir()};
  std::vector<std::unique_ptr<Domain>> domains;
  uint32_t seed = opt.seed * 7919u;
  domains.push_back(make_slot_domain(world, kSlots, ++seed, "/slots"));
  domains.push_back(make_dirswap_domain(world, kDirSwap, ++seed, "/swap"));
  domains.push_back(make_mount_domain(world, kMount, ++seed, "/mnt"));
  domains.push_back(make_attr_domain(world, kAttr, ++seed, "/attr"));
  domains.push_back(make_symlink_domain(world, kSymlink, ++seed, "/sym"));
  // A torn attribute read needs a writer and a reader on two cores at the same
  // nanosecond: a second churned file doubles the writers' share of the CPU.
  domains.push_back(make_attr_domain(world, kAttr2, ++seed, "/attr2"));
  if (opt.host_writer) domains.push_back(make_host_domain(world, kHost, ++seed, "/host"));
  try {
    for (auto& d : domains) d->prepare();
  } catch (const WriterError& e) {
    rep.error = e.what();
    return rep;
  }
  // Readers focused on attribute churn watch both churned files.
  auto& attr = world.picks[kAttr];
  attr.insert(attr.end(), world.picks[kAttr2].begin(), world.picks[kAttr2].end());
  world.picks[kAttr2] = attr;
  std::vector<const WriterLog*> logs;
  for (auto& d : domains) logs.push_back(&d->log());
  const Checker checker(world.paths, logs);

  std::vector<std::unique_ptr<Task>> readers;
  std::vector<std::mt19937> rngs;
  for (int r = 0; r < opt.threads; ++r) {
    readers.push_back(ns.vfs()->new_task());
    readers.back()->set_walk_mode(reader_mode(r));
    rngs.emplace_back(opt.seed * 1000003u + static_cast<uint32_t>(r));
  }
  std::vector<std::vector<Observation>> obs(opt.threads);
  const CallMix mix = call_mix(opt.inject);

  const Counters before = Vfs::counters();
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::mutex error_lock;
  while (elapsed() < opt.seconds) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& d : domains) {
      const auto index = static_cast<uint32_t>(&d - &domains[0]);
      const bool background = index != kAttr && index != kAttr2;
      threads.emplace_back([&, background, dom = d.get()] {
        if (background) run_in_background();
        try {
          while (!stop.load(std::memory_order_relaxed)) dom->step();
        } catch (const WriterError& e) {
          std::lock_guard lk(error_lock);
          if (rep.error.empty()) rep.error = e.what();
          stop.store(true);
        }
      });
    }
    for (int r = 0; r < opt.threads; ++r) {
      threads.emplace_back([&, r] {
        if (reader_mode(r) != Task::WalkMode::kSpeculative) run_in_background();
        read_paths(*readers[r], world, mix, reader_focus(r, domains.size(), mix), stop, rngs[r],
                   obs[r], kMaxObservationsPerEpoch);
      });
    }
    const double slice = std::min(kEpochSeconds, opt.seconds - elapsed());
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(slice);
    while (!stop.load() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop.store(true);
    for (auto& t : threads) t.join();

    for (auto& o : obs) {
      rep.stats += o.size();
      for (const Observation& x : o) {
        rep.accesses += x.call == Call::kAccess;
        rep.xattr_reads += x.call == Call::kGetxattr || x.call == Call::kListxattr;
        rep.readlinks += x.call == Call::kReadlink;
        rep.fstats += x.call == Call::kFstat;
      }
      rep.violations += checker.check(o, &rep.first_violation);
      o.clear();
    }
    // Every later stat starts after this instant: older history cannot matter.
    const uint64_t horizon = world.clock.load();
    for (auto& d : domains) d->log().prune(horizon);
    rep.ops = 0;
    for (auto& d : domains) rep.ops += d->stats().ops;
    const double now = elapsed();
    if (rep.violations && rep.caught_after < 0) rep.caught_after = now;
    progress.update(now, opt.seconds, rep);
    if (!rep.error.empty() || (!opt.inject.empty() && rep.violations)) break;
  }
  rep.seconds = elapsed();
  progress.finish();
  if (rep.error.empty()) rep.error = ns.check();

  const Counters delta = Vfs::counters() - before;
  rep.stat_speculative = delta.get(Counter::kStatSpeculative);
  rep.stat_fallback = delta.get(Counter::kStatFallback);
  rep.access_speculative = delta.get(Counter::kAccessSpeculative);
  rep.access_fallback = delta.get(Counter::kAccessFallback);
  rep.xattr_speculative =
      delta.get(Counter::kGetxattrSpeculative) + delta.get(Counter::kListxattrSpeculative);
  rep.xattr_fallback =
      delta.get(Counter::kGetxattrFallback) + delta.get(Counter::kListxattrFallback);
  rep.readlink_speculative = delta.get(Counter::kReadlinkSpeculative);
  rep.readlink_fallback = delta.get(Counter::kReadlinkFallback);
  rep.reclaimed = ns.vfs()->cache_stats().reclaimed;
  for (auto& d : domains) {
    const WriterStats& s = d->stats();
    rep.renames += s.renames;
    rep.unlinks += s.unlinks;
    rep.recycled += s.recycled;
    rep.mounts += s.mounts;
    rep.lag_us.insert(rep.lag_us.end(), s.lag_us.begin(), s.lag_us.end());
    rep.late += s.late;
  }
  return rep;
}

}  // namespace rcuvfs::torture
