#include "tools/size_option.h"

#include <rcuvfs/fs/options.h>

#include <string>

namespace rcuvfs::tools {

void add_cache_option(CLI::App* sub, uint64_t& bytes, const std::string& default_text) {
  sub->add_option("--cache", bytes,
                  "The dentry cache's budget for the namespace: bytes, or with a suffix k, "
                  "m, g, t, p or e (default " + default_text + ")")
      ->transform(CLI::Validator(
          [](std::string& s) -> std::string {
            auto v = parse_size(s);
            if (!v.ok()) return "bad size '" + s + "' (bytes, or with a suffix k, m, g, t, p or e)";
            s = std::to_string(*v);
            return "";
          },
          "SIZE"));
}

}  // namespace rcuvfs::tools
