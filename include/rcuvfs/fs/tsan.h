// RCUVFS_TSAN: defined (as 1) when the translation unit is compiled with
// ThreadSanitizer, from the compiler's own flag rather than a build-system define, so
// that the library, its tests and programs built against the installed headers all
// agree on it. A few layouts depend on it (RcuHead keeps a third word under TSan, see
// rcu.h); a whole program is built with one setting, as TSan requires anyway.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define RCUVFS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RCUVFS_TSAN 1
#endif
#endif
