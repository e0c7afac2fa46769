#include <lib/linux_stack.h>

namespace lib {

namespace {

constexpr size_t kRandomBytes = 16;

// Whether strings holds exactly count NUL-terminated strings.
bool counted_strings(const char* strings, size_t size, size_t count) {
  size_t found = 0;
  for (size_t i = 0; i < size; ++i)
    if (strings[i] == '\0') ++found;
  return found == count && (size == 0 || strings[size - 1] == '\0');
}

size_t bounded_length(const char* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n] != '\0') ++n;
  return n;
}

// Writes into the buffer as if it were the memory [top - size, top).
class StackWriter {
 public:
  StackWriter(uint8_t* buffer, size_t size, uint64_t top)
      : buffer_(buffer), size_(size), top_(top) {}
  uint64_t address_of(size_t offset) const { return top_ - size_ + offset; }
  void put_bytes(uint64_t at, const void* bytes, size_t n) {
    __builtin_memcpy(buffer_ + (at - (top_ - size_)), bytes, n);
  }
  void put_word(uint64_t at, uint64_t value) {
    for (size_t k = 0; k < 8; ++k) buffer_[at - (top_ - size_) + k] = uint8_t(value >> (8 * k));
  }

 private:
  uint8_t* buffer_;
  size_t size_;
  uint64_t top_;
};

}  // namespace

Result<uint64_t> build_linux_stack(const LinuxStackInput& in, uint64_t top, uint8_t* buffer,
                                   size_t size) {
  if (in.argc == 0 || in.argc > kLinuxMaxArgs || in.envc > kLinuxMaxEnv ||
      in.aux_count > kLinuxMaxAux || (top & 15) != 0)
    return Error::InvalidArgument;
  if (!counted_strings(in.strings, in.strings_size, size_t{in.argc} + in.envc))
    return Error::InvalidArgument;
  const size_t execfn_size = bounded_length(in.execfn, kLinuxMaxExecfn) + 1;
  if (execfn_size > kLinuxMaxExecfn) return Error::InvalidArgument;

  // Sizes first, so nothing is written unless it all fits.
  const size_t words = 1 + (in.argc + 1) + (in.envc + 1) + 2 * (in.aux_count + 3);
  const size_t bytes_above = execfn_size + in.strings_size + kRandomBytes;
  const size_t need = ((bytes_above + 15) & ~size_t{15}) + words * 8 + 16;
  if (need > size || top < size) return Error::TooLarge;

  StackWriter stack(buffer, size, top);
  __builtin_memset(buffer, 0, size);
  const uint64_t execfn_at = top - execfn_size;
  stack.put_bytes(execfn_at, in.execfn, execfn_size - 1);
  const uint64_t strings_at = execfn_at - in.strings_size;
  stack.put_bytes(strings_at, in.strings, in.strings_size);
  const uint64_t random_at = strings_at - kRandomBytes;
  stack.put_bytes(random_at, in.random, kRandomBytes);
  const uint64_t rsp = ((random_at - words * 8) & ~uint64_t{15});

  uint64_t at = rsp;
  auto push = [&](uint64_t word) {
    stack.put_word(at, word);
    at += 8;
  };
  push(in.argc);
  uint64_t next_string = strings_at;
  for (uint32_t i = 0; i < in.argc + in.envc; ++i) {
    if (i == in.argc) push(0);  // the end of argv
    push(next_string);
    next_string += bounded_length(in.strings + (next_string - strings_at), in.strings_size) + 1;
  }
  if (in.envc == 0) push(0);  // argv's end when no environment string followed
  push(0);                    // the end of envp
  for (size_t i = 0; i < in.aux_count; ++i) {
    push(in.aux[i].type);
    push(in.aux[i].value);
  }
  push(kAtRandom);
  push(random_at);
  push(kAtExecfn);
  push(execfn_at);
  push(kAtNull);
  push(0);
  return rsp;
}

}  // namespace lib
