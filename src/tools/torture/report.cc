#include "tools/torture/report.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace rcuvfs::torture {

namespace {
unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }
}  // namespace

namespace {
struct Lag {
  uint32_t p50 = 0, p99 = 0, max = 0;
};
Lag lag(const Report& r) {
  std::vector<uint32_t> v = r.lag_us;
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back()};
}
}  // namespace

void print_summary(std::FILE* out, const Report& r) {
  std::fprintf(out, "torture %s on %s, %d threads, %.1f s%s%s\n", r.scenario.c_str(),
               r.fs.c_str(), r.threads, r.seconds, r.inject.empty() ? "" : ", injected ",
               r.inject.c_str());
  if (r.scenario == "rename-attack") {
    std::fprintf(out,
                 "  %llu scoped walks (%llu ok, %llu EAGAIN, %llu EXDEV), %llu exchanges, "
                 "%llu rename_seq fallbacks\n",
                 ull(r.stats), ull(r.walks_ok), ull(r.eagain), ull(r.exdev), ull(r.renames),
                 ull(r.rename_seq_fallbacks));
  } else {
    std::fprintf(out,
                 "  %llu stats (%llu speculative, %llu fallback), %llu writer ops: %llu "
                 "renames, %llu unlinks, %llu recycled, %llu mounts; %llu cache entries "
                 "evicted\n",
                 ull(r.stats), ull(r.stat_speculative), ull(r.stat_fallback), ull(r.ops),
                 ull(r.renames), ull(r.unlinks), ull(r.recycled), ull(r.mounts),
                 ull(r.reclaimed));
    if (r.accesses)
      std::fprintf(out, "  of them %llu accesses (%llu speculative, %llu fallback)\n",
                   ull(r.accesses), ull(r.access_speculative), ull(r.access_fallback));
    if (r.xattr_reads)
      std::fprintf(out,
                   "  of them %llu getxattr and listxattr calls (%llu speculative, %llu "
                   "fallback)\n",
                   ull(r.xattr_reads), ull(r.xattr_speculative), ull(r.xattr_fallback));
    if (r.readlinks)
      std::fprintf(out, "  of them %llu readlinks (%llu speculative, %llu fallback)\n",
                   ull(r.readlinks), ull(r.readlink_speculative), ull(r.readlink_fallback));
    if (r.fstats) std::fprintf(out, "  of them %llu fstats of held descriptors\n", ull(r.fstats));
  }
  if (!r.lag_us.empty() || r.late) {
    const Lag l = lag(r);
    std::fprintf(out,
                 "  changes made outside the readers' instance: %llu, shown to them after "
                 "p50 %u us, p99 %u us, max %u us; %llu not shown after 2 s\n",
                 ull(r.lag_us.size()), l.p50, l.p99, l.max, ull(r.late));
  }
  std::fprintf(out, "  violations: %llu, escapes: %llu\n", ull(r.violations), ull(r.escapes));
  if (!r.first_violation.empty())
    std::fprintf(out, "  first: %s\n", r.first_violation.c_str());
  if (!r.error.empty()) std::fprintf(out, "  run failed: %s\n", r.error.c_str());
  if (!r.inject.empty()) {
    if (r.caught_after >= 0)
      std::fprintf(out, "  injected bug caught after %.2f s\n", r.caught_after);
    else
      std::fprintf(out, "  injected bug NOT caught\n");
  }
}

std::string to_json(const Report& r) {
  nlohmann::json j;
  j["scenario"] = r.scenario;
  j["fs"] = r.fs;
  j["threads"] = r.threads;
  j["seconds"] = r.seconds;
  j["ops"] = r.ops;
  j["stats"] = r.stats;
  j["stat_speculative"] = r.stat_speculative;
  j["stat_fallback"] = r.stat_fallback;
  j["accesses"] = r.accesses;
  j["access_speculative"] = r.access_speculative;
  j["access_fallback"] = r.access_fallback;
  j["xattr_reads"] = r.xattr_reads;
  j["xattr_speculative"] = r.xattr_speculative;
  j["xattr_fallback"] = r.xattr_fallback;
  j["readlinks"] = r.readlinks;
  j["fstats"] = r.fstats;
  j["readlink_speculative"] = r.readlink_speculative;
  j["readlink_fallback"] = r.readlink_fallback;
  j["renames"] = r.renames;
  j["unlinks"] = r.unlinks;
  j["recycled"] = r.recycled;
  j["mounts"] = r.mounts;
  j["reclaimed"] = r.reclaimed;
  if (!r.lag_us.empty() || r.late) {
    const Lag l = lag(r);
    j["remote_changes"] = r.lag_us.size();
    j["lag_us"] = {{"p50", l.p50}, {"p99", l.p99}, {"max", l.max}};
    j["late"] = r.late;
  }
  j["violations"] = r.violations;
  j["escapes"] = r.escapes;
  j["first_violation"] = r.first_violation.empty() ? nlohmann::json(nullptr)
                                                   : nlohmann::json(r.first_violation);
  j["inject"] = r.inject.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.inject);
  j["caught_after"] =
      r.caught_after >= 0 ? nlohmann::json(r.caught_after) : nlohmann::json(nullptr);
  j["error"] = r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error);
  if (r.scenario == "rename-attack") {
    j["walks_ok"] = r.walks_ok;
    j["eagain"] = r.eagain;
    j["exdev"] = r.exdev;
    j["rename_seq_fallbacks"] = r.rename_seq_fallbacks;
  }
  return j.dump(2);
}

int exit_status(const Report& r) {
  const bool found = r.violations + r.escapes > 0;
  // An injected bug that was caught may go on to break a writer's own operation (a
  // corrupted dcache): the run still proved what it was for.
  if (!r.inject.empty()) return found ? 0 : 1;
  if (!r.error.empty()) return 1;
  return found ? 1 : 0;
}

}  // namespace rcuvfs::torture
