#pragma once
// Constants shared by the boot assembly, the linker script and C++.

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_PHYS 0x200000
#define BOOT_PROTOCOL_PVH 1
#define BOOT_PROTOCOL_MULTIBOOT2 2
