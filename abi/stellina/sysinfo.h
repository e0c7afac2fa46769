#pragma once
// What the kernel reports about itself to a holder of the right handle: the records of its
// log (log_read, kRightRead on the Log) and the machine's memory (memory_info, kRightRead
// on the root silo), and what the holder of the root silo may do to the machine as a whole
// (system_power, kRightManage on the root silo).

#include <stdint.h>

namespace stellina::abi {

// system_power's actions.
constexpr uint32_t kPowerOff = 0;    // ACPI S5 (halts if the machine will not turn off)
constexpr uint32_t kPowerReset = 1;  // the ACPI reset register, else the CPU's own reset

// Records one log_read copies at most.
constexpr uint32_t kMaxLogRead = 64;
constexpr uint32_t kLogTextSize = 128;  // text bytes of a record, its NUL included

enum class LogLevel : uint8_t { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// One record of the kernel log, as the console prints it: "[SECONDS.MICROS] LEVEL: TEXT".
// Records written through log_write have TEXT "[process name] text".
struct LogEntry {
  uint64_t seq;      // its sequence number: every record gets the next one, from 0 at boot
  uint64_t time_ns;  // when it was written, on the monotonic clock (clock_now)
  LogLevel level;
  uint8_t length;  // bytes of text before the NUL (at most kLogTextSize - 1: longer is cut)
  uint8_t reserved[6];
  char text[kLogTextSize];  // NUL-terminated
};
static_assert(sizeof(LogEntry) == 152);

// The machine's memory, in bytes.
struct MemoryInfo {
  uint64_t total_bytes;        // usable RAM the physical allocator manages (less the kernel image,
                               // the boot modules and the first MiB)
  uint64_t free_bytes;         // free physical memory now
  uint64_t kernel_heap_bytes;  // the kernel heap's live allocations (size classes)
  uint64_t kernel_heap_allocations;  // how many there are
  uint64_t kernel_heap_pages_bytes;  // pages the heap holds (slabs and large blocks)
};

}  // namespace stellina::abi
