#pragma once
// Where things live in the x86_64 address spaces (4-level paging, 48-bit virtual addresses),
// and the PC's fixed physical addresses; included by kernel/arch.h. See docs/architecture.md for
// the whole map.

#include <cstdint>

namespace arch {

// Kernel virtual regions handed out by generic code.
constexpr uintptr_t kStackRegionBase = 0xffffa00000000000;
constexpr uintptr_t kStackRegionSize = uintptr_t{1} << 32;
constexpr uintptr_t kTestRegionBase = 0xffffb00000000000;
// Where the folios of components built into the kernel are mapped (kernel/kernel_folios.h).
constexpr uintptr_t kFolioRegionBase = 0xffffd00000000000;
constexpr uintptr_t kFolioRegionSize = uintptr_t{1} << 36;

// User address spaces are the lower half: the canonical addresses below bit 47.
constexpr uintptr_t kUserTop = uintptr_t{1} << 47;

// The one-byte instruction that returns from a call (ret), for probe_execute's callers.
constexpr uint8_t kReturnInstruction = 0xc3;

// Where a PC's interrupt controllers are when no firmware table says: the local APIC, and
// one I/O APIC serving GSIs from 0.
constexpr uint64_t kDefaultLapicPhys = 0xfee00000;
constexpr uint64_t kDefaultIoApicPhys = 0xfec00000;

}  // namespace arch
