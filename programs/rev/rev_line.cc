#include "programs/rev/rev_line.h"

namespace text {

void reverse_bytes(char* data, size_t size) {
  for (size_t i = 0, j = size; i + 1 < j; ++i, --j) {
    const char t = data[i];
    data[i] = data[j - 1];
    data[j - 1] = t;
  }
}

}  // namespace text
