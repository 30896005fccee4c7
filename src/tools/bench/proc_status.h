// Figures of this process and of the kernel read from /proc.
#pragma once

#include <cstdint>
#include <string_view>

namespace rcuvfs::tools::bench {

// A "Key:  1234 kB" line of a /proc file, in bytes (0 when it is missing).
int64_t proc_kb_field(const char* file, std::string_view key);
// This process's resident set, and its peak.
inline int64_t vm_rss() { return proc_kb_field("/proc/self/status", "VmRSS"); }
inline int64_t vm_hwm() { return proc_kb_field("/proc/self/status", "VmHWM"); }
// The kernel's slab: its dentries and inodes among the rest.
inline int64_t kernel_slab() { return proc_kb_field("/proc/meminfo", "Slab"); }
// Descriptors this process has open.
int open_descriptors();

}  // namespace rcuvfs::tools::bench
