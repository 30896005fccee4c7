#include "oracle/compare.h"

#include "shell/executor.h"
#include "shell/tokenizer.h"

#include <map>

namespace rcuvfs::oracle {
namespace {

std::string renumber(std::string_view value, std::map<std::string, size_t>& seen) {
  auto [it, inserted] = seen.emplace(std::string(value), seen.size() + 1);
  (void)inserted;
  return std::to_string(it->second);
}

}  // namespace

std::vector<std::string> normalize(const std::vector<std::string>& output) {
  std::map<std::string, size_t> inos, devs;
  std::vector<std::string> out;
  out.reserve(output.size());
  for (const auto& line : output) {
    if (line.rfind("ok type=0x", 0) == 0) {
      // statfs: the other fields describe each filesystem's own size.
      std::string result = "ok";
      for (const char* key : {" bsize=", " namelen="})
        if (size_t k = line.find(key); k != std::string::npos)
          result += line.substr(k, line.find(' ', k + 1) - k);
      out.push_back(std::move(result));
      continue;
    }
    if (line.rfind("ok type=", 0) != 0) {
      out.push_back(line);
      continue;
    }
    // Stat fields are space separated and never quoted. Inode numbers are keyed by
    // (dev, ino): each filesystem numbers its own inodes.
    std::string dev_value;
    if (size_t d = line.find(" dev="); d != std::string::npos)
      dev_value = line.substr(d + 5, line.find(' ', d + 5) - (d + 5));
    std::string result;
    size_t start = 0;
    while (start <= line.size()) {
      size_t sp = line.find(' ', start);
      if (sp == std::string::npos) sp = line.size();
      std::string_view field(line.data() + start, sp - start);
      if (!result.empty()) result += ' ';
      if (field.rfind("ino=", 0) == 0)
        result += "ino=" + renumber(dev_value + "/" + std::string(field.substr(4)), inos);
      else if (field.rfind("dev=", 0) == 0)
        result += "dev=" + renumber(field.substr(4), devs);
      else
        result += field;
      start = sp + 1;
    }
    out.push_back(std::move(result));
  }
  return out;
}

std::vector<Mismatch> compare_outputs(const std::vector<std::string>& script,
                                      const std::vector<std::string>& rcuvfs,
                                      const std::vector<std::string>& linux_out) {
  auto a = normalize(rcuvfs);
  auto b = normalize(linux_out);
  std::vector<Mismatch> result;
  size_t k = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    if (shell::is_blank_or_comment(script[i])) continue;
    std::string ra = k < a.size() ? a[k] : "<missing>";
    std::string rb = k < b.size() ? b[k] : "<missing>";
    ++k;
    if (shell::Executor::command_of(script[i]) == "stats") continue;
    if (ra != rb) result.push_back({i + 1, script[i], ra, rb});
  }
  if (a.size() > k || b.size() > k)
    result.push_back({script.size(), "<end of script>",
                      std::to_string(a.size()) + " output lines",
                      std::to_string(b.size()) + " output lines"});
  return result;
}

std::string describe(const std::vector<Mismatch>& mismatches, size_t limit) {
  std::string s;
  size_t n = 0;
  for (const auto& m : mismatches) {
    if (n++ == limit) {
      s += "  ... " + std::to_string(mismatches.size() - limit) + " more\n";
      break;
    }
    std::string cmd = m.command.size() > 200
                          ? m.command.substr(0, 200) + "...(" +
                                std::to_string(m.command.size()) + " bytes)"
                          : m.command;
    s += "line " + std::to_string(m.script_line) + ": " + cmd + "\n";
    s += "  rcuvfs: " + m.rcuvfs + "\n";
    s += "  linux:  " + m.linux_out + "\n";
  }
  return s;
}

}  // namespace rcuvfs::oracle
