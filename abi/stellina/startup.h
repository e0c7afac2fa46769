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

// A component's config: its spec's [config] fields with the values of the system's manifest
// (tools/speccc), so a system can set what its components' specs allow without rebuilding
// them. The startup server queues it on the component's startup channel before the component
// runs, ahead of anything else, when the spec has a [config]: a Data message of kConfigMagic
// (with its NUL), then for each field its name, a NUL, its value as text (integers in
// decimal, booleans "true" or "false"), a NUL; kMaxConfigMessage bytes at most (a component
// whose config does not fit is not started). The SDK reads it before on_start
// (stellina::load_config).
inline constexpr char kConfigMagic[] = "config";
inline constexpr uint32_t kMaxConfigMessage = 1024;

}  // namespace stellina::abi
