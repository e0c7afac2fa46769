#pragma once
// mmap beyond private anonymous memory (linux_mmap.cc): a file's bytes in private pages, and
// shared anonymous memory that a fork shares rather than copies.

#include <stdint.h>

#include "kernel/address_space.h"
#include "kernel/linux/linux_process.h"

namespace kernel::linux_calls {

// The most a file mapping reads at mmap (its length, pages past the file's end included):
// the bytes are read then, each through a Read request, so the call's cost is bounded.
constexpr uint64_t kMaxFileMapping = uint64_t{16} << 20;
// The most one shared anonymous mapping holds: a folio of that size, allocated at mmap.
constexpr uint64_t kMaxSharedMapping = uint64_t{Folio::kMaxPages} * arch::kPageSize;

// Where a mapping of size bytes goes, for mmap's address and flags: at address for
// MAP_FIXED (whatever was there unmapped) and MAP_FIXED_NOREPLACE (-EEXIST if taken), at the
// hint if free, else the highest free range below LinuxProcess::kMmapTop. Returns the
// address or -errno.
int64_t place_mapping(AddressSpace& as, uint64_t address, uint64_t size, uint64_t flags)
    REQUIRES(sched_lock);

// PROT_* as the address space's region flags.
uint32_t region_flags(uint64_t prot);

// mmap of descriptor fd (not MAP_ANONYMOUS); size page-aligned, offset checked.
int64_t map_file(LinuxProcess& lp, uint64_t address, uint64_t size, uint64_t prot, uint64_t flags,
                 uint64_t fd, uint64_t offset);
// MAP_SHARED | MAP_ANONYMOUS; size page-aligned.
int64_t map_shared_anonymous(uint64_t address, uint64_t size, uint64_t prot, uint64_t flags);

}  // namespace kernel::linux_calls
