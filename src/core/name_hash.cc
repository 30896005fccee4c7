// The general case of hash_component (core/dentry.h): components of 8 bytes or more,
// and short strings with no word readable at them.
#include "core/dentry.h"

namespace rcuvfs::core {

Component hash_component_loop(const char* p, size_t n, const char* lo) {
  uint64_t h = kHashSeed, w0 = 0;
  size_t i = 0;
  if (n < 8 && p + n - lo < 8) {
    uint64_t w = 0;
    for (; i < n && p[i] != '/'; ++i) w |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    if (i) h = hash_mix(h, w);
    w0 = w;
  } else {
    for (;;) {
      const size_t avail = n - i;  // >= 1
      const uint64_t w = avail >= 8 ? load_word(p + i) : load_word(p + n - 8) >> (8 * (8 - avail));
      if (const uint64_t m = slash_bits(w)) {
        const unsigned k = static_cast<unsigned>(__builtin_ctzll(m)) >> 3;  // bytes before '/'
        if (k) {
          const uint64_t part = w & (~uint64_t{0} >> (64 - 8 * k));
          h = hash_mix(h, part);
          if (i == 0) w0 = part;
          i += k;
        }
        break;
      }
      h = hash_mix(h, w);
      if (i == 0) w0 = w;
      if (avail <= 8) {
        i += avail;
        break;
      }
      i += 8;
    }
  }
  return {(uint64_t{i} << 32) | hash_fold(h), w0};
}

}  // namespace rcuvfs::core
