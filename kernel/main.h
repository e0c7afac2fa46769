#pragma once
// What runs once the kernel is up: defined once by each kernel binary (main_normal.cc for
// stellina.elf, ktest/main_test.cc for stellina-test.elf).

#include "kernel/boot_info.h"

namespace kernel {

[[noreturn]] void kernel_main(const BootInfo& boot);

}  // namespace kernel
