// Outcome: what one openat2 call produced, in a form both worlds (the kernel and
// rcuvfs) can report and compare — an errno, or success and the path of the new
// descriptor seen from the tree root ("/" is the tree root).
#pragma once

#include <string>

namespace rcuvfs::resolve_test {

struct Outcome {
  int err = 0;       // 0: success
  std::string path;  // when err == 0: the descriptor's path, "/"-rooted at the tree root

  bool ok() const { return err == 0; }
  bool operator==(const Outcome& o) const {
    return err == o.err && (err != 0 || path == o.path);
  }
  static Outcome success(std::string p) { return Outcome{0, std::move(p)}; }
  static Outcome failure(int e) { return Outcome{e, {}}; }
};

// "ok '/etc/passwd'" or "EXDEV (Invalid cross-device link)".
std::string describe(const Outcome& o);

}  // namespace rcuvfs::resolve_test
