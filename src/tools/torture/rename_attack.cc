#include "tools/torture/rename_attack.h"

#include "tools/torture/root_ns.h"

#include <rcuvfs/vfs.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace rcuvfs::torture {
namespace {

// Each victim counts in its own cache line; the main thread only reads.
struct alignas(64) VictimCount {
  std::atomic<uint64_t> attempts{0};
  std::atomic<uint64_t> refused{0};  // EAGAIN or EXDEV: the walk saw the race
};

}  // namespace

AttackOutcome rename_attack(const std::string& fs, const std::vector<AttackCase>& cases,
                            double seconds,
                            double max_seconds, bool stop_on_escape, Progress* progress) {
  AttackOutcome out;
  RootNamespace ns(fs);
  if (!ns.vfs()) {
    out.error = ns.error();
    return out;
  }
  auto setup = ns.vfs()->new_task();
  for (const char* d : {"/r", "/r/a", "/r/a/c", "/r/b"}) {
    if (!setup->mkdirat(AT_FDCWD, d, 0755).ok()) {
      out.error = std::string("mkdir ") + d;
      return out;
    }
  }
  std::string path = "c/..";
  for (int i = 0; i < 7; ++i) path += "/c/..";

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> exchanges{0};
  std::mutex lock;  // guards `out` when a victim finishes
  const Counters before = Vfs::counters();
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  std::thread attacker([&] {
    auto t = ns.vfs()->new_task();
    while (!stop.load(std::memory_order_relaxed)) {
      if (!t->renameat2(AT_FDCWD, "/r/a/c", AT_FDCWD, "/r/b", RENAME_EXCHANGE).ok()) {
        std::lock_guard lk(lock);
        out.error = "the attacker's exchange failed";
        stop.store(true);
      }
      exchanges.fetch_add(1, std::memory_order_relaxed);
    }
  });

  std::vector<VictimCount> counts(cases.size());
  std::vector<std::thread> victims;
  for (size_t i = 0; i < cases.size(); ++i) {
    victims.emplace_back([&, i] {
      auto victim = ns.vfs()->new_task();
      victim->set_walk_mode(cases[i].mode);
      auto afd = victim->openat(AT_FDCWD, "/r/a", O_PATH | O_DIRECTORY);
      AttackOutcome mine;
      if (!afd.ok()) mine.error = "open /r/a";
      OpenHow how{};
      how.flags = O_PATH;
      how.resolve = cases[i].resolve;
      while (afd.ok() && !stop.load(std::memory_order_relaxed)) {
        for (int k = 0; k < 256; ++k) {
          ++mine.attempts;
          auto fd = victim->openat2(*afd, path, how);
          if (fd.ok()) {
            ++mine.ok;
            auto where = victim->fdpath(*fd);
            // a/ never moves, so anything else is an escape.
            if (!where.ok() || *where != "/r/a") {
              if (mine.escapes++ == 0) mine.first_escape = where.ok() ? *where : "(no path)";
            }
            (void)victim->close(*fd);
          } else if (fd.error() == EAGAIN) {
            ++mine.eagain;
          } else if (fd.error() == EXDEV) {
            ++mine.exdev;
          } else {
            ++mine.other;
          }
        }
        counts[i].attempts.store(mine.attempts, std::memory_order_relaxed);
        counts[i].refused.store(mine.eagain + mine.exdev, std::memory_order_relaxed);
        if (mine.escapes && stop_on_escape) stop.store(true);
      }
      std::lock_guard lk(lock);
      out.attempts += mine.attempts;
      out.ok += mine.ok;
      out.eagain += mine.eagain;
      out.exdev += mine.exdev;
      out.other += mine.other;
      if (mine.escapes && out.escapes == 0) out.first_escape = mine.first_escape;
      out.escapes += mine.escapes;
      if (!mine.error.empty() && out.error.empty()) out.error = mine.error;
    });
  }

  // Run for the requested time, and on until the race has been hit at least once.
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const double now = elapsed();
    if (progress) {
      Report r;
      r.scenario = "rename-attack";
      r.fs = fs;
      for (auto& c : counts) r.stats += c.attempts.load(std::memory_order_relaxed);
      r.ops = exchanges.load(std::memory_order_relaxed);
      progress->update(now, seconds, r);
    }
    if (stop.load()) break;
    if (now >= max_seconds) break;
    if (now >= seconds) {
      uint64_t refused = 0;
      for (auto& c : counts) refused += c.refused.load(std::memory_order_relaxed);
      if (refused + (Vfs::counters() - before).get(Echild::kRenameSeq) > 0) break;
    }
  }
  stop.store(true);
  for (auto& t : victims) t.join();
  attacker.join();
  out.seconds = elapsed();
  if (out.escapes) out.caught_after = out.seconds;
  out.exchanges = exchanges.load();
  out.rename_seq_fallbacks = (Vfs::counters() - before).get(Echild::kRenameSeq);
  if (progress) progress->finish();
  if (out.error.empty()) out.error = ns.check();
  return out;
}

Report run_rename_attack(const Options& opt, Progress& progress) {
  static const AttackCase kCases[] = {
      {RESOLVE_IN_ROOT, Task::WalkMode::kSpeculative},
      {RESOLVE_BENEATH, Task::WalkMode::kSpeculative},
      {RESOLVE_IN_ROOT, Task::WalkMode::kRefOnly},
      {RESOLVE_BENEATH, Task::WalkMode::kRefOnly},
  };
  std::vector<AttackCase> cases;
  for (int i = 0; i < opt.threads; ++i) cases.push_back(kCases[i % 4]);
  const bool injected = !opt.inject.empty();
  const double max_seconds = injected ? opt.seconds : opt.seconds + 20;
  AttackOutcome o = rename_attack(opt.fs, cases, opt.seconds, max_seconds, injected, &progress);
  Report r;
  r.scenario = "rename-attack";
  r.fs = opt.fs;
  r.inject = opt.inject;
  r.threads = opt.threads;
  r.seconds = o.seconds;
  r.ops = o.exchanges;
  r.renames = o.exchanges;
  r.stats = o.attempts;
  r.walks_ok = o.ok;
  r.eagain = o.eagain;
  r.exdev = o.exdev;
  r.rename_seq_fallbacks = o.rename_seq_fallbacks;
  r.escapes = o.escapes;
  // A scoped walk that failed for any other reason did something the race cannot cause.
  r.violations = o.other;
  if (o.escapes) r.first_violation = "escaped to " + o.first_escape;
  else if (o.other) r.first_violation = "a scoped walk failed with an unexpected error";
  r.caught_after = o.caught_after;
  r.error = o.error;
  if (r.error.empty() && !o.raced())
    r.error = "the race was never hit: nothing was tested";
  return r;
}

}  // namespace rcuvfs::torture
