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

lib::Result<void> sys_log_write(Handle log, UserIn<char> text, uint64_t size) {
  constexpr size_t kMax = 255;
  if (size > kMax) return lib::Error::TooLarge;
  char copy[kMax + 1];
  TRY(text.read(copy, size));
  copy[size] = '\0';
  uint64_t unreported = 0;
  {
    SpinlockGuard guard(sched_lock);
    TRY(current_process().handles().get<LogObject>(log, abi::kRightWrite));
    if (!current_process().may_log(arch::now_ns(), &unreported)) {
      log_count_rate_limited();
      return {};  // over its rate: dropped, counted, told with its next record
    }
  }
  if (unreported != 0)
    log_warn("[{}] {} records dropped (over its log rate)", current_process().name(), unreported);
  log_info("[{}] {}", current_process().name(), copy);
  return {};
}

lib::Result<uint64_t> sys_log_read(Handle log, uint64_t from, UserOut<abi::LogEntry> out,
                                   uint64_t max, UserOut<uint64_t> next_out) {
  if (max > abi::kMaxLogRead || (max && out.null())) return lib::Error::InvalidArgument;
  {
    SpinlockGuard guard(sched_lock);
    TRY(current_process().handles().get<LogObject>(log, abi::kRightRead));
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
      TRY((out + copied + i).write(&entry));
    }
    copied += got;
    if (got < want || copied == max) break;
    seq = chunk[got - 1].seq + 1;
  }
  if (!next_out.null()) TRY(next_out.write(&next));
  return copied;
}

}  // namespace kernel
