#pragma once
// Facts about this kernel binary that differ between the normal and the test build.

#include <cstdint>

namespace kernel::build {

// True in stellina-test.elf: a fatal error exits QEMU with kExitFailure instead of halting.
extern const bool kTestBuild;

// Status values for the isa-debug-exit device (QEMU exits with 2 * value + 1).
constexpr uint8_t kExitSuccess = 0x10;  // QEMU exit status 33
constexpr uint8_t kExitFailure = 0x11;  // QEMU exit status 35

}  // namespace kernel::build
