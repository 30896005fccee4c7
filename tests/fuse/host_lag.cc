// host_lag HOST MNT ROUNDS: how long a change made on the host tree HOST takes to show
// through MNT, an `rcuvfs mount` of it (hostfs with watch=1) whose kernel caches names
// and attributes for good. Each round makes five changes on the host to a file whose
// old state the kernel holds (it was just stat'ed through the mount): create, chmod,
// append, rename, unlink; after each it stats through the mount until the new state
// shows. Prints the lag's median, 99th percentile and maximum per change and overall.
//
// Exit status 1 when a change does not show within kGiveUp (the kernel served a stale
// state for good: an invalidation was lost), or when a state shows that the host
// never had after the change. A correctness bound, generous on purpose: the lag
// itself is a figure to read, not a pass mark.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kGiveUp = std::chrono::seconds(5);

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "host_lag: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

// Stat through the mount until `shows` holds, up to kGiveUp: the lag in microseconds,
// or -1.
double wait_until(const std::function<bool()>& shows, Clock::time_point changed) {
  for (;;) {
    if (shows()) return std::chrono::duration<double, std::micro>(Clock::now() - changed).count();
    if (Clock::now() - changed > kGiveUp) return -1;
  }
}

bool exists(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

bool has(const std::string& p, const std::function<bool(const struct stat&)>& pred) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0 && pred(st);
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: host_lag HOST MNT ROUNDS\n");
    return 2;
  }
  const std::string host = std::string(argv[1]) + "/lag", mnt = std::string(argv[2]) + "/lag";
  const int rounds = std::atoi(argv[3]);
  if (::mkdir(host.c_str(), 0755) != 0 && errno != EEXIST) die("mkdir " + host);
  std::map<std::string, std::vector<double>> lag;
  int lost = 0;
  auto note = [&](const char* change, double us, const std::string& path) {
    if (us < 0) {
      std::fprintf(stderr, "host_lag: %s of %s never showed through the mount\n", change,
                   path.c_str());
      ++lost;
      return;
    }
    lag[change].push_back(us);
    lag["all"].push_back(us);
  };
  for (int i = 0; i < rounds; ++i) {
    const std::string n = "/n" + std::to_string(i), m = "/m" + std::to_string(i);
    // The kernel's view first: the parent cached, the name missing.
    if (exists(mnt + n)) die("stale " + mnt + n);
    auto t = Clock::now();
    const int fd = ::open((host + n).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) die("create " + host + n);
    ::close(fd);
    note("create", wait_until([&] { return exists(mnt + n); }, t), n);

    const mode_t mode = (i % 2) ? 0640 : 0604;
    (void)has(mnt + n, [](const struct stat&) { return true; });  // cached
    t = Clock::now();
    if (::chmod((host + n).c_str(), mode) != 0) die("chmod");
    note("chmod", wait_until([&] {
           return has(mnt + n, [&](const struct stat& s) { return (s.st_mode & 07777) == mode; });
         }, t), n);

    t = Clock::now();
    const int wfd = ::open((host + n).c_str(), O_WRONLY | O_APPEND);
    if (wfd < 0 || ::write(wfd, "0123456789", 10) != 10) die("append");
    ::close(wfd);
    note("write", wait_until([&] {
           return has(mnt + n, [](const struct stat& s) { return s.st_size == 10; });
         }, t), n);

    t = Clock::now();
    if (::rename((host + n).c_str(), (host + m).c_str()) != 0) die("rename");
    note("rename", wait_until([&] { return exists(mnt + m) && !exists(mnt + n); }, t), n);

    t = Clock::now();
    if (::unlink((host + m).c_str()) != 0) die("unlink");
    note("unlink", wait_until([&] { return !exists(mnt + m); }, t), m);
    // Once shown, the new state stays: the kernel never goes back to the old one.
    if (exists(mnt + n) || exists(mnt + m)) {
      std::fprintf(stderr, "host_lag: round %d: a removed name came back\n", i);
      ++lost;
    }
  }
  for (const auto& [change, v] : lag)
    std::printf("%-7s %5zu changes: lag p50 %8.0f us, p99 %8.0f us, max %8.0f us\n",
                change.c_str(), v.size(), percentile(v, 0.5), percentile(v, 0.99),
                percentile(v, 1.0));
  return lost ? 1 : 0;
}
