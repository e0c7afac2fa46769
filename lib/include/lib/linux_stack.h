#pragma once
// The initial stack of a Linux x86_64 process, as the kernel's execve leaves it (System V
// x86_64 psABI, 3.4.1, and Linux's fs/binfmt_elf.c layout), laid out into a buffer that the
// caller then maps so that its last byte is just below `top`:
//
//   top ->  the execfn string (AT_EXECFN points here)
//           the argument and environment strings, NUL-terminated
//           16 random bytes (AT_RANDOM)
//           padding to 16 bytes
//           auxv: (type, value) pairs, ending with AT_NULL
//           NULL, envp[envc - 1] ... envp[0]
//           NULL, argv[argc - 1] ... argv[0]
//   rsp ->  argc                                 (rsp is 16-byte aligned)
//
// Pure computation over caller-given bytes: it compiles on the host and never allocates.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib {

// Auxiliary vector types (Linux include/uapi/linux/auxvec.h).
enum LinuxAuxType : uint64_t {
  kAtNull = 0,
  kAtPhdr = 3,
  kAtPhent = 4,
  kAtPhnum = 5,
  kAtPagesz = 6,
  kAtEntry = 9,
  kAtUid = 11,
  kAtEuid = 12,
  kAtGid = 13,
  kAtEgid = 14,
  kAtHwcap = 16,
  kAtClktck = 17,
  kAtSecure = 23,
  kAtRandom = 25,
  kAtExecfn = 31,
};

struct LinuxAux {
  uint64_t type;
  uint64_t value;
};

struct LinuxStackInput {
  // argc + envc NUL-terminated strings, the arguments first, in strings_size bytes.
  const char* strings;
  size_t strings_size;
  uint32_t argc;
  uint32_t envc;
  const char* execfn;     // NUL-terminated; AT_EXECFN
  const uint8_t* random;  // 16 bytes; AT_RANDOM
  // Entries besides AT_RANDOM, AT_EXECFN and AT_NULL, which the builder adds.
  const LinuxAux* aux;
  size_t aux_count;
};

// Limits of what build_linux_stack accepts.
constexpr uint32_t kLinuxMaxArgs = 256;
constexpr uint32_t kLinuxMaxEnv = 256;
constexpr size_t kLinuxMaxAux = 24;
constexpr size_t kLinuxMaxExecfn = 256;  // bytes, its NUL included

// Lays the stack out in [buffer, buffer + size), to be mapped at [top - size, top); top must
// be 16-byte aligned. Returns the initial stack pointer (between top - size and top).
// Errors: InvalidArgument (argc 0 or over kLinuxMaxArgs, envc over kLinuxMaxEnv, strings
// that are not exactly argc + envc NUL-terminated strings, an execfn without its NUL within
// kLinuxMaxExecfn, more than kLinuxMaxAux entries, top unaligned), TooLarge (it does not
// fit in size bytes).
Result<uint64_t> build_linux_stack(const LinuxStackInput& in, uint64_t top, uint8_t* buffer,
                                   size_t size);

}  // namespace lib
