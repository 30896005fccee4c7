#include "resolve/tree.h"

#include <cstring>

namespace rcuvfs::resolve_test {

const std::vector<TreeStep>& tree_steps() {
  using S = TreeStep;
  static const std::vector<TreeStep> steps = {
      // Links into /proc: dangling in both worlds (no procfs in the chroot or in
      // rcuvfs), so RESOLVE_NO_MAGICLINKS sees them as ordinary symlinks.
      {S::kSymlink, "procexe", "/proc/self/exe"},
      {S::kSymlink, "procroot", "/proc/self/root"},
      {S::kDir, "root", ""},
      // A second filesystem mounted inside the tree, for RESOLVE_NO_XDEV.
      {S::kDir, "mnt", ""},
      {S::kMount, "mnt", ""},
      {S::kSymlink, "mnt/self", "../mnt/"},
      {S::kSymlink, "mnt/absself", "/mnt/"},
      {S::kDir, "etc", ""},
      {S::kFile, "etc/passwd", ""},
      // Dangling absolute symlinks, for O_CREAT through a trailing link.
      {S::kSymlink, "creatlink", "/newfile3"},
      {S::kSymlink, "creatlink2", "/newfile4"},
      {S::kSymlink, "reletc", "etc/"},
      {S::kSymlink, "relsym", "etc/passwd"},
      {S::kSymlink, "absetc", "/etc/"},
      {S::kSymlink, "abssym", "/etc/passwd"},
      {S::kSymlink, "abscheeky", "/cheeky"},
      // Links to `..`, to the root itself, to themselves, to nothing.
      {S::kSymlink, "uplink", ".."},
      {S::kSymlink, "dotlink", "."},
      {S::kSymlink, "loop", "loop"},
      {S::kSymlink, "dangling", "/nonexistent/file"},
      {S::kDir, "cheeky", ""},
      {S::kSymlink, "cheeky/absself", "/"},
      {S::kSymlink, "cheeky/self", "../../root/"},
      {S::kSymlink, "cheeky/garbageself", "/../../root/"},
      {S::kSymlink, "cheeky/passwd", "../cheeky/../etc/../etc/passwd"},
      {S::kSymlink, "cheeky/abspasswd", "/../cheeky/../etc/../etc/passwd"},
      {S::kSymlink, "cheeky/dotdotlink",
       "../../../../../../../../../../../../../../etc/passwd"},
      {S::kSymlink, "cheeky/garbagelink",
       "/../../../../../../../../../../../../../../etc/passwd"},
      {S::kSymlink, "cheeky/dotdot", ".."},
      {S::kSymlink, "cheeky/creatdotdot", "../../../newfile5"},
      {S::kSymlink, "cheeky/creatgarbage", "/../../newfile6"},
  };
  return steps;
}

bool build_tree(const TreeOps& ops, std::string* why) {
  for (const TreeStep& s : tree_steps()) {
    int err = 0;
    const char* what = "";
    switch (s.kind) {
      case TreeStep::kDir: err = ops.mkdir(s.path); what = "mkdir"; break;
      case TreeStep::kFile: err = ops.mkfile(s.path); what = "mknod"; break;
      case TreeStep::kSymlink: err = ops.symlink(s.target, s.path); what = "symlink"; break;
      case TreeStep::kMount: err = ops.mount(s.path); what = "mount"; break;
    }
    if (err) {
      if (why) *why = std::string(what) + " " + s.path + ": " + std::strerror(err);
      return false;
    }
  }
  return true;
}

}  // namespace rcuvfs::resolve_test
