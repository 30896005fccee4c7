#include "history.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <sys/stat.h>

namespace rcuvfs::stress {

void WriterLog::bind(uint32_t path, uint64_t ino, uint64_t begin, uint64_t end) {
  paths_[path].push_back({ino, begin, end, UINT64_MAX, UINT64_MAX});
}

void WriterLog::unbind(uint32_t path, uint64_t ino, uint64_t begin, uint64_t end) {
  auto& v = paths_[path];
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if (it->ino == ino && it->unbind_begin == UINT64_MAX) {
      it->unbind_begin = begin;
      it->unbind_end = end;
      return;
    }
  }
  std::fprintf(stderr, "history: unbind of %llu from path %u that was not bound\n",
               static_cast<unsigned long long>(ino), path);
  std::abort();
}

void Checker::add_log(const WriterLog& log) {
  for (auto& [p, v] : log.paths_) paths_[p].insert(paths_[p].end(), v.begin(), v.end());
  objects_.insert(log.objects_.begin(), log.objects_.end());
}

void Checker::seal() {
  for (auto& [p, v] : paths_) {
    std::sort(v.begin(), v.end(),
              [](const Binding& a, const Binding& b) { return a.bind_end < b.bind_end; });
    for (const Binding& b : v) by_object_[{p, b.ino}].push_back(b);
  }
}

uint64_t Checker::check(const std::vector<Observation>& obs, std::string* first) const {
  uint64_t violations = 0;
  static const std::vector<Binding> kNone;
  auto fail = [&](const Observation& o, const char* why) {
    if (violations++ == 0 && first) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "path %u err %d ino %llu type %o uid %u gid %u window [%llu,%llu]: %s",
                    o.path, o.err, static_cast<unsigned long long>(o.ino), o.type, o.uid,
                    o.gid, static_cast<unsigned long long>(o.before),
                    static_cast<unsigned long long>(o.after), why);
      *first = buf;
    }
  };
  for (const Observation& o : obs) {
    auto it = paths_.find(o.path);
    const auto& hist = it == paths_.end() ? kNone : it->second;
    if (o.err == 0) {
      auto held_it = by_object_.find({o.path, o.ino});
      const auto& mine = held_it == by_object_.end() ? kNone : held_it->second;
      auto obj = objects_.find(o.ino);
      if (obj == objects_.end()) {
        fail(o, "an object no writer created");
        continue;
      }
      if (obj->second.type != o.type || obj->second.rdev_major != o.rdev_major ||
          obj->second.rdev_minor != o.rdev_minor) {
        fail(o, "type/rdev of another object");
        continue;
      }
      if (o.gid != o.uid + kGidOffset) {
        fail(o, "torn attributes: uid and gid from different updates");
        continue;
      }
      bool held = false;
      for (const Binding& b : mine)
        if (b.bind_begin <= o.after && b.unbind_end >= o.before) held = true;
      if (!held) fail(o, "an object the path never held during the call");
    } else if (o.err == ENOENT) {
      // Violation only if one binding certainly covered the whole window. At most one
      // binding is certain at a time, so only the last ones to start before the
      // window can cover it.
      bool covered = false;
      auto end = std::upper_bound(hist.begin(), hist.end(), o.before,
                                  [](uint64_t t, const Binding& b) { return t < b.bind_end; });
      for (int k = 0; k < 4 && end != hist.begin(); ++k) {
        const Binding& b = *--end;
        if (b.bind_end <= o.before && b.unbind_begin > o.after) covered = true;
      }
      if (covered) fail(o, "ENOENT while the path was bound throughout");
    } else {
      fail(o, "unexpected error");
    }
  }
  return violations;
}

}  // namespace rcuvfs::stress
