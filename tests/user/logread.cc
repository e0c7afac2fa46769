// log_read, memory_info and the boot archive's static folio from user mode: every documented
// refusal, then what they report. Handles: 0 the log (write only), 1 a channel, 2 the log
// (read only), 3 the root silo (read), 4 the root silo (manage, not read), 5 a child silo (all
// rights), 6 the boot archive's folio with all rights. Exits 0, or the number of the check
// that failed.
#include <stellina/sysinfo.h>

#include "user_test.h"

using namespace test;

namespace {

// Kernel memory and a page nothing maps: user pointers the kernel must refuse.
const uint64_t kKernelAddress = 0xffff800000000000;
const uint64_t kUnmapped = 0x1000;

bool same_prefix(const char* s, const char* prefix) {
  while (*prefix && *s == *prefix) ++s, ++prefix;
  return *prefix == '\0';
}

bool contains(const char* s, const char* needle) {
  for (; *s; ++s)
    if (same_prefix(s, needle)) return true;
  return false;
}

abi::LogEntry entries[abi::kMaxLogRead + 1];

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 7) return 1;
  const abi::Handle writer = startup.handles[0], channel = startup.handles[1],
                    reader = startup.handles[2], root = startup.handles[3],
                    root_no_read = startup.handles[4], child = startup.handles[5],
                    archive = startup.handles[6];
  uint64_t next = 0;

  // log_read: handles and rights.
  if (sys::log_read(12345, 0, entries, 1, &next) != abi::kErrBadHandle) return 2;
  if (sys::log_read(channel, 0, entries, 1, &next) != abi::kErrWrongType) return 3;
  if (sys::log_read(writer, 0, entries, 1, &next) != abi::kErrAccessDenied) return 4;
  // Arguments.
  if (sys::log_read(reader, 0, entries, abi::kMaxLogRead + 1, &next) != abi::kErrInvalidArgument)
    return 5;
  if (sys::log_read(reader, 0, nullptr, 1, &next) != abi::kErrInvalidArgument) return 6;
  // Pointers.
  auto* kernel = reinterpret_cast<abi::LogEntry*>(kKernelAddress);
  auto* unmapped = reinterpret_cast<abi::LogEntry*>(kUnmapped);
  if (sys::log_read(reader, 0, kernel, 1, &next) != abi::kErrFault) return 7;
  if (sys::log_read(reader, 0, unmapped, 1, &next) != abi::kErrFault) return 8;
  if (sys::log_read(reader, 0, entries, 1, reinterpret_cast<uint64_t*>(kKernelAddress)) !=
      abi::kErrFault)
    return 9;

  // The next sequence number alone, then the record this process writes gets it.
  if (sys::log_read(reader, 0, nullptr, 0, &next) != 0 || next == 0) return 10;
  const uint64_t mine = next;
  log(writer, "log_read marker");
  uint64_t after = 0;
  if (sys::log_read(reader, mine, entries, abi::kMaxLogRead, &after) != 1) return 11;
  if (entries[0].seq != mine || after != mine + 1 || entries[0].level != abi::LogLevel::Info)
    return 12;
  if (!contains(entries[0].text, "[logread] log_read marker") ||
      entries[0].text[entries[0].length] != '\0')
    return 13;
  // Nothing from the future.
  if (sys::log_read(reader, after + 1000, entries, 4, &next) != 0 || next != after) return 14;
  // From the start: the oldest records still held, in order, at most max.
  const int64_t all = sys::log_read(reader, 0, entries, abi::kMaxLogRead, &next);
  // All of them if fewer than max are left from the oldest, else max.
  const uint64_t held = next - entries[0].seq;
  if (all <= 0 || static_cast<uint64_t>(all) != (held < abi::kMaxLogRead ? held : abi::kMaxLogRead))
    return 15;
  for (int64_t i = 1; i < all; ++i)
    if (entries[i].seq != entries[i - 1].seq + 1) return 16;
  if (entries[all].seq != 0) return 17;  // the entry past max is untouched
  // next may be null.
  if (sys::log_read(reader, mine, entries, 1, nullptr) != 1 || entries[0].seq != mine) return 18;

  // memory_info: only the root silo, with kRightRead.
  abi::MemoryInfo info{};
  if (sys::memory_info(12345, &info) != abi::kErrBadHandle) return 20;
  if (sys::memory_info(reader, &info) != abi::kErrWrongType) return 21;
  if (sys::memory_info(root_no_read, &info) != abi::kErrAccessDenied) return 22;
  if (sys::memory_info(child, &info) != abi::kErrAccessDenied) return 23;
  if (sys::memory_info(root, reinterpret_cast<abi::MemoryInfo*>(kKernelAddress)) != abi::kErrFault)
    return 24;
  if (sys::memory_info(root, reinterpret_cast<abi::MemoryInfo*>(kUnmapped)) != abi::kErrFault)
    return 25;
  if (sys::memory_info(root, &info) != abi::kOk) return 26;
  if (info.free_bytes == 0 || info.free_bytes >= info.total_bytes || info.total_bytes % 4096)
    return 27;
  if (info.kernel_heap_bytes == 0 || info.kernel_heap_allocations == 0 ||
      info.kernel_heap_pages_bytes < info.kernel_heap_bytes)
    return 28;

  // The boot archive's folio: readable, never writable, even through a handle with every
  // right.
  uintptr_t mapped = 0;
  if (sys::folio_map(archive, true, &mapped) != abi::kErrAccessDenied) return 30;
  if (sys::folio_map(archive, false, &mapped) != abi::kOk) return 31;
  if (!same_prefix(reinterpret_cast<const char*>(mapped), "STLARCH1")) return 32;
  if (sys::folio_unmap(static_cast<uint64_t>(mapped)) != abi::kOk) return 33;
  log(writer, "logread: all checks passed");
  return 0;
}
