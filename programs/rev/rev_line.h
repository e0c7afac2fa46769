#pragma once
// rev's one operation: a line's bytes in reverse order (the C locale: bytes are characters).

#include <stddef.h>

namespace text {

void reverse_bytes(char* data, size_t size);

}  // namespace text
