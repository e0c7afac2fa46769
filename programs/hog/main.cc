// hog: touches 4 MiB of demand-zero memory a page at a time. In a silo smaller than that,
// the kernel ends it (ExitReason::QuotaExceeded, "memory quota") at the first page it
// cannot charge.
#include <stellina/program_main.h>

namespace {

constexpr size_t kBytes = size_t{4} << 20;
uint8_t memory[kBytes];

}  // namespace

int64_t program_main(stellina::ProgramEnv& p) {
  for (size_t at = 0; at < kBytes; at += 4096) reinterpret_cast<volatile uint8_t*>(memory)[at] = 1;
  stellina::ignore(p.out().write("hog: touched 4 MiB\n"), "the exit code says it too");
  return 0;
}
