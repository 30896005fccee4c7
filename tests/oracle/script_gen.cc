#include "oracle/script_gen.h"

#include <iterator>

namespace rcuvfs::oracle {
namespace {

// splitmix64: small, fast and identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T, size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }

 private:
  uint64_t s_;
};

const char* const kPaths[] = {
    "a",     "b",      "c",        "a/b",     "a/c",       "b/a",   "b/c",
    "a/b/c", "c/a/b",  "a/b/..",   "a/../b",  "b/../a/b",  "..",    "../a",
    ".",     "a/",     "b/",       "a/b/",    "/",         "/a",    "/b/a",
    "l",     "m",      "a/l",      "l/b",     "l/",        "l/..",  "m/a",
    "missing/a", "a/./b", "\"\"",  "a//b",    "c/",        "b/a/c", "/../c"};
// Names worth creating: the first ones again and again, so that later operations
// find something there.
const char* const kCreate[] = {"a", "b", "c", "a/b", "a/c", "b/a", "b/c", "a/b/c",
                               "c/a", "c/a/b", "a/", "b/a/", "l/b", "a/l/c"};
const char* const kLinkNames[] = {"l", "m", "a/l", "b/l", "c", "l/x"};
const char* const kTargets[] = {"a",   "b",    "a/b",      "..",  "../..", "/a",
                                "l",   "m",    "a/l",      "missing", ".", "b/a/../c",
                                "/",   "../l", "m/../a"};
const char* const kModes[] = {"0755", "0700", "0500", "0000", "0644", "1777",
                              "0711", "0555", "0333", "0777", "2755", "0600"};
const char* const kTexts[] = {"x", "\"hello world\"", "\"a\\nb\"", "\"\"",
                              "0123456789", "\"\\x00\\xff\""};
const char* const kIds[] = {"0", "1000", "1001"};
const char* const kAs[] = {"as 0 0", "as 0 0", "as 1000 1000", "as 1000 1000 0",
                           "as 1001 1001 1000", "as 1000 0"};
const char* const kOpenFlags[] = {"rdonly", "wronly", "rdwr", "creat", "excl", "trunc",
                                  "append", "directory", "nofollow", "path", "cloexec"};
const char* const kResolve[] = {"beneath", "in_root", "no_symlinks", "no_xdev",
                                "no_magiclinks"};

std::string open_line(Rng& r) {
  std::string line = std::string("open ") + r.pick(kPaths);
  size_t n = r.below(4);
  for (size_t i = 0; i < n; ++i) line += std::string(" ") + r.pick(kOpenFlags);
  if (r.chance(10)) line += std::string(" mode=") + r.pick(kModes);
  if (r.chance(10)) line += std::string(" resolve=") + r.pick(kResolve);
  return line;
}

std::string fd(Rng& r) { return std::to_string(3 + r.below(3)); }

std::string one_line(Rng& r) {
  std::string P = r.pick(kPaths);
  std::string Q = r.pick(kPaths);
  switch (r.below(28)) {
    case 0:
    case 1:
    case 2:
      return "mkdir " + std::string(r.pick(kCreate)) +
             (r.chance(30) ? std::string(" ") + r.pick(kModes) : "");
    case 3:
      return "mkdir " + P;
    case 4:
      return "create " + std::string(r.chance(70) ? r.pick(kCreate) : P.c_str()) +
             (r.chance(30) ? std::string(" ") + r.pick(kModes) : "");
    case 5:
      return "write " + P + " " + r.pick(kTexts);
    case 6:
      return "append " + P + " " + r.pick(kTexts);
    case 7:
      return "read " + P;
    case 8:
    case 9:
      return "stat " + P + (r.chance(40) ? " nofollow" : "");
    case 10:
      return "ls " + P;
    case 11:
      return "readlink " + P;
    case 12:
      return std::string("symlink ") + r.pick(kTargets) + " " +
             (r.chance(70) ? r.pick(kLinkNames) : P.c_str());
    case 13:
      return "link " + P + " " + Q + (r.chance(30) ? " follow" : "");
    case 14:
    case 15: {
      static const char* const kFlags[] = {"", "", "", " noreplace", " exchange"};
      // Bias towards existing top-level names and subtrees of each other.
      std::string from = r.chance(50) ? r.pick(kCreate) : P;
      std::string to = r.chance(50) ? r.pick(kCreate) : Q;
      return "rename " + from + " " + to + r.pick(kFlags);
    }
    case 16:
      return "unlink " + P;
    case 17:
      return "rmdir " + (r.chance(60) ? std::string(r.pick(kCreate)) : P);
    case 18:
      return "chmod " + P + " " + r.pick(kModes);
    case 19:
      return "chown " + P + " " + r.pick(kIds) + " " + r.pick(kIds);
    case 20:
      return r.pick(kAs);
    case 21:
      return open_line(r);
    case 22: {
      switch (r.below(3)) {
        case 0: return "close " + fd(r);
        case 1: return "fdpath " + fd(r);
        default: return "statfd " + fd(r);
      }
    }
    case 23: {
      static const char* const kAtCmds[] = {"stat", "mkdir", "create", "ls", "unlink",
                                            "readlink", "rmdir"};
      std::string rel = r.pick(kCreate);
      return "at " + fd(r) + " " + r.pick(kAtCmds) + " " + rel;
    }
    case 24:
      return "truncate " + P + " " + std::to_string(r.below(3) * 7);
    case 25: {
      static const char* const kAccessModes[] = {"f", "r", "w", "x", "rw", "rx", "rwx"};
      if (r.chance(20)) return "statfs " + P;
      return "access " + P + " " + r.pick(kAccessModes) + (r.chance(30) ? " nofollow" : "");
    }
    case 26: {
      static const char* const kNames[] = {"user.a", "user.b", "trusted.t", "security.s",
                                           "user.", "foo.x"};
      static const char* const kXattrFlags[] = {"", " create", " replace"};
      const std::string name = r.pick(kNames);
      const std::string nofollow = r.chance(30) ? " nofollow" : "";
      switch (r.below(4)) {
        case 0: return "getxattr " + P + " " + name + nofollow;
        case 1: return "listxattr " + P + nofollow;
        case 2:
          return "setxattr " + P + " " + name + " " + r.pick(kTexts) + r.pick(kXattrFlags) +
                 nofollow;
        default: return "removexattr " + P + " " + name + nofollow;
      }
    }
    default:
      switch (r.below(3)) {
        case 0: return "cd /";
        case 1: return "cd " + P;
        default: return std::string("umask ") + (r.chance(50) ? "022" : "077");
      }
  }
}

}  // namespace

std::vector<std::string> generate_script(uint64_t seed, size_t lines) {
  Rng r(seed * 0x2545f4914f6cdd1dULL + 1);
  std::vector<std::string> script;
  script.push_back("# generated, seed " + std::to_string(seed));
  // A populated start so that early operations collide with something.
  script.push_back("mkdir a");
  script.push_back("mkdir b");
  script.push_back("create a/c");
  for (size_t i = 0; i < 6; ++i) {
    switch (r.below(3)) {
      case 0: script.push_back(std::string("mkdir ") + r.pick(kCreate)); break;
      case 1: script.push_back(std::string("create ") + r.pick(kCreate)); break;
      default:
        script.push_back(std::string("symlink ") + r.pick(kTargets) + " " +
                         r.pick(kLinkNames));
    }
  }
  for (size_t i = 0; i < lines; ++i) script.push_back(one_line(r));
  // Final state, seen as root from the real root: what each name is now.
  script.push_back("as 0 0");
  for (const char* p : {"a", "b", "c", "a/b", "b/a", "l", "m"})
    script.push_back(std::string("stat /") + p + " nofollow");
  script.push_back("ls /");
  return script;
}

}  // namespace rcuvfs::oracle
