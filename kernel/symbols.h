#pragma once
// The kernel's own symbol table, embedded at build time (tools/gen_ksyms.py), for
// symbolized backtraces.

#include <cstddef>
#include <cstdint>

namespace kernel::symbols {

struct Symbol {
  const char* name;
  uintptr_t address;
  size_t offset;  // of the looked-up address from the symbol's start
};

// The function containing addr; name is null if none.
Symbol lookup(uintptr_t addr);
size_t count();

// Prints a backtrace line for each address.
void print_backtrace(const uintptr_t* frames, size_t n);

}  // namespace kernel::symbols
