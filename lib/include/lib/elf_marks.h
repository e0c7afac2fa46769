#pragma once
// Whether an ELF image is a Linux program's: ELFOSABI_GNU, or a PT_INTERP, PT_NOTE, PT_TLS
// or PT_GNU_STACK header among the program headers within its first size bytes. Stellina's
// programs have none of them (the SDK's linker script keeps PT_LOAD segments only): the
// shell (stellina::is_linux_image) and Linux's exec in the kernel tell the two apart by it.
// Header-only, so that the kernel and every user program share it without linking more.

#include <cstddef>
#include <cstdint>

namespace lib {

inline bool is_linux_elf(const uint8_t* b, size_t size) {
  if (size < 64 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') return false;
  constexpr uint8_t kOsabiGnu = 3;
  if (b[7] == kOsabiGnu) return true;
  uint64_t phoff = 0;
  uint16_t phentsize = 0, phnum = 0;
  __builtin_memcpy(&phoff, b + 32, sizeof(phoff));
  __builtin_memcpy(&phentsize, b + 54, sizeof(phentsize));
  __builtin_memcpy(&phnum, b + 56, sizeof(phnum));
  if (phentsize < 4) return false;
  for (uint64_t i = 0; i < phnum; ++i) {
    // Overflow-safe: a header's offset comes from the file.
    if (phoff > size || i * phentsize > size - phoff) break;
    const uint64_t at = phoff + i * phentsize;
    if (size - at < 4) break;
    uint32_t type = 0;
    __builtin_memcpy(&type, b + at, sizeof(type));
    constexpr uint32_t kInterp = 3, kNote = 4, kTls = 7, kGnuStack = 0x6474e551;
    if (type == kInterp || type == kNote || type == kTls || type == kGnuStack) return true;
  }
  return false;
}

}  // namespace lib
