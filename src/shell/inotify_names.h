// inotify mask names for the shell's `watch` and `events` (protocol: docs/shell-protocol.md):
// the IN_* names without the prefix, lowercase in commands, uppercase in answers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rcuvfs::shell {

// "create,delete,..." or "all" (IN_ALL_EVENTS), with the flags oneshot, onlydir,
// dont_follow, excl_unlink, mask_add, mask_create. nullopt for an unknown name.
std::optional<uint32_t> parse_inotify_mask(std::string_view s);

// "CREATE|ISDIR": the names of the bits of an event's mask, lowest bit first; a bit
// without a name as 0xHEX.
std::string inotify_mask_names(uint32_t mask);

}  // namespace rcuvfs::shell
