#pragma once
// The memory the fuzz targets give the TCP engine: the process heap (ASan watches it).
#include <cstdlib>

#include "servers/tcpip/stack/tcp_memory.h"

namespace fuzz {

class HeapMemory final : public tcpip::TcpMemory {
 public:
  void* allocate(size_t size) override { return std::malloc(size); }
  void release(void* block, size_t) override { std::free(block); }
};

}  // namespace fuzz
