#pragma once
// The table of components built into the kernel (isolation = kernel): each registers its
// name and entry in the .kcomponents section; the kernel starts them as kernel threads.

#include <stdint.h>

#include <stellina/startup.h>

namespace stellina {

struct KernelComponent {
  const char* name;
  int64_t (*run)(const abi::StartupBlock& startup);
};

}  // namespace stellina
