#include "kernel/symbols.h"

#include "kernel/log.h"

// NOLINTBEGIN(readability-identifier-naming): linker-script symbols
extern "C" const uint8_t ksyms_blob[];
// NOLINTEND(readability-identifier-naming)

namespace kernel::symbols {
namespace {

// Layout written by tools/gen_ksyms.py: header, entries sorted by address, string table.
struct Header {
  uint32_t magic;  // "KSYM"
  uint32_t count;
};
struct Entry {
  uint64_t address;
  uint32_t size;
  uint32_t name_offset;  // from the start of the string table
};
constexpr uint32_t kMagic = 0x4d59534b;

const Header* header() { return reinterpret_cast<const Header*>(ksyms_blob); }
const Entry* entries() { return reinterpret_cast<const Entry*>(ksyms_blob + sizeof(Header)); }
const char* strings() { return reinterpret_cast<const char*>(entries() + header()->count); }

}  // namespace

size_t count() { return header()->magic == kMagic ? header()->count : 0; }

Symbol lookup(uintptr_t addr) {
  const size_t n = count();
  size_t lo = 0, hi = n;  // find the last entry with address <= addr
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (entries()[mid].address <= addr) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == 0) return {nullptr, 0, 0};
  const Entry& e = entries()[lo - 1];
  if (e.size && addr >= e.address + e.size) return {nullptr, 0, 0};
  return {strings() + e.name_offset, e.address, addr - e.address};
}

void print_backtrace(const uintptr_t* frames, size_t n) {
  log_error("backtrace:");
  for (size_t i = 0, shown = 0; i < n; ++i, ++shown) {
    size_t repeats = 0;
    while (i + 1 < n && frames[i + 1] == frames[i]) ++i, ++repeats;
    // Frames after the first are return addresses: look up the call instruction before
    // them (a call to a noreturn function may be the last instruction of its caller).
    const uintptr_t where = i == 0 ? frames[i] : frames[i] - 1;
    const Symbol s = lookup(where);
    if (s.name) {
      log_error("  #{} {:#018x} {}+{:#x}", shown, frames[i], s.name, frames[i] - s.address);
    } else {
      log_error("  #{} {:#018x} ?", shown, frames[i]);
    }
    if (repeats) log_error("  ... the same frame {} more times", repeats);
  }
}

}  // namespace kernel::symbols
