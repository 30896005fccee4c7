// The spin-wait hint for the short spins of sequence counters and bit locks: it lets a
// sibling hyperthread run and saves power while the holder finishes.
#pragma once

namespace rcuvfs {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  asm volatile("" ::: "memory");
#endif
}

}  // namespace rcuvfs
