// The shell's memory in the host tests: the C heap.

#include <cstdlib>

#include "programs/sh/memory.h"

namespace stellina::sh {

void* sh_allocate(size_t size) { return std::calloc(1, size ? size : 1); }
void sh_free(void* p) { std::free(p); }

}  // namespace stellina::sh
