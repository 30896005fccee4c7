// RCUVFS_TSAN and RCUVFS_ASAN: defined (as 1) when the translation unit is compiled
// with ThreadSanitizer or AddressSanitizer, from the compiler's own flags rather than
// a build-system define, so that the library, its tests and programs built against
// the installed headers all agree on them. A few layouts depend on them (RcuHead keeps
// a third word under TSan, see rcu.h; ObjectCache hands out malloc's objects under
// either, so that the sanitizer sees lifetimes); a whole program is built with one
// setting, as the sanitizers require anyway. (g++ defines __SANITIZE_*__; clang before
// 15 only answers __has_feature.)
#pragma once

#if defined(__SANITIZE_THREAD__)
#define RCUVFS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RCUVFS_TSAN 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define RCUVFS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RCUVFS_ASAN 1
#endif
#endif
