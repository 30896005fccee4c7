// Unit tests of the shell protocol layer: tokenizer, quoting, errno names, number
// parsing, and the executor's parsing of every command (over a recording backend).
#include "shell/errno_names.h"
#include "shell/executor.h"
#include "shell/numbers.h"
#include "shell/quote.h"
#include "shell/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>

#include <dirent.h>
#include <sys/mount.h>

namespace rcuvfs::shell {
namespace {

std::vector<std::string> toks(std::string_view line) {
  std::vector<std::string> out;
  std::string msg = tokenize(line, out);
  EXPECT_EQ(msg, "") << line;
  return out;
}

std::string tok_error(std::string_view line) {
  std::vector<std::string> out;
  return tokenize(line, out);
}

TEST(Tokenizer, SplitsOnSpacesAndTabs) {
  EXPECT_EQ(toks("mkdir  a\tb "), (std::vector<std::string>{"mkdir", "a", "b"}));
  EXPECT_EQ(toks(""), std::vector<std::string>{});
}

TEST(Tokenizer, QuotesAndEscapes) {
  EXPECT_EQ(toks(R"(write "a b" "")"), (std::vector<std::string>{"write", "a b", ""}));
  EXPECT_EQ(toks(R"("\\\"\n\t\x41\xfF")"),
            (std::vector<std::string>{std::string("\\\"\n\tA\xff")}));
  EXPECT_EQ(toks(R"("\x00")"), (std::vector<std::string>{std::string(1, '\0')}));
  EXPECT_EQ(toks(R"(a\b)"), (std::vector<std::string>{"a\\b"}));  // unquoted: literal
}

TEST(Tokenizer, Malformed) {
  EXPECT_NE(tok_error(R"("abc)"), "");
  EXPECT_NE(tok_error(R"("a\q")"), "");
  EXPECT_NE(tok_error(R"("\x4")"), "");
  EXPECT_NE(tok_error(R"("\xzz")"), "");
  EXPECT_NE(tok_error(R"("a"b)"), "");
  EXPECT_NE(tok_error(R"(a"b")"), "");
  EXPECT_NE(tok_error(R"("a\)"), "");
}

TEST(Tokenizer, BlankAndComment) {
  EXPECT_TRUE(is_blank_or_comment(""));
  EXPECT_TRUE(is_blank_or_comment(" \t"));
  EXPECT_TRUE(is_blank_or_comment("# x"));
  EXPECT_TRUE(is_blank_or_comment("  # x"));
  EXPECT_FALSE(is_blank_or_comment("ls /"));
}

TEST(Quote, Escapes) {
  EXPECT_EQ(quote(""), "\"\"");
  EXPECT_EQ(quote("a b~"), "\"a b~\"");
  EXPECT_EQ(quote(std::string("\\\"\n\t\x01\x7f\xff", 7)), R"("\\\"\n\t\x01\x7f\xff")");
  EXPECT_EQ(quote(std::string(1, '\0')), R"("\x00")");
  EXPECT_EQ(quote_if_needed("abc"), "abc");
  EXPECT_EQ(quote_if_needed("a b"), "\"a b\"");
  EXPECT_EQ(quote_if_needed(""), "\"\"");
}

TEST(Quote, RoundTrip) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(toks(quote(all)), std::vector<std::string>{all});
}

TEST(ErrnoNames, MatchesGlibc) {
  EXPECT_EQ(errno_name(ENOENT), "ENOENT");
  EXPECT_EQ(errno_name(EWOULDBLOCK), "EAGAIN");
  EXPECT_EQ(errno_name(ENOTSUP), "EOPNOTSUPP");
  for (int e = 1; e < 134; ++e) {
    const char* g = strerrorname_np(e);
    if (g) {
      EXPECT_EQ(errno_name(e), g) << e;
    }
  }
  EXPECT_EQ(errno_name(9999), "E9999");
}

TEST(Numbers, Parse) {
  EXPECT_EQ(parse_mode("0644"), 0644u);
  EXPECT_EQ(parse_mode("7777"), 07777u);
  EXPECT_FALSE(parse_mode("0648"));
  EXPECT_FALSE(parse_mode("17777"));
  EXPECT_FALSE(parse_mode(""));
  EXPECT_FALSE(parse_mode("-1"));
  EXPECT_EQ(parse_decimal("42", 100), 42u);
  EXPECT_FALSE(parse_decimal("101", 100));
  EXPECT_FALSE(parse_decimal("+1", 100));
  EXPECT_FALSE(parse_decimal("1x", 100));
  EXPECT_FALSE(parse_decimal("99999999999999999999999", UINT64_MAX));
  EXPECT_EQ(parse_signed_decimal("-1"), -1);
  EXPECT_EQ(parse_signed_decimal("42"), 42);
  EXPECT_EQ(parse_signed_decimal("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_signed_decimal("9223372036854775807"), INT64_MAX);
  EXPECT_FALSE(parse_signed_decimal("-9223372036854775809"));
  EXPECT_FALSE(parse_signed_decimal("9223372036854775808"));
  EXPECT_FALSE(parse_signed_decimal("-"));
  EXPECT_FALSE(parse_signed_decimal("--1"));
  EXPECT_FALSE(parse_signed_decimal("+1"));
  EXPECT_FALSE(parse_signed_decimal(""));
}

// Records every call as a line of text; errors are configurable per method name.
class FakeBackend final : public ShellBackend {
 public:
  std::vector<std::string> calls;
  std::map<std::string, int> fail;  // method -> errno
  std::string file_content = "hi\n";
  std::vector<std::string> dir_names = {".", "..", "b", "a", "B"};

  Status rec(const std::string& method, const std::string& args) {
    calls.push_back(method + "(" + args + ")");
    auto it = fail.find(method);
    if (it != fail.end()) return Err{it->second};
    return {};
  }
  static std::string s(std::string_view v) { return std::string(v); }
  static std::string n(long v) { return std::to_string(v); }
  static std::string o(unsigned long v) {
    char b[32];
    snprintf(b, sizeof b, "0%lo", v);
    return b;
  }

  Result<Statx> statx(int dirfd, std::string_view path, int flags, unsigned mask) override {
    if (auto r = rec("statx", n(dirfd) + "," + s(path) + "," + n(flags) + "," + n(mask)); !r)
      return Err{r.error()};
    Statx st{};
    st.stx_mode = S_IFREG | 0644;
    st.stx_nlink = 1;
    st.stx_size = 3;
    st.stx_ino = 77;
    st.stx_dev_major = 0;
    st.stx_dev_minor = 42;
    return st;
  }
  Result<int> openat2(int dirfd, std::string_view path, const OpenHow& how) override {
    if (auto r = rec("openat2", n(dirfd) + "," + s(path) + ",flags=" + o(how.flags) +
                                    ",mode=" + o(how.mode) + ",resolve=" + n(how.resolve));
        !r)
      return Err{r.error()};
    return 3;
  }
  Status close(int fd) override { return rec("close", n(fd)); }
  Result<size_t> read(int fd, void* buf, size_t count) override {
    (void)rec("read", n(fd));
    size_t k = std::min(count, file_content.size() - read_pos_);
    std::memcpy(buf, file_content.data() + read_pos_, k);
    read_pos_ += k;
    return k;
  }
  Result<size_t> write(int fd, const void* buf, size_t count) override {
    if (auto r = rec("write", n(fd) + "," +
                                  std::string(static_cast<const char*>(buf), count));
        !r)
      return Err{r.error()};
    return count;
  }
  Result<size_t> getdents(int fd, std::vector<DirEntry>& out, size_t) override {
    (void)rec("getdents", n(fd));
    if (listed_) return size_t{0};
    listed_ = true;
    for (auto& name : dir_names) out.push_back(DirEntry{1, 0, DT_REG, name});
    return dir_names.size();
  }
  Result<std::string> fdpath(int fd) override {
    (void)rec("fdpath", n(fd));
    return std::string("/a b (deleted)");
  }
  Result<int> inotify_init1(int flags) override {
    if (auto r = rec("inotify_init1", n(flags)); !r) return Err{r.error()};
    return 3;
  }
  Result<int> inotify_add_watch(int fd, std::string_view path, uint32_t mask) override {
    if (auto r = rec("inotify_add_watch", n(fd) + "," + s(path) + "," + o(mask)); !r)
      return Err{r.error()};
    return 1;
  }
  Status inotify_rm_watch(int fd, int wd) override {
    return rec("inotify_rm_watch", n(fd) + "," + n(wd));
  }
  Status mkdirat(int dirfd, std::string_view path, mode_t mode) override {
    return rec("mkdirat", n(dirfd) + "," + s(path) + "," + o(mode));
  }
  Status mknodat(int dirfd, std::string_view path, mode_t mode, dev_t dev) override {
    return rec("mknodat", n(dirfd) + "," + s(path) + "," + o(mode) + "," +
                              n(major(dev)) + ":" + n(minor(dev)));
  }
  Status symlinkat(std::string_view target, int newdirfd, std::string_view link) override {
    return rec("symlinkat", s(target) + "," + n(newdirfd) + "," + s(link));
  }
  Result<std::string> readlinkat(int dirfd, std::string_view path) override {
    (void)rec("readlinkat", n(dirfd) + "," + s(path));
    return std::string("t\n\"");
  }
  Status faccessat2(int dirfd, std::string_view path, int mode, int flags) override {
    return rec("faccessat2", n(dirfd) + "," + s(path) + "," + n(mode) + "," + n(flags));
  }
  Result<Statfs> statfs(std::string_view path) override {
    if (auto r = rec("statfs", s(path)); !r) return Err{r.error()};
    Statfs st{};
    st.f_type = TMPFS_MAGIC;
    st.f_bsize = 4096;
    st.f_namelen = 255;
    st.f_blocks = 10;
    st.f_bfree = 7;
    st.f_bavail = 6;
    st.f_files = 5;
    st.f_ffree = 4;
    return st;
  }
  // getxattr answers "v\n1"; listxattr "user.b", "user.a", "trusted.x y".
  Result<size_t> getxattrat(int dirfd, std::string_view path, int at_flags,
                            std::string_view name, void* value, size_t size) override {
    if (auto r = rec("getxattrat", n(dirfd) + "," + s(path) + "," + n(at_flags) + "," +
                                       s(name) + "," + n(static_cast<long>(size)));
        !r)
      return Err{r.error()};
    std::memcpy(value, "v\n1", 3);
    return size_t{3};
  }
  Status setxattrat(int dirfd, std::string_view path, int at_flags, std::string_view name,
                    std::string_view value, int flags) override {
    return rec("setxattrat", n(dirfd) + "," + s(path) + "," + n(at_flags) + "," + s(name) +
                                 "," + s(value) + "," + n(flags));
  }
  Result<size_t> listxattrat(int dirfd, std::string_view path, int at_flags, char* list,
                             size_t size) override {
    if (auto r = rec("listxattrat", n(dirfd) + "," + s(path) + "," + n(at_flags) + "," +
                                        n(static_cast<long>(size)));
        !r)
      return Err{r.error()};
    static constexpr char kNames[] = "user.b\0user.a\0trusted.x y";
    std::memcpy(list, kNames, sizeof kNames);
    return sizeof kNames;
  }
  Status removexattrat(int dirfd, std::string_view path, int at_flags,
                       std::string_view name) override {
    return rec("removexattrat",
               n(dirfd) + "," + s(path) + "," + n(at_flags) + "," + s(name));
  }
  Status linkat(int od, std::string_view op, int nd, std::string_view np,
                int flags) override {
    return rec("linkat", n(od) + "," + s(op) + "," + n(nd) + "," + s(np) + "," + n(flags));
  }
  Status unlinkat(int dirfd, std::string_view path, int flags) override {
    return rec("unlinkat", n(dirfd) + "," + s(path) + "," + n(flags));
  }
  Status renameat2(int od, std::string_view op, int nd, std::string_view np,
                   unsigned flags) override {
    return rec("renameat2", n(od) + "," + s(op) + "," + n(nd) + "," + s(np) + "," + n(flags));
  }
  Status fchmodat(int dirfd, std::string_view path, mode_t mode, int flags) override {
    return rec("fchmodat", n(dirfd) + "," + s(path) + "," + o(mode) + "," + n(flags));
  }
  Status fchownat(int dirfd, std::string_view path, uid_t u, gid_t g, int flags) override {
    return rec("fchownat", n(dirfd) + "," + s(path) + "," + n(u) + "," + n(g) + "," + n(flags));
  }
  Status truncate(std::string_view path, off_t length) override {
    return rec("truncate", s(path) + "," + n(length));
  }
  Status chdir(std::string_view path) override { return rec("chdir", s(path)); }
  Status fchdir(int fd) override { return rec("fchdir", n(fd)); }
  Status chroot(std::string_view path) override { return rec("chroot", s(path)); }
  Status mount(std::string_view type, std::string_view target) override {
    return rec("mount", s(type) + "," + s(target));
  }
  bool supports_bind() const override { return bind_ok; }
  Status bind(std::string_view src, std::string_view dst, bool r) override {
    return rec("bind", s(src) + "," + s(dst) + "," + n(r));
  }
  Status umount(std::string_view target, int flags) override {
    return rec("umount", s(target) + "," + n(flags));
  }
  mode_t umask(mode_t mask) override {
    (void)rec("umask", o(mask));
    return 022;
  }
  Status set_cred(const Cred& c) override {
    std::string g;
    for (auto x : c.groups) g += "," + n(x);
    return rec("set_cred", n(c.uid) + "," + n(c.gid) + g);
  }
  Status set_fd_limit(uint64_t limit) override {
    return rec("set_fd_limit", std::to_string(limit));
  }
  std::vector<std::pair<std::string, uint64_t>> stats() override {
    return {{"walk_rcu", 5}, {"echild_dentry_seq", 0}};
  }

  bool supports_security() const override { return security; }
  bool is_access_right(std::string_view name) const override {
    return name == "read_file" || name == "stat" || name == "all";
  }
  Status audit(std::string_view path) override { return rec("audit", s(path)); }
  Status restrict_add(std::string_view path, std::string_view rights) override {
    return rec("restrict_add", s(path) + "," + s(rights));
  }
  Status restrict_enforce(std::string_view handled) override {
    return rec("restrict_enforce", s(handled));
  }

  bool bind_ok = false;
  bool security = true;

 private:
  size_t read_pos_ = 0;
  bool listed_ = false;
};

struct Shell {
  FakeBackend b;
  Executor ex{b};
  std::string line(std::string_view l) {
    b.calls.clear();
    auto r = ex.run_line(l);
    return r ? *r : "<none>";
  }
};

TEST(Executor, BlankAndCommentLinesProduceNothing) {
  Shell r;
  EXPECT_EQ(r.line(""), "<none>");
  EXPECT_EQ(r.line("# mkdir a"), "<none>");
  EXPECT_FALSE(r.ex.saw_bad());
}

TEST(Executor, Malformed) {
  Shell r;
  EXPECT_EQ(r.line("frobnicate a").rfind("bad ", 0), 0u);
  EXPECT_TRUE(r.ex.saw_bad());
  for (const char* l : {"mkdir", "mkdir a 0999", "mkdir a 1 2", "mkdir \"a", "close -1",
                        "close x", "chown a -1 0", "truncate a -", "truncate a 5-",
                        "truncate a --5", "open a bogus",
                        "open a mode=9", "open a resolve=beneath,bogus", "rename a b sideways",
                        "stat a follow", "mknod a pipe", "mknod a chr 0644 1 2 3",
                        "mknod a chr x y",
                        "at", "at 3", "at x stat a", "at 3 close 3", "at 3 umask 022",
                        "umask 01777", "as 0", "as 0 x", "stats x", "link a b c",
                        "umount a lazy", "bind a b", "mknod a chr 4096 0", "nofile", "nofile -1",
                        "nofile 18446744073709551616", "nofile 1 2", "at 3 nofile 5",
                        "access a", "access a rr", "access a fr", "access a \"\"",
                        "access a q", "access a r follow", "statfs", "statfs a b",
                        "getxattr a", "getxattr a user.x eaccess", "setxattr a user.x",
                        "setxattr a user.x v create replace", "setxattr a user.x v follow",
                        "listxattr", "listxattr a create", "removexattr a",
                        "removexattr a user.x replace", "at 3 getxattr a b c d e"})
    EXPECT_EQ(r.line(l).rfind("bad ", 0), 0u) << l;
}

// A `bad` answer echoes the token it could not parse; bytes that would break the
// one-line answer (a quoted newline) come back escaped. Found by shell_fuzz.
TEST(Executor, MalformedAnswerStaysOneLine) {
  Shell r;
  EXPECT_EQ(r.line("create x \"0\\n644\""), "bad create: bad mode '0\\n644'");
  EXPECT_EQ(r.line("mkdir x \"\\t\\x00\\x80\""), "bad mkdir: bad mode '\\t\\x00\\x80'");
  EXPECT_EQ(r.line("\"fr\\nob\" a"), "bad unknown command 'fr\\nob'");
  EXPECT_EQ(r.line("fdpath \"3\\n\""), "bad fdpath: bad descriptor '3\\n'");
  // Printable bytes, backslashes included, are echoed as they are.
  EXPECT_EQ(r.line("mkdir x \"a\\\\b\""), "bad mkdir: bad mode 'a\\b'");
}

TEST(Executor, Commands) {
  Shell r;
  EXPECT_EQ(r.line("mkdir a"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"mkdirat(-100,a,0777)"});
  EXPECT_EQ(r.line("at 5 mkdir \"x y\" 0700"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"mkdirat(5,x y,0700)"});
  EXPECT_EQ(r.line("create f"), "ok");
  EXPECT_EQ(r.b.calls, (std::vector<std::string>{
                           "openat2(-100,f,flags=0301,mode=0666,resolve=0)", "close(3)"}));
  EXPECT_EQ(r.line("mknod n chr 1 3"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"mknodat(-100,n,020666,1:3)"});
  EXPECT_EQ(r.line("mknod n blk 0600 8 1"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"mknodat(-100,n,060600,8:1)"});
  EXPECT_EQ(r.line("mknod n fifo 0640"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"mknodat(-100,n,010640,0:0)"});
  EXPECT_EQ(r.line("write f \"a\\nb\""), "ok");
  EXPECT_EQ(r.b.calls, (std::vector<std::string>{
                           "openat2(-100,f,flags=01001,mode=00,resolve=0)", "write(3,a\nb)",
                           "close(3)"}));
  EXPECT_EQ(r.line("append f x"), "ok");
  EXPECT_EQ(r.b.calls[0], "openat2(-100,f,flags=02001,mode=00,resolve=0)");
  EXPECT_EQ(r.line("read f"), "ok \"hi\\n\"");
  EXPECT_EQ(r.line("symlink t l"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"symlinkat(t,-100,l)"});
  EXPECT_EQ(r.line("at 4 link a b follow"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"linkat(4,a,4,b,1024)"});
  EXPECT_EQ(r.line("unlink a"), "ok");
  EXPECT_EQ(r.line("rmdir a"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"unlinkat(-100,a,512)"});
  EXPECT_EQ(r.line("rename a b exchange"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"renameat2(-100,a,-100,b,2)"});
  EXPECT_EQ(r.line("rename a b noreplace"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"renameat2(-100,a,-100,b,1)"});
  EXPECT_EQ(r.line("readlink l"), "ok \"t\\n\\\"\"");
  EXPECT_EQ(r.line("stat a nofollow emptypath"),
            "ok type=reg mode=0644 nlink=1 uid=0 gid=0 size=3 ino=77 dev=0:42 rdev=0:0");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"statx(-100,a,4352,2047)"});
  EXPECT_EQ(r.line("access a f"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"faccessat2(-100,a,0,0)"});
  EXPECT_EQ(r.line("at 3 access \"\" xwr eaccess nofollow emptypath"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"faccessat2(3,,7," +
                                                std::to_string(AT_EACCESS | AT_SYMLINK_NOFOLLOW |
                                                               AT_EMPTY_PATH) +
                                                ")"});
  EXPECT_EQ(r.line("statfs /"), "ok type=0x1021994 bsize=4096 namelen=255 blocks=10 bfree=7 "
                                "bavail=6 files=5 ffree=4");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"statfs(/)"});
  // xattrs: the value quoted as `read` quotes; the names sorted and quoted if needed.
  EXPECT_EQ(r.line("getxattr a user.x"), "ok \"v\\n1\"");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"getxattrat(-100,a,0,user.x,65536)"});
  EXPECT_EQ(r.line("at 3 getxattr \"\" user.x nofollow emptypath"), "ok \"v\\n1\"");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"getxattrat(3,," +
                                                std::to_string(AT_SYMLINK_NOFOLLOW |
                                                               AT_EMPTY_PATH) +
                                                ",user.x,65536)"});
  EXPECT_EQ(r.line("setxattr a user.x \"v w\" replace nofollow"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"setxattrat(-100,a," +
                                                std::to_string(AT_SYMLINK_NOFOLLOW) +
                                                ",user.x,v w," +
                                                std::to_string(XATTR_REPLACE) + ")"});
  EXPECT_EQ(r.line("setxattr a user.x \"\" create"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"setxattrat(-100,a,0,user.x,," +
                                                std::to_string(XATTR_CREATE) + ")"});
  EXPECT_EQ(r.line("listxattr a"), "ok \"trusted.x y\" user.a user.b");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"listxattrat(-100,a,0,65536)"});
  EXPECT_EQ(r.line("at 4 removexattr b user.x"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"removexattrat(4,b,0,user.x)"});
  r.b.fail["removexattrat"] = ENODATA;
  EXPECT_EQ(r.line("removexattr b user.x"), "err ENODATA");
  EXPECT_EQ(r.line("ls d"), "ok B a b");
  EXPECT_EQ(r.line("open d rdwr creat excl mode=0600 resolve=beneath,in_root"), "ok fd=3");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{
                           "openat2(-100,d,flags=0302,mode=0600,resolve=" +
                           std::to_string(RESOLVE_BENEATH | RESOLVE_IN_ROOT) + ")"});
  EXPECT_EQ(r.line("open d creat"), "ok fd=3");
  EXPECT_EQ(r.b.calls[0], "openat2(-100,d,flags=0100,mode=0666,resolve=0)");
  EXPECT_EQ(r.line("close 3"), "ok");
  EXPECT_EQ(r.line("fdpath 3"), "ok /a b (deleted)");
  EXPECT_EQ(r.line("statfd 3").rfind("ok type=reg", 0), 0u);
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"statx(3,,4096,2047)"});
  EXPECT_EQ(r.line("chmod a 4755"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"fchmodat(-100,a,04755,0)"});
  EXPECT_EQ(r.line("chown a 1000 4294967295"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"fchownat(-100,a,1000,4294967295,0)"});
  EXPECT_EQ(r.line("truncate a 10"), "ok");
  // A negative size goes to the call, which refuses it as truncate(2) does.
  EXPECT_EQ(r.line("truncate a -5"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"truncate(a,-5)"});
  EXPECT_EQ(r.line("cd a"), "ok");
  EXPECT_EQ(r.line("chroot a"), "ok");
  EXPECT_EQ(r.line("umask 077"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"umask(077)"});
  EXPECT_EQ(r.line("as 1000 1000 4 5"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"set_cred(1000,1000,4,5)"});
  EXPECT_EQ(r.line("nofile 18446744073709551615"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"set_fd_limit(18446744073709551615)"});
  EXPECT_EQ(r.line("mount memfs m"), "ok");
  EXPECT_EQ(r.line("umount m detach"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"umount(m," + std::to_string(MNT_DETACH) + ")"});
  EXPECT_EQ(r.line("bind a b"), "bad bind is not supported yet");
  r.b.bind_ok = true;
  EXPECT_EQ(r.line("bind a b rec"), "ok");
  EXPECT_EQ(r.line("stats"), "ok walk_rcu=5 echild_dentry_seq=0");
}

TEST(Executor, AtWithoutAtVariantMovesTheCwd) {
  Shell r;
  EXPECT_EQ(r.line("at 7 truncate f 4"), "ok");
  EXPECT_EQ(r.b.calls, (std::vector<std::string>{
                           "openat2(-100,.,flags=010200000,mode=00,resolve=0)", "fchdir(7)",
                           "truncate(f,4)", "fchdir(3)", "close(3)"}));
  EXPECT_EQ(r.line("at 7 cd x"), "ok");  // the cwd stays moved
  EXPECT_EQ(r.b.calls, (std::vector<std::string>{
                           "openat2(-100,.,flags=010200000,mode=00,resolve=0)", "fchdir(7)",
                           "chdir(x)", "close(3)"}));
  r.b.fail["chdir"] = ENOENT;
  EXPECT_EQ(r.line("at 7 cd x"), "err ENOENT");
  EXPECT_EQ(r.b.calls, (std::vector<std::string>{
                           "openat2(-100,.,flags=010200000,mode=00,resolve=0)", "fchdir(7)",
                           "chdir(x)", "fchdir(3)", "close(3)"}));
  r.b.fail.clear();
  r.b.fail["fchdir"] = ENOTDIR;
  EXPECT_EQ(r.line("at 7 truncate x 1"), "err ENOTDIR");
  EXPECT_EQ(r.b.calls, (std::vector<std::string>{
                           "openat2(-100,.,flags=010200000,mode=00,resolve=0)", "fchdir(7)",
                           "close(3)"}));
}

TEST(Executor, Errors) {
  Shell r;
  r.b.fail["mkdirat"] = ENOENT;
  EXPECT_EQ(r.line("mkdir a/b"), "err ENOENT");
  r.b.fail["openat2"] = ELOOP;
  EXPECT_EQ(r.line("read l"), "err ELOOP");
  EXPECT_EQ(r.line("ls l"), "err ELOOP");
  r.b.fail.clear();
  r.b.fail["write"] = ENOSPC;
  EXPECT_EQ(r.line("write f x"), "err ENOSPC");
  EXPECT_EQ(r.b.calls.back(), "close(3)");  // closed even on error
  EXPECT_FALSE(r.ex.saw_bad());
}

TEST(Executor, SecurityCommands) {
  Shell r;
  EXPECT_EQ(r.line("audit /tmp/log"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"audit(/tmp/log)"});
  EXPECT_EQ(r.line("restrict src read_file,stat"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"restrict_add(src,read_file,stat)"});
  EXPECT_EQ(r.line("restrict enforce"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"restrict_enforce()"});
  EXPECT_EQ(r.line("restrict enforce stat"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"restrict_enforce(stat)"});
  EXPECT_EQ(r.line("restrict ./enforce all"), "ok");
  EXPECT_EQ(r.b.calls, std::vector<std::string>{"restrict_add(./enforce,all)"});
  r.b.fail["restrict_add"] = ENOENT;
  EXPECT_EQ(r.line("restrict nope stat"), "err ENOENT");
  EXPECT_FALSE(r.ex.saw_bad());
  for (const char* l : {"restrict", "restrict src", "restrict src bogus", "restrict src stat,",
                        "restrict src ,stat", "restrict enforce stat,bogus", "restrict a b c",
                        "audit", "audit a b", "at 3 audit x"}) {
    EXPECT_EQ(r.line(l).rfind("bad ", 0), 0u) << l;
    EXPECT_TRUE(r.b.calls.empty()) << l;
  }
  // A backend without security modules (the Linux oracle) answers `bad`.
  r.b.security = false;
  EXPECT_EQ(r.line("audit /tmp/log").rfind("bad ", 0), 0u);
  EXPECT_EQ(r.line("restrict enforce").rfind("bad ", 0), 0u);
}

TEST(Executor, CommandOf) {
  EXPECT_EQ(Executor::command_of("stats"), "stats");
  EXPECT_EQ(Executor::command_of(" at 3 stat a"), "stat");
  EXPECT_EQ(Executor::command_of("# stats"), "");
}

}  // namespace
}  // namespace rcuvfs::shell
