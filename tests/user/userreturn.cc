// Returns to user mode that the CPU would refuse, chosen by the number in the first message
// on handle 1. Its last page of code ends at the canonical hole (top_page.ld), with
// `jmp .` and then `syscall` as its last four bytes.
//   1 runs the syscall there: the kernel's return address is the first non-canonical one.
//   2 makes a syscall with the stack pointer above user space, 3 with it in the kernel half,
//     then puts its own back and exits with 0: the stack pointer is the user's business.
//   4 starts a thread on the last byte below the hole: its instruction runs into the hole.
//   5 asks thread_create for entries and stacks outside user space: each must be refused
//     (exit code 0 when all are, else the number of the first that was not).
//   6 spins a thread on the `jmp .` at the top for a while, through timer interrupts that
//     return there, then exits with 0.
// In modes 1 and 4 the kernel must kill the process (reason Fault) and go on.
#include "user_test.h"

using namespace test;

asm(R"(
  .pushsection .top_page, "ax"
  .fill 4092, 1, 0xcc
  jmp .
  syscall
  .popsection
)");

namespace {

constexpr uint64_t kUserTop = uint64_t{1} << 47;
constexpr uint64_t kTopSpin = kUserTop - 4;
constexpr uint64_t kTopSyscall = kUserTop - 2;
constexpr uint64_t kKernelHalf = 0xffff800000000000;

alignas(16) uint8_t thread_stack[16384];
void* stack_top() { return thread_stack + sizeof(thread_stack); }

[[noreturn]] void syscall_at_the_top() {
  asm volatile("jmp *%1" ::"a"(abi::kSysClockNow), "r"(kTopSyscall));
  __builtin_unreachable();
}

// clock_now with rsp at `stack`, never used before it is put back.
void syscall_with_stack(uint64_t stack) {
  uint64_t rax = abi::kSysClockNow;
  asm volatile(
      "mov %%rsp, %%rbx\n"
      "mov %1, %%rsp\n"
      "syscall\n"
      "mov %%rbx, %%rsp\n"
      : "+a"(rax)
      : "r"(stack)
      : "rbx", "rcx", "r11", "memory");
}

int64_t refusals() {
  struct Case {
    uint64_t entry, stack;
  } cases[] = {{kUserTop, 0},  // entry: the first non-canonical address
               {kKernelHalf, 0},
               {0xffffffff80001000, 0},
               {0, kUserTop + 16},  // stacks: above user space
               {0, kKernelHalf}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    const uint64_t entry = cases[i].entry ? cases[i].entry : kTopSpin;
    void* stack = cases[i].stack ? reinterpret_cast<void*>(cases[i].stack) : stack_top();
    if (sys::thread_create(reinterpret_cast<abi::ThreadEntry>(entry), stack, 0) !=
        abi::kErrInvalidArgument)
      return static_cast<int64_t>(i) + 1;
  }
  return 0;
}

// Starts a thread at pc; returns its handle.
int64_t thread_at(uint64_t pc) {
  return sys::thread_create(reinterpret_cast<abi::ThreadEntry>(pc), stack_top(), 0);
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count < 2) return 101;
  uint64_t mode = 0;
  abi::MessageBuffer m = data_message(&mode, sizeof(mode));
  if (receive(startup.handles[1], m) < 0) return 102;
  switch (mode) {
    case 1: syscall_at_the_top();
    case 2: syscall_with_stack(kUserTop + 4096); return 0;
    case 3: syscall_with_stack(kKernelHalf); return 0;
    case 4: {
      const int64_t h = thread_at(kUserTop - 1);
      if (h < 0) return 103;
      sys::object_wait(static_cast<abi::Handle>(h), abi::kSignalTerminated);
      break;
    }
    case 5: return refusals();
    case 6: {
      if (thread_at(kTopSpin) < 0) return 104;
      sys::object_wait(startup.handles[1], abi::kSignalReadable, sys::clock_now() + 50'000'000);
      return 0;
    }
    default: return 105;
  }
  return 106;  // survived: the test fails on this exit code
}
