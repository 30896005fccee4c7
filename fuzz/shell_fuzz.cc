// libFuzzer target: arbitrary bytes as `rcuvfs shell` lines (shared/SHELL.md),
// executed by the shell's Executor over a TaskBackend on a fresh memfs namespace
// (sandbox.h).
//
// Checked for every input, beyond "no crash, no leak, no UB" (the sanitizers):
//   - a blank or comment line yields no output; every other line exactly one;
//   - that line is `ok`, `ok ...`, `err NAME` or `bad ...`, with no newline in it;
//   - NAME is a known errno symbol (never the "E<number>" fallback);
//   - afterwards the namespace passes the consistency check (diag::check).
#include "sandbox.h"
#include "shell/errno_names.h"
#include "shell/executor.h"
#include "shell/task_backend.h"
#include "shell/tokenizer.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using rcuvfs::shell::Executor;

[[noreturn]] void fail(std::string_view what, std::string_view line, std::string_view out) {
  std::fprintf(stderr, "shell_fuzz: %.*s\n  line: %.*s\n  out:  %.*s\n",
               static_cast<int>(what.size()), what.data(), static_cast<int>(line.size()),
               line.data(), static_cast<int>(out.size()), out.data());
  std::abort();
}

bool known_errno_name(std::string_view name) {
  if (name.size() < 2 || name[0] != 'E') return false;
  // errno_name's fallback for a value it does not know is "E<number>".
  return name.find_first_of("0123456789") == std::string_view::npos;
}

// memfs files are sparse: a `truncate` to gigabytes is legal and takes no memory, but a
// `read` of the file then would build gigabytes of zeros in the shell's answer, which
// only measures the machine's memory. Such lines are skipped (large sizes and their
// limits are covered by the unit tests and tests/shell/scripts/sparse.sh).
bool too_big(std::string_view line) {
  if (Executor::command_of(line) != "truncate") return false;
  std::vector<std::string> tokens;
  if (!rcuvfs::shell::tokenize(line, tokens).empty() || tokens.empty()) return false;
  const std::string& size = tokens.back();
  return size.size() > 7 || std::strtoull(size.c_str(), nullptr, 10) > (1u << 20);
}

void check_output(std::string_view line, const std::optional<std::string>& out) {
  const bool silent = rcuvfs::shell::is_blank_or_comment(line);
  if (silent) {
    if (out) fail("output for a blank or comment line", line, *out);
    return;
  }
  if (!out) fail("no output for a command line", line, "");
  std::string_view o = *out;
  if (o.find('\n') != std::string_view::npos) fail("newline inside an output line", line, o);
  if (o == "ok" || o.starts_with("ok ") || o.starts_with("bad ")) return;
  if (o.starts_with("err ")) {
    if (!known_errno_name(o.substr(4))) fail("unknown errno name", line, o);
    return;
  }
  fail("output is not ok/err/bad", line, o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rcuvfs_fuzz::Sandbox sandbox;
  rcuvfs::shell::TaskBackend backend(sandbox.task());
  Executor ex(backend);
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    // run_session splits on '\n' exactly like this (std::getline).
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (too_big(line)) continue;
    check_output(line, ex.run_line(line));
  }
  sandbox.check();
  return 0;
}
