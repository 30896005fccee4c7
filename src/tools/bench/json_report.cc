#include "tools/bench/json_report.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace rcuvfs::tools::bench {

namespace {
nlohmann::json machine_json(const Machine& m) {
  return {{"cpu", m.cpu}, {"nproc", m.nproc}, {"kernel", m.kernel}};
}

// Whole rates as integers ("writer_rate": 0, not 0.0), fractional ones as given.
nlohmann::json rate_json(double rate) {
  if (rate == std::floor(rate)) return static_cast<int64_t>(rate);
  return rate;
}

// A ratio, or null when it was not measured.
nlohmann::json ratio_json(double r) { return r >= 0 ? nlohmann::json(r) : nlohmann::json(); }
}  // namespace

std::string stat_json(const char* call, int depth, const Plan& plan, const Machine& machine,
                      const std::vector<Outcome>& outcomes) {
  nlohmann::json results = nlohmann::json::array();
  for (const Outcome& o : outcomes) {
    results.push_back({{"mode", mode_name(o.cell.mode)},
                       {"threads", o.cell.threads},
                       {"workload", workload_name(o.cell.workload)},
                       {"writer_rate", rate_json(o.cell.writer_rate)},
                       {"ops_per_sec", o.ops_per_sec},
                       {"ns_per_op", o.ns_per_op},
                       {"speculative_fraction", o.speculative_fraction},
                       {"ratio_to_spec", ratio_json(o.ratio_to_spec)},
                       {"ratio_to_one_thread", ratio_json(o.ratio_to_one_thread)}});
  }
  nlohmann::json doc = {{"call", call},
                        {"depth", depth},
                        {"rounds", plan.rounds},
                        {"seconds_per_round", plan.seconds},
                        {"machine", machine_json(machine)},
                        {"results", results}};
  return doc.dump(2) + "\n";
}

namespace {
nlohmann::json outcome_json(const FilesOutcome& f) {
  return {{"count", f.files},
          {"directories", f.dirs},
          {"build_seconds", f.seconds},
          {"seconds_per_million", f.seconds_per_million()},
          {"bytes_per_file", f.bytes_per_file}};
}
}  // namespace

std::string files_json(const Machine& machine, const FilesOutcome& f, const FilesOutcome* kernel) {
  nlohmann::json doc = {{"machine", machine_json(machine)}, {"files", outcome_json(f)}};
  if (kernel) doc["kernel_tmpfs"] = outcome_json(*kernel);
  return doc.dump(2) + "\n";
}

namespace {
nlohmann::json cache_stats_json(const CacheStats& c) {
  return {{"entries", c.entries},   {"negative", c.negative}, {"unused", c.unused},
          {"bytes", c.bytes},       {"budget", c.budget},     {"reclaimed", c.reclaimed}};
}
}  // namespace

std::string cache_json(const Machine& machine, const CacheBenchSetup& setup,
                       const MissingOutcome* missing,
                       const std::vector<CachedNamesPoint>* names,
                       const HostTreeOutcome* host) {
  nlohmann::json doc = {{"machine", machine_json(machine)},
                        {"budget", setup.budget},
                        {"rounds", setup.rounds},
                        {"seconds_per_round", setup.seconds}};
  if (missing)
    doc["missing"] = {{"names", missing->names},
                      {"seconds", missing->seconds},
                      {"path_ns_before", missing->path_ns_before},
                      {"path_ns_after", missing->path_ns_after},
                      {"rss_base", missing->rss_base},
                      {"rss_after", missing->rss_after},
                      {"rss_peak", missing->rss_peak},
                      {"cache", cache_stats_json(missing->cache)}};
  if (names) {
    nlohmann::json points = nlohmann::json::array();
    for (const CachedNamesPoint& p : *names)
      points.push_back({{"names", p.names},
                        {"path_ns", p.path_ns},
                        {"buckets", p.buckets},
                        {"rss", p.rss}});
    doc["cached_names"] = points;
  }
  if (host)
    doc["host_tree"] = {{"files", host->files},
                        {"stats", host->stats},
                        {"failed", host->failed},
                        {"ns_per_stat", host->ns_per_stat},
                        {"kernel_ns_per_stat", host->kernel_ns_per_stat},
                        {"hit_rate", host->hit_rate},
                        {"speculative_fraction", host->speculative_fraction},
                        {"base_fds", host->base_fds},
                        {"max_fds", host->max_fds},
                        {"cache", cache_stats_json(host->cache)}};
  return doc.dump(2) + "\n";
}

}  // namespace rcuvfs::tools::bench
