#pragma once
// Physical memory: a buddy allocator over every usable page the boot loader reported, minus
// the kernel image, boot modules and the first 64 KiB.

#include <cstddef>
#include <cstdint>

#include <lib/buddy.h>
#include <lib/result.h>

namespace kernel {
struct BootInfo;
}

namespace kernel::pmm {

void init(const BootInfo& info);

// The tag is kept with the block (see lib::BuddyAllocator); 0 for plain kernel use.
lib::Result<uintptr_t> alloc_pages(unsigned order, uint8_t tag = 0);
lib::Result<uintptr_t> alloc_page();
lib::Result<uintptr_t> alloc_zeroed_page();
// Refuses (InvalidArgument) an address that is not the start of an allocated block.
lib::Result<void> free_pages(uintptr_t phys);
// Frees a page a user process could execute, zeroed first. Under TCG, QEMU keeps the code it
// translated from a page until a write hits the bytes it came from; a kernel stack or heap
// block that reuses the page and writes elsewhere in it would leave them there, and then
// every write to the page takes QEMU's slow path (docs/ipc.md: a kernel-to-kernel call went
// from 2.3 to 43 µs with a kernel stack on such a page). Zeroing every byte drops them.
lib::Result<void> free_code_page(uintptr_t phys);
lib::Result<lib::BuddyAllocator::Block> block(uintptr_t phys);

size_t free_page_count();
size_t total_page_count();

}  // namespace kernel::pmm
