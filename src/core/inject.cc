#include "core/inject.h"

namespace rcuvfs::core {

std::atomic<unsigned> g_inject{0};
std::atomic<SpecHook> g_spec_hook{nullptr};

void set_inject(unsigned bugs) { g_inject.store(bugs); }
void set_speculation_hook(SpecHook hook) { g_spec_hook.store(hook); }

}  // namespace rcuvfs::core
