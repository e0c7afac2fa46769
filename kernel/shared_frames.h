#pragma once
// Frames that more than one address space maps: a fork's pages, shared read-only until one
// side writes (copy-on-write, AddressSpace::clone_for_fork and handle_fault). A frame not in
// the table has one owner, which frees it when it unmaps it; a frame in it counts its
// mappings, and only the last one to go frees it (release_user_frame, kernel/arch_hooks.h).
// The table holds kCapacity frames at most, and grows from the heap only in share (a fork;
// never on the fault path): when it is full, or the heap has no room for it to grow, a fork
// copies the pages it could not share.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace kernel::shared_frames {

constexpr size_t kCapacity = 16384;

// One more mapping of phys (the first sharing makes it two). Errors: NoResources (full).
lib::Result<void> share(uintptr_t phys);
// Whether more than one mapping of phys exists.
bool shared(uintptr_t phys);
// One mapping of phys goes. Returns true when it was the only one (the caller frees the
// frame).
bool unshare(uintptr_t phys);
// Frames shared now.
size_t count();

}  // namespace kernel::shared_frames
