#include "resolve/cases.h"

#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>

namespace rcuvfs::resolve_test {
namespace {

constexpr uint64_t B = RESOLVE_BENEATH;
constexpr uint64_t R = RESOLVE_IN_ROOT;
constexpr uint64_t X = RESOLVE_NO_XDEV;
constexpr uint64_t S = RESOLVE_NO_SYMLINKS;
constexpr uint64_t M = RESOLVE_NO_MAGICLINKS;
constexpr uint64_t K = RESOLVE_CACHED;

std::optional<Outcome> ok(const char* p) { return Outcome::success(p); }
std::optional<Outcome> err(int e) { return Outcome::failure(e); }

// A lookup-only case: O_PATH (as the selftest adds to every case without O_CREAT)
// plus `extra` (O_NOFOLLOW, O_DIRECTORY).
ResolveCase look(const char* name, const char* dir, const char* path, uint64_t resolve,
                 std::optional<Outcome> expect, uint64_t extra = 0) {
  return ResolveCase{name, dir, path, O_PATH | extra, 0, resolve, std::move(expect)};
}

// A case with explicit open flags and mode.
ResolveCase with_flags(const char* name, const char* dir, const char* path, uint64_t flags,
                 uint64_t mode, uint64_t resolve, std::optional<Outcome> expect) {
  return ResolveCase{name, dir, path, flags, mode, resolve, std::move(expect)};
}

std::vector<ResolveCase> make_cases() {
  return {
      // ---- selftest: RESOLVE_BENEATH — nothing may cross the dirfd ---------------
      look("[beneath] jump to /", "", "/", B, err(EXDEV)),
      look("[beneath] absolute link to $root", "", "cheeky/absself", B, err(EXDEV)),
      look("[beneath] chained absolute links to $root", "", "abscheeky/absself", B, err(EXDEV)),
      look("[beneath] jump outside $root", "", "..", B, err(EXDEV)),
      look("[beneath] temporary jump outside $root", "", "../root/", B, err(EXDEV)),
      look("[beneath] symlink temporary jump outside $root", "", "cheeky/self", B, err(EXDEV)),
      look("[beneath] chained symlink temporary jump outside $root", "", "abscheeky/self", B,
           err(EXDEV)),
      look("[beneath] garbage links to $root", "", "cheeky/garbageself", B, err(EXDEV)),
      look("[beneath] chained garbage links to $root", "", "abscheeky/garbageself", B,
           err(EXDEV)),
      look("[beneath] ordinary path to 'root'", "", "root", B, ok("/root")),
      look("[beneath] ordinary path to 'etc'", "", "etc", B, ok("/etc")),
      look("[beneath] ordinary path to 'etc/passwd'", "", "etc/passwd", B, ok("/etc/passwd")),
      look("[beneath] relative symlink inside $root", "", "relsym", B, ok("/etc/passwd")),
      look("[beneath] chained-'..' relative symlink inside $root", "", "cheeky/passwd", B,
           ok("/etc/passwd")),
      look("[beneath] absolute symlink component outside $root", "", "abscheeky/passwd", B,
           err(EXDEV)),
      look("[beneath] absolute symlink target outside $root", "", "abssym", B, err(EXDEV)),
      look("[beneath] absolute path outside $root", "", "/etc/passwd", B, err(EXDEV)),
      look("[beneath] cheeky absolute path outside $root", "", "cheeky/abspasswd", B,
           err(EXDEV)),
      look("[beneath] chained cheeky absolute path outside $root", "", "abscheeky/abspasswd", B,
           err(EXDEV)),
      look("[beneath] tricky '..'-chained symlink outside $root", "", "cheeky/dotdotlink", B,
           err(EXDEV)),
      look("[beneath] tricky absolute + '..'-chained symlink outside $root", "",
           "abscheeky/dotdotlink", B, err(EXDEV)),
      look("[beneath] tricky garbage link outside $root", "", "cheeky/garbagelink", B,
           err(EXDEV)),
      look("[beneath] tricky absolute + garbage link outside $root", "",
           "abscheeky/garbagelink", B, err(EXDEV)),

      // ---- selftest: RESOLVE_IN_ROOT — everything is scoped to the dirfd ---------
      look("[in_root] jump to /", "", "/", R, ok("/")),
      look("[in_root] absolute symlink to /root", "", "cheeky/absself", R, ok("/")),
      look("[in_root] chained absolute symlinks to /root", "", "abscheeky/absself", R, ok("/")),
      look("[in_root] '..' at root", "", "..", R, ok("/")),
      look("[in_root] '../root' at root", "", "../root/", R, ok("/root")),
      look("[in_root] relative symlink containing '..' above root", "", "cheeky/self", R,
           ok("/root")),
      look("[in_root] garbage link to /root", "", "cheeky/garbageself", R, ok("/root")),
      look("[in_root] chained garbage links to /root", "", "abscheeky/garbageself", R,
           ok("/root")),
      look("[in_root] relative path to 'root'", "", "root", R, ok("/root")),
      look("[in_root] relative path to 'etc'", "", "etc", R, ok("/etc")),
      look("[in_root] relative path to 'etc/passwd'", "", "etc/passwd", R, ok("/etc/passwd")),
      look("[in_root] relative symlink to 'etc/passwd'", "", "relsym", R, ok("/etc/passwd")),
      look("[in_root] chained-'..' relative symlink to 'etc/passwd'", "", "cheeky/passwd", R,
           ok("/etc/passwd")),
      look("[in_root] chained-'..' absolute + relative symlink to 'etc/passwd'", "",
           "abscheeky/passwd", R, ok("/etc/passwd")),
      look("[in_root] absolute symlink to 'etc/passwd'", "", "abssym", R, ok("/etc/passwd")),
      look("[in_root] absolute path 'etc/passwd'", "", "/etc/passwd", R, ok("/etc/passwd")),
      look("[in_root] cheeky absolute path 'etc/passwd'", "", "cheeky/abspasswd", R,
           ok("/etc/passwd")),
      look("[in_root] chained cheeky absolute path 'etc/passwd'", "", "abscheeky/abspasswd", R,
           ok("/etc/passwd")),
      look("[in_root] tricky '..'-chained symlink outside $root", "", "cheeky/dotdotlink", R,
           ok("/etc/passwd")),
      look("[in_root] tricky absolute + '..'-chained symlink outside $root", "",
           "abscheeky/dotdotlink", R, ok("/etc/passwd")),
      look("[in_root] tricky absolute path + absolute + '..'-chained symlink outside $root", "",
           "/../../../../abscheeky/dotdotlink", R, ok("/etc/passwd")),
      look("[in_root] tricky garbage link outside $root", "", "cheeky/garbagelink", R,
           ok("/etc/passwd")),
      look("[in_root] tricky absolute + garbage link outside $root", "",
           "abscheeky/garbagelink", R, ok("/etc/passwd")),
      look("[in_root] tricky absolute path + absolute + garbage link outside $root", "",
           "/../../../../abscheeky/garbagelink", R, ok("/etc/passwd")),
      with_flags("[in_root] O_CREAT of relative path inside $root", "", "newfile1", O_CREAT,
                 0700, R, ok("/newfile1")),
      with_flags("[in_root] O_CREAT of absolute path", "", "/newfile2", O_CREAT, 0700, R,
           ok("/newfile2")),
      with_flags("[in_root] O_CREAT of tricky symlink outside root", "", "/creatlink", O_CREAT,
                 0700, R, ok("/newfile3")),

      // ---- selftest: RESOLVE_NO_XDEV — no mount crossing, down or up -------------
      look("[no_xdev] cross into $mnt", "", "mnt", X, err(EXDEV)),
      look("[no_xdev] cross into $mnt/", "", "mnt/", X, err(EXDEV)),
      look("[no_xdev] cross into $mnt/.", "", "mnt/.", X, err(EXDEV)),
      look("[no_xdev] goto mountpoint root", "mnt", ".", X, ok("/mnt")),
      look("[no_xdev] cross up through '..'", "mnt", "..", X, err(EXDEV)),
      look("[no_xdev] temporary cross up through '..'", "mnt", "../mnt", X, err(EXDEV)),
      look("[no_xdev] temporary relative symlink cross up", "mnt", "self", X, err(EXDEV)),
      look("[no_xdev] temporary absolute symlink cross up", "mnt", "absself", X, err(EXDEV)),
      look("[no_xdev] jump to / directly", "mnt", "/", X, ok("/")),
      look("[no_xdev] jump to / (from /) directly", "/", "/", X, ok("/")),
      // The selftest's "/proc/1" and "/tmp" (other mounts below "/"), re-aimed at $mnt.
      look("[no_xdev] jump to / then $mnt (selftest: /proc/1)", "", "/mnt", X, err(EXDEV)),
      look("[no_xdev] jump to / then $mnt/. (selftest: /tmp)", "", "/mnt/.", X, err(EXDEV)),

      // ---- selftest: RESOLVE_NO_MAGICLINKS — ordinary symlinks still work --------
      look("[no_magiclinks] ordinary relative symlink", "", "relsym", M, ok("/etc/passwd")),

      // ---- selftest: RESOLVE_NO_SYMLINKS ------------------------------------------
      look("[no_symlinks] ordinary path to '.'", "", ".", S, ok("/")),
      look("[no_symlinks] ordinary path to 'root'", "", "root", S, ok("/root")),
      look("[no_symlinks] ordinary path to 'etc'", "", "etc", S, ok("/etc")),
      look("[no_symlinks] ordinary path to 'etc/passwd'", "", "etc/passwd", S,
           ok("/etc/passwd")),
      look("[no_symlinks] relative symlink target", "", "relsym", S, err(ELOOP)),
      look("[no_symlinks] relative symlink component", "", "reletc/passwd", S, err(ELOOP)),
      look("[no_symlinks] absolute symlink target", "", "abssym", S, err(ELOOP)),
      look("[no_symlinks] absolute symlink component", "", "absetc/passwd", S, err(ELOOP)),
      look("[no_symlinks] cheeky garbage link", "", "cheeky/garbagelink", S, err(ELOOP)),
      look("[no_symlinks] cheeky absolute + garbage link", "", "abscheeky/garbagelink", S,
           err(ELOOP)),
      look("[no_symlinks] cheeky absolute + absolute symlink", "", "abscheeky/absself", S,
           err(ELOOP)),
      look("[no_symlinks] relative symlink with O_NOFOLLOW", "", "relsym", S, ok("/relsym"),
           O_NOFOLLOW),
      look("[no_symlinks] absolute symlink with O_NOFOLLOW", "", "abssym", S, ok("/abssym"),
           O_NOFOLLOW),
      look("[no_symlinks] trailing symlink with O_NOFOLLOW", "", "cheeky/garbagelink", S,
           ok("/cheeky/garbagelink"), O_NOFOLLOW),
      look("[no_symlinks] multiple symlink components with O_NOFOLLOW", "",
           "abscheeky/absself", S, err(ELOOP), O_NOFOLLOW),
      look("[no_symlinks] multiple symlink (and garbage link) components with O_NOFOLLOW", "",
           "abscheeky/garbagelink", S, err(ELOOP), O_NOFOLLOW),

      // ---- extra: RESOLVE_BENEATH from a subdirectory, links to `..` and `.` -------
      look("[beneath] '..' out of a subdirectory dirfd", "cheeky", "../etc/passwd", B,
           err(EXDEV)),
      look("[beneath] relative link climbing out of the dirfd", "cheeky", "passwd", B,
           err(EXDEV)),
      look("[beneath] link to '..' at the dirfd", "cheeky", "dotdot", B, err(EXDEV)),
      look("[beneath] link to '..' at the root", "", "uplink", B, err(EXDEV)),
      look("[beneath] link to '.' at the root", "", "dotlink", B, ok("/")),
      look("[beneath] link to '..' that stays inside", "", "cheeky/dotdot/etc", B, ok("/etc")),
      look("[beneath] relative link through the mount point", "", "mnt/self", B, ok("/mnt")),
      look("[beneath] absolute link inside the mount", "", "mnt/absself", B, err(EXDEV)),
      look("[beneath] '..' out of a mount-root dirfd", "mnt", "..", B, err(EXDEV)),
      look("[beneath] '..' and '.' that stay inside", "", "root/../etc/./passwd", B,
           ok("/etc/passwd")),
      look("[beneath] trailing slash on a file", "", "etc/passwd/", B, err(ENOTDIR)),
      look("[beneath] missing name", "", "nonexistent", B, err(ENOENT)),
      look("[beneath] symlink loop", "", "loop", B, err(ELOOP)),
      look("[beneath] empty path", "", "", B, err(ENOENT)),

      // ---- extra: RESOLVE_IN_ROOT from a subdirectory and a mount root ------------
      look("[in_root] '..'-chained link scoped to a subdirectory", "cheeky", "passwd", R,
           err(ENOENT)),
      look("[in_root] absolute link to / scoped to a subdirectory", "cheeky", "absself", R,
           ok("/cheeky")),
      look("[in_root] garbage link scoped to a subdirectory", "cheeky", "garbagelink", R,
           err(ENOENT)),
      look("[in_root] '..' at a mount-root dirfd", "mnt", "..", R, ok("/mnt")),
      look("[in_root] absolute link scoped to a mount root", "mnt", "absself", R, err(ENOENT)),
      look("[in_root] relative '..' link scoped to a mount root", "mnt", "self", R,
           err(ENOENT)),
      look("[in_root] link to '..' at the root", "", "uplink", R, ok("/")),
      look("[in_root] doubled slashes", "", "//etc//passwd", R, ok("/etc/passwd")),
      look("[in_root] absolute path with '..' at the root twice", "",
           "/../../etc/../../etc/passwd", R, ok("/etc/passwd")),
      look("[in_root] dangling absolute link", "", "dangling", R, err(ENOENT)),
      look("[in_root] symlink loop", "", "loop", R, err(ELOOP)),
      look("[in_root] link into /proc (absent)", "", "procexe", R, err(ENOENT)),

      // ---- extra: O_CREAT through dangling links ----------------------------------
      with_flags("[in_root] O_CREAT|O_EXCL on a dangling link", "", "creatlink2", O_CREAT | O_EXCL,
           0600, R, err(EEXIST)),
      with_flags("[in_root] O_CREAT through a '..'-chained dangling link", "", "cheeky/creatdotdot",
           O_CREAT, 0600, R, ok("/newfile5")),
      with_flags("[in_root] O_CREAT through a garbage dangling link", "", "cheeky/creatgarbage",
           O_CREAT, 0600, R, ok("/newfile6")),
      with_flags("[beneath] O_CREAT through a dangling absolute link", "", "creatlink2", O_CREAT,
           0600, B, err(EXDEV)),
      with_flags("[none] O_CREAT through a dangling absolute link", "", "creatlink2", O_CREAT, 0600,
           0, ok("/newfile4")),
      with_flags("[in_root] O_CREAT|O_NOFOLLOW on a symlink", "", "relsym", O_CREAT | O_NOFOLLOW,
           0600, R, err(ELOOP)),
      with_flags("[no_symlinks] O_CREAT through a dangling link", "", "creatlink", O_CREAT, 0600, S,
           err(ELOOP)),
      with_flags("[in_root] O_CREAT on a directory path", "", "etc/", O_CREAT, 0600, R,
           err(EISDIR)),
      with_flags("[no_xdev] O_CREAT inside the mount", "", "mnt/newfile7", O_CREAT, 0600, X,
           err(EXDEV)),

      // ---- extra: O_PATH|O_NOFOLLOW and O_DIRECTORY -------------------------------
      look("[in_root] O_NOFOLLOW on an absolute link", "", "cheeky/absself", R,
           ok("/cheeky/absself"), O_NOFOLLOW),
      look("[beneath] O_NOFOLLOW on a trailing absolute link", "", "abscheeky", B,
           ok("/abscheeky"), O_NOFOLLOW),
      look("[beneath] O_NOFOLLOW with an absolute link component", "", "abscheeky/absself", B,
           err(EXDEV), O_NOFOLLOW),
      look("[in_root] O_NOFOLLOW|O_DIRECTORY on a link to a directory", "", "reletc", R,
           err(ENOTDIR), O_NOFOLLOW | O_DIRECTORY),
      look("[beneath] O_DIRECTORY through a link to a directory", "", "reletc", B, ok("/etc"),
           O_DIRECTORY),
      look("[beneath] O_DIRECTORY through a link to a file", "", "relsym", B, err(ENOTDIR),
           O_DIRECTORY),

      // ---- extra: no scoping: absolute paths and `..` at the (chroot) root --------
      look("[none] '..' at the root", "", "..", 0, ok("/")),
      look("[none] '/..'", "", "/..", 0, ok("/")),
      look("[none] absolute symlink", "", "abssym", 0, ok("/etc/passwd")),
      look("[none] garbage link", "", "cheeky/garbagelink", 0, ok("/etc/passwd")),
      look("[none] '..'-above-root link", "", "cheeky/self", 0, ok("/root")),

      // ---- extra: RESOLVE_NO_XDEV and absolute jumps ------------------------------
      look("[no_xdev] '..' at the root", "", "..", X, ok("/")),
      look("[no_xdev] link to '..' at the root", "", "uplink", X, ok("/")),
      look("[no_xdev] absolute path from a mount-root dirfd", "mnt", "/etc", X, ok("/etc")),
      // Linux: an absolute symlink in a relative walk that has not met `..` compares
      // against a root not yet set, so it is EXDEV; after a `..` it is allowed.
      look("[no_xdev] absolute link before any '..'", "", "cheeky/absself", X, err(EXDEV)),
      look("[no_xdev] absolute link target before any '..'", "", "abssym", X, err(EXDEV)),
      look("[no_xdev] absolute link after '..'", "", "../cheeky/absself", X, ok("/")),
      look("[no_xdev] absolute link after a link to '..'", "", "uplink/abssym", X,
           ok("/etc/passwd")),

      // ---- extra: combinations ----------------------------------------------------
      look("[beneath|no_symlinks] relative symlink", "", "relsym", B | S, err(ELOOP)),
      look("[beneath|no_xdev] cross into $mnt", "", "mnt", B | X, err(EXDEV)),
      look("[beneath|no_xdev] stay on one mount", "", "etc/passwd", B | X, ok("/etc/passwd")),
      look("[in_root|no_xdev] absolute path into $mnt", "", "/mnt", R | X, err(EXDEV)),
      look("[in_root|no_xdev] '..' at root then etc", "", "../etc", R | X, ok("/etc")),
      look("[in_root|no_xdev] garbage link", "", "cheeky/garbagelink", R | X,
           ok("/etc/passwd")),
      look("[in_root|no_symlinks] absolute path", "", "/etc/passwd", R | S, ok("/etc/passwd")),
      look("[in_root|no_symlinks] absolute symlink", "", "abssym", R | S, err(ELOOP)),
      look("[beneath|no_magiclinks] relative symlink", "", "relsym", B | M, ok("/etc/passwd")),
      look("[in_root|no_magiclinks] garbage link", "", "cheeky/garbagelink", R | M,
           ok("/etc/passwd")),
      look("[no_magiclinks] dangling link into /proc", "", "procexe", M, err(ENOENT)),
      look("[no_magiclinks] dangling link into /proc as a component", "", "procroot/etc", M,
           err(ENOENT)),

      // ---- extra: RESOLVE_CACHED (warmed by an ordinary lookup first) -------------
      look("[cached] plain path", "", "etc/passwd", K, ok("/etc/passwd")),
      look("[cached|beneath] relative symlink", "", "relsym", K | B, ok("/etc/passwd")),
      look("[cached|beneath] '..'-chained link inside", "", "cheeky/passwd", K | B,
           ok("/etc/passwd")),
      look("[cached|beneath] symlink temporary jump outside", "", "cheeky/self", K | B,
           err(EXDEV)),
      look("[cached|beneath] absolute path", "", "/etc/passwd", K | B, err(EXDEV)),
      look("[cached|in_root] tricky '..'-chained symlink", "", "cheeky/dotdotlink", K | R,
           ok("/etc/passwd")),
      look("[cached|in_root] absolute + garbage link", "", "abscheeky/garbagelink", K | R,
           ok("/etc/passwd")),
      look("[cached|no_xdev] cross into $mnt", "", "mnt", K | X, err(EXDEV)),
      look("[cached|no_xdev] goto mountpoint root", "mnt", ".", K | X, ok("/mnt")),
      look("[cached|no_symlinks] relative symlink", "", "relsym", K | S, err(ELOOP)),
      look("[cached] through the mount point", "", "mnt/self", K, ok("/mnt")),
      look("[cached] negative dentry", "", "etc/nothere", K, err(ENOENT)),
      with_flags("[cached] O_CREAT", "", "newfile8", O_CREAT, 0600, K, err(EAGAIN)),
      with_flags("[cached] O_TRUNC", "", "etc/passwd", O_RDWR | O_TRUNC, 0, K, err(EAGAIN)),

      // ---- extra: invalid arguments -----------------------------------------------
      look("[invalid] RESOLVE_BENEATH|RESOLVE_IN_ROOT", "", "etc", B | R, err(EINVAL)),
      look("[invalid] RESOLVE_BENEATH|RESOLVE_IN_ROOT|RESOLVE_CACHED", "", "etc", B | R | K,
           err(EINVAL)),
      look("[invalid] unknown resolve bit 0x40", "", "etc", 0x40, err(EINVAL)),
      look("[invalid] unknown resolve bit 63", "", "etc", uint64_t{1} << 63, err(EINVAL)),
      look("[invalid] unknown resolve bit with RESOLVE_BENEATH", "", "etc", B | 0x80,
           err(EINVAL)),
      with_flags("[invalid] mode without O_CREAT", "", "etc", O_PATH, 0644, B, err(EINVAL)),
      with_flags("[invalid] O_PATH|O_CREAT", "", "newfile9", O_PATH | O_CREAT, 0600, R,
           err(EINVAL)),
      with_flags("[invalid] mode with file-type bits", "", "newfile9", O_CREAT, 0100644, R,
           err(EINVAL)),
      with_flags("[invalid] unknown open flag", "", "etc", O_PATH | (uint64_t{1} << 40), 0, B,
           err(EINVAL)),
  };
}

}  // namespace

const std::vector<ResolveCase>& resolve_cases() {
  static const std::vector<ResolveCase> cases = make_cases();
  return cases;
}

const std::vector<std::string>& skipped_selftest_cases() {
  static const std::vector<std::string> skipped = {
      "[no_xdev] cross through magic-link to self/root (needs procfs)",
      "[no_xdev] cross through magic-link to self/cwd (needs procfs)",
      "[no_xdev] jump through magic-link to same procfs (needs procfs)",
      "[no_magiclinks] symlink to magic-link (needs procfs)",
      "[no_magiclinks] normal path to magic-link (needs procfs)",
      "[no_magiclinks] normal path to magic-link with O_NOFOLLOW (needs procfs)",
      "[no_magiclinks] symlink to magic-link path component (needs procfs)",
      "[no_magiclinks] magic-link path component (needs procfs)",
      "[no_magiclinks] magic-link path component with O_NOFOLLOW (needs procfs)",
  };
  return skipped;
}

}  // namespace rcuvfs::resolve_test
