// The `--cache SIZE` option of the subcommands that make a namespace.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace rcuvfs::tools {

// Adds `--cache SIZE` to `sub`: the namespace's dentry cache budget, in bytes or with a
// suffix as mount options write sizes (Linux's memparse: 64m, 1g), stored in `bytes`
// (left alone when the option is absent, whose meaning `default_text` tells).
void add_cache_option(CLI::App* sub, uint64_t& bytes,
                      const std::string& default_text = "256m");

}  // namespace rcuvfs::tools
