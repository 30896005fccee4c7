#include "tools/torture/history.h"

#include <algorithm>
#include <functional>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace rcuvfs::torture {

std::string xattr_value(uint32_t v) {
  std::string s = "v=" + std::to_string(v) + ";";
  s.resize(s.size() + 8 + v % 53, static_cast<char>('a' + v % 26));
  return s;
}

uint64_t xattr_version(std::string_view value) {
  if (!value.starts_with("v=")) return kTornValue;
  uint64_t v = 0;
  size_t i = 2;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9' && i < 12; ++i)
    v = v * 10 + static_cast<uint64_t>(value[i] - '0');
  if (i == 2 || v == 0 || v > UINT32_MAX) return kTornValue;
  return value == xattr_value(static_cast<uint32_t>(v)) ? v : kTornValue;
}

Key object_key(uint32_t dev_major, uint32_t dev_minor, uint64_t ino) {
  return (static_cast<uint64_t>(dev_major) << 56) ^ (static_cast<uint64_t>(dev_minor) << 40) ^
         ino;
}

uint64_t body_hash(std::string_view body) { return std::hash<std::string_view>{}(body) | 1; }

void WriterLog::created(Key key, const Attrs& a, uint32_t rdev_major, uint32_t rdev_minor,
                        uint64_t b, uint64_t e, std::string_view target) {
  Object& o = objects_[key];
  o = Object{a.mode & S_IFMT, rdev_major, rdev_minor, {}};
  if (S_ISLNK(a.mode)) o.target = body_hash(target);
  o.versions.push_back({a, b, e});
}

void WriterLog::attrs(Key key, const Attrs& a, uint64_t b, uint64_t e) {
  objects_[key].versions.push_back({a, b, e});
}

void WriterLog::bind(uint32_t path, Key key, uint64_t b, uint64_t e) {
  paths_[path].push_back({key, b, e, kNever, kNever});
}

void WriterLog::unbind(uint32_t path, Key key, uint64_t b, uint64_t e) {
  auto& v = paths_[path];
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if (it->key == key && it->unbind_begin == kNever) {
      it->unbind_begin = b;
      it->unbind_end = e;
      return;
    }
  }
  // The writer's own bookkeeping is wrong: no result of this run could be trusted.
  std::fprintf(stderr, "torture: unbind of an object from path %u that was not bound\n", path);
  std::abort();
}

void WriterLog::destroyed(Key key, uint64_t, uint64_t e) {
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    std::fprintf(stderr, "torture: destruction of an object that was never created\n");
    std::abort();
  }
  it->second.destroyed_end = e;
}

void WriterLog::prune(uint64_t horizon) {
  for (auto& [p, v] : paths_) {
    size_t n = 0;
    while (n < v.size() && v[n].unbind_end < horizon) ++n;
    v.erase(v.begin(), v.begin() + n);
  }
  std::erase_if(objects_, [&](const auto& kv) { return kv.second.destroyed_end < horizon; });
  for (auto& [k, o] : objects_) {
    auto& v = o.versions;
    size_t n = 0;
    while (n + 1 < v.size() && v[n + 1].end < horizon) ++n;
    v.erase(v.begin(), v.begin() + n);
  }
}

size_t WriterLog::size() const {
  size_t n = 0;
  for (const auto& [p, v] : paths_) n += v.size();
  for (const auto& [k, o] : objects_) n += 1 + o.versions.size();
  return n;
}

const std::vector<WriterLog::Binding>* WriterLog::bindings(uint32_t path) const {
  auto it = paths_.find(path);
  return it == paths_.end() ? nullptr : &it->second;
}

const WriterLog::Object* WriterLog::object(Key key) const {
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : &it->second;
}

namespace {
using Binding = WriterLog::Binding;
using Version = WriterLog::Version;
const std::vector<Binding> kNoBindings;

// Calls f(binding) for every binding possibly in force at some instant of [lo, hi].
// A path holds one object at a time, so both ends of its bindings only grow.
template <class F>
void for_each_possible(const std::vector<Binding>& v, uint64_t lo, uint64_t hi, F f) {
  auto it = std::upper_bound(v.begin(), v.end(), hi,
                             [](uint64_t t, const Binding& b) { return t < b.bind_begin; });
  while (it != v.begin()) {
    const Binding& b = *--it;
    if (b.unbind_end < lo) break;
    f(b);
  }
}

// True if some binding certainly held throughout [lo, hi].
bool certainly_bound(const std::vector<Binding>& v, uint64_t lo, uint64_t hi) {
  auto it = std::upper_bound(v.begin(), v.end(), lo,
                             [](uint64_t t, const Binding& b) { return t < b.bind_begin; });
  for (int k = 0; k < 2 && it != v.begin(); ++k) {
    const Binding& b = *--it;
    if (b.bind_end <= lo && b.unbind_begin > hi) return true;
  }
  return false;
}

bool same_attrs(const Attrs& a, const Observation& o) {
  return a.mode == o.mode && a.uid == o.uid && a.gid == o.gid &&
         (!a.size_known || a.size == o.size);
}

// Some version of the object that existed at some instant of [lo, hi] fits `fits`.
template <class Fits>
bool one_version(const std::vector<Version>& v, uint64_t lo, uint64_t hi, Fits&& fits) {
  auto it = std::upper_bound(v.begin(), v.end(), hi,
                             [](uint64_t t, const Version& x) { return t < x.begin; });
  uint64_t next_end = it == v.end() ? kNever : it->end;
  while (it != v.begin()) {
    const Version& x = *--it;
    if (next_end < lo) break;
    if (fits(x.attrs)) return true;
    next_end = x.end;
  }
  return false;
}

// Linux's generic_permission for ids (uid, gid) without supplementary groups.
bool access_allowed(const Attrs& a, uint32_t uid, uint32_t gid, int mask) {
  if (uid == 0) return !(mask & X_OK) || S_ISDIR(a.mode) || (a.mode & 0111);
  const uint32_t bits = uid == a.uid ? (a.mode >> 6) & 7 : gid == a.gid ? (a.mode >> 3) & 7
                                                                       : a.mode & 7;
  return (static_cast<uint32_t>(mask) & ~bits) == 0;
}

// Over the bindings of o's path possibly in force during its window (and, for a call
// not served speculatively, of its alias: see PathSpec::alias): was an object `wants`
// accepts possibly held (`held`), and does one of its versions possibly in force during
// the window (while the path held it, when speculative) `fit` (`matched`)?
struct Found {
  bool held = false, matched = false;
};
template <class Wants, class Fits>
Found find_version(const Observation& o, const PathSpec& spec, const WriterLog& log,
                   const std::vector<Binding>& hist, Wants&& wants, Fits&& fits) {
  Found f;
  auto consider = [&](const Binding& b) {
    if (!wants(b.key)) return;
    const WriterLog::Object* obj = log.object(b.key);
    if (!obj) return;
    f.held = true;
    const uint64_t lo = o.speculative ? std::max(o.before, b.bind_begin) : o.before;
    const uint64_t hi = o.speculative ? std::min(o.after, b.unbind_end) : o.after;
    if (!f.matched && one_version(obj->versions, lo, hi, fits)) f.matched = true;
  };
  for_each_possible(hist, o.before, o.after, consider);
  // (An answer about no object in particular, as a getxattr's, fits the path's own
  // objects' versions or else the alias's: the same rule.)
  if (!f.matched && !o.speculative && spec.alias >= 0) {
    if (const auto* alias = log.bindings(static_cast<uint32_t>(spec.alias)))
      for_each_possible(*alias, o.before, o.after, consider);
  }
  return f;
}

// A question about the object the path names itself (faccessat2, getxattr,
// listxattr, readlinkat): ENOENT fits where the path was possibly unbound; any other
// error but `err_ok` is a violation; otherwise an object the path held that `wants`
// accepts must have a version that `fits`. `what` names the answer in the verdicts.
template <class Wants, class Fits>
const char* judge_question(const Observation& o, const PathSpec& spec, const WriterLog& log,
                           int err_ok, const char* what, Wants&& wants, Fits&& fits) {
  const auto* bp = log.bindings(o.path);
  const auto& hist = bp ? *bp : kNoBindings;
  if (o.err == ENOENT) {
    if (certainly_bound(hist, o.before, o.after)) return "ENOENT while the path was bound";
    return nullptr;
  }
  if (o.err != 0 && o.err != err_ok) return "an error the path never had cause for";
  const Found f = find_version(o, spec, log, hist, wants, fits);
  // (Read by Checker::check before the next judgement: one per thread is enough.)
  static thread_local std::string verdict;
  if (!f.held) verdict = std::string(what) + " while the path held no such object";
  else if (!f.matched)
    verdict = std::string(what) + (o.speculative
                                       ? " of no version the object had while the path held it"
                                       : " of no single version of the object (torn)");
  else
    return nullptr;
  return verdict.c_str();
}

}  // namespace

const char* Checker::judge_access(const Observation& o) const {
  const PathSpec& spec = paths_[o.path];
  const bool allowed = o.err == 0;
  return judge_question(o, spec, *logs_[spec.owner], EACCES, "an access answer",
                        [](Key) { return true; }, [&](const Attrs& a) {
                          return access_allowed(a, o.uid, o.gid, o.access_mode) == allowed;
                        });
}

const char* Checker::judge_xattr(const Observation& o) const {
  const PathSpec& spec = paths_[o.path];
  const bool get = o.call == Call::kGetxattr;
  if (get && o.err == 0 && o.size == kTornValue) return "a getxattr value of no version (torn)";
  if (!get && (o.mode & kListedOther)) return "a listxattr name no writer set";
  return judge_question(o, spec, *logs_[spec.owner], get ? ENODATA : 0, "an xattr answer",
                        [](Key) { return true; }, [&](const Attrs& a) {
                          if (!get)
                            return o.mode == ((a.xattr ? kListedV : 0) |
                                              (a.xattr_extra ? kListedX : 0));
                          return o.err == ENODATA ? a.xattr == 0 : a.xattr == o.size;
                        });
}

// A symlink's body never changes: the object is the answer (or, for EINVAL, any object
// that is not a symlink).
const char* Checker::judge_readlink(const Observation& o) const {
  const PathSpec& spec = paths_[o.path];
  const WriterLog& log = *logs_[spec.owner];
  return judge_question(
      o, spec, log, EINVAL, o.err ? "EINVAL" : "a symlink body",
      [&](Key k) {
        const WriterLog::Object* obj = log.object(k);
        if (!obj) return false;
        return o.err == EINVAL ? obj->type != S_IFLNK
                               : obj->type == S_IFLNK && obj->target == o.size;
      },
      [](const Attrs&) { return true; });
}

const char* Checker::judge(const Observation& o) const {
  const PathSpec& spec = paths_[o.path];
  if (o.call == Call::kAccess) return judge_access(o);
  if (o.call == Call::kReadlink) return judge_readlink(o);
  if (o.call == Call::kGetxattr || o.call == Call::kListxattr) return judge_xattr(o);
  // Below, stats; an fstat's descriptor holds the object its fixed path always holds.
  if (spec.parent >= 0) return judge_child(o);
  const WriterLog& log = *logs_[spec.owner];
  const auto* bp = log.bindings(o.path);
  const auto& hist = bp ? *bp : kNoBindings;
  if (o.err == 0) {
    const WriterLog::Object* obj = log.object(o.key);
    if (!obj) return "an object no writer created";
    if (obj->type != (o.mode & S_IFMT) || obj->rdev_major != o.rdev_major ||
        obj->rdev_minor != o.rdev_minor)
      return "the type or rdev of another object";
    // Where a binding of the path to the object was possible, and (speculative: at
    // the same time) one of its attribute versions matches.
    const Found f = find_version(
        o, spec, log, hist, [&](Key k) { return k == o.key; },
        [&](const Attrs& a) { return same_attrs(a, o); });
    if (!f.held) return "an object the path did not hold during the call";
    if (!f.matched)
      return o.speculative ? "attributes from no version the object had while the path held it"
                           : "attributes from no single version of the object (torn)";
    return nullptr;
  }
  if (o.err == ENOENT) {
    if (certainly_bound(hist, o.before, o.after)) return "ENOENT while the path was bound";
    return nullptr;
  }
  return "an error the path never had cause for";
}

const char* Checker::judge_child(const Observation& o) const {
  const PathSpec& spec = paths_[o.path];
  const WriterLog& log = *logs_[spec.owner];
  const auto* bp = log.bindings(static_cast<uint32_t>(spec.parent));
  const auto& hist = bp ? *bp : kNoBindings;
  if (o.err == 0) return "found a name that was never created";
  bool non_dir = false, lets_enoent = false;
  for_each_possible(hist, o.before, o.after, [&](const Binding& b) {
    const WriterLog::Object* obj = log.object(b.key);
    const uint32_t type = obj ? obj->type : 0;
    if (type == S_IFDIR || type == S_IFLNK)
      lets_enoent = true;
    else
      non_dir = true;
  });
  if (o.err == ENOTDIR) return non_dir ? nullptr : "ENOTDIR under a directory or nothing";
  if (o.err == ENOENT) {
    if (lets_enoent || !certainly_bound(hist, o.before, o.after)) return nullptr;
    return "ENOENT under an object that was neither missing, a directory nor a symlink";
  }
  return "an error the path never had cause for";
}

uint64_t Checker::check(const std::vector<Observation>& obs, std::string* first) const {
  uint64_t violations = 0;
  for (const Observation& o : obs) {
    const char* why = judge(o);
    if (!why) continue;
    if (violations++ == 0 && first && first->empty()) {
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "%s: %s; window [%llu, %llu], err %d, object %llx, mode %o, uid %u, "
                    "gid %u, size %llu, rdev %u:%u",
                    paths_[o.path].text.c_str(), why,
                    static_cast<unsigned long long>(o.before),
                    static_cast<unsigned long long>(o.after), o.err,
                    static_cast<unsigned long long>(o.key), o.mode, o.uid, o.gid,
                    static_cast<unsigned long long>(o.size), o.rdev_major, o.rdev_minor);
      *first = buf;
    }
  }
  return violations;
}

}  // namespace rcuvfs::torture
