#pragma once
// Memory a component takes while it runs: whole pages, zeroed, charged to its silo, the same
// in every isolation (a folio, mapped writable: in the process's own address space in user
// mode, in the kernel's folio region inside the kernel). A component's large tables come from
// here when it starts, so the kernel image never carries them.

#include <stddef.h>

#include <new>

#include <stellina/result.h>

namespace stellina {

// size bytes (rounded up to whole pages, at most 16 MiB), zeroed. Errors: kErrQuotaExceeded
// (the silo's memory), kErrNoMemory, kErrNoResources (too many mappings), kErrInvalidArgument
// (0 or too large).
Result<void*> allocate_pages(size_t size);
// Gives back what allocate_pages returned. Errors: kErrNotFound (not such an address).
Result<void> free_pages(void* address);

// A T made in pages from allocate_pages, which come zeroed: T's constructor runs on zeroes,
// and a member it does not set stays 0. (Default-initialized, not value-initialized: T()
// would write every byte again, touching every page of a table used in part.) It lives
// until the process ends or free_pages(address).
template <typename T>
Result<T*> allocate_object() {
  void* memory = TRY(allocate_pages(sizeof(T)));
  return new (memory) T;
}

}  // namespace stellina
