// Syscalls on the kernel log: write a record, read the records.

#include <stellina/sysinfo.h>
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/log_object.h"
#include "kernel/syscall.h"

namespace kernel {

namespace abi = stellina::abi;

static_assert(lib::LogRecord::kMaxText == abi::kLogTextSize, "one record size in lib and ABI");
static_assert(static_cast<uint8_t>(lib::LogLevel::Error) ==
              static_cast<uint8_t>(abi::LogLevel::Error));

int64_t sys_log_write(SyscallArgs a) {
  constexpr size_t kMax = 255;
  if (a[2] > kMax) return abi::kErrTooLarge;
  char text[kMax + 1];
  TRY_STATUS(copy_in(text, a[1], a[2]));
  text[a[2]] = '\0';
  {
    SpinlockGuard guard(sched_lock);
    auto log = current_process().handles().get<LogObject>(handle_arg(a[0]), abi::kRightWrite);
    if (!log.ok()) return to_status(log.error());
  }
  log_info("[{}] {}", current_process().name(), text);
  return abi::kOk;
}

int64_t sys_log_read(SyscallArgs a) {
  const uint64_t from = a[1], out = a[2], max = a[3], next_out = a[4];
  if (max > abi::kMaxLogRead || (max && !out)) return abi::kErrInvalidArgument;
  {
    SpinlockGuard guard(sched_lock);
    auto log = current_process().handles().get<LogObject>(handle_arg(a[0]), abi::kRightRead);
    if (!log.ok()) return to_status(log.error());
  }
  // A few records at a time: the kernel stack has no room for kMaxLogRead of them. Records
  // written meanwhile may push older ones out; the next chunk then starts at the oldest left.
  constexpr size_t kChunk = 8;
  lib::LogRecord chunk[kChunk];
  uint64_t seq = from, next = 0;
  size_t copied = 0;
  for (;;) {
    const size_t want = max - copied < kChunk ? max - copied : kChunk;
    const size_t got = log_read(seq, chunk, want, &next);
    for (size_t i = 0; i < got; ++i) {
      abi::LogEntry entry{};
      entry.seq = chunk[i].seq;
      entry.time_ns = chunk[i].time_ns;
      entry.level = static_cast<abi::LogLevel>(chunk[i].level);
      entry.length = chunk[i].length;
      __builtin_memcpy(entry.text, chunk[i].text, sizeof(entry.text));
      TRY_STATUS(copy_out(out + (copied + i) * sizeof(entry), &entry, sizeof(entry)));
    }
    copied += got;
    if (got < want || copied == max) break;
    seq = chunk[got - 1].seq + 1;
  }
  if (next_out) TRY_STATUS(copy_out(next_out, &next, sizeof(next)));
  return static_cast<int64_t>(copied);
}

}  // namespace kernel
