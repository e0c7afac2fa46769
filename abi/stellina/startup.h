#pragma once
// What a new process finds at start: the address of a StartupBlock in the first argument
// register (rdi), describing the handles its creator gave it, in the creator's order.

#include <stdint.h>

#include <stellina/types.h>

namespace stellina::abi {

constexpr uint32_t kMaxStartupHandles = 16;

struct StartupBlock {
  uint32_t handle_count;
  uint32_t reserved;
  Handle handles[kMaxStartupHandles];
};

}  // namespace stellina::abi
