#pragma once
// printf(1)'s work, as POSIX and GNU printf do it, in plain code that builds on the host
// (tests/unit/cmd/util_printf_test.cc): the format applied to the arguments, then again while
// arguments are left; escapes in the format and in %b's arguments; numeric arguments as C
// constants ('c for a character's code, 0x1f, 017).

#include <stddef.h>
#include <stdint.h>

#include <lib/format.h>
#include <lib/string_view.h>

namespace util::printf_cmd {

// Where error messages go ("'abc': expected a numeric value", without the command's name).
class Diagnostics {
 public:
  virtual void error(lib::StringView message) = 0;

 protected:
  ~Diagnostics() = default;
};

// Width and precision past this are refused ("invalid field width"): output stays bounded.
constexpr uint64_t kMaxField = uint64_t{1} << 20;

// Runs printf FORMAT ARGS...: returns the exit status (0, or 1 after any error).
int run(lib::StringView format, const lib::StringView* args, size_t count, lib::Sink& out,
        Diagnostics& diagnostics);

// How a numeric argument read.
enum class NumberStatus {
  kOk,
  kNotNumber,  // no digits at all ("abc"): the value is 0
  kPartial,    // digits, then something else ("12abc"): the value of the digits
  kRange,      // too big: the value is the limit
};

// arg as strtoimax / strtoumax read it (leading blanks, a sign, 0x for hex, 0 for octal), or
// 'c / "c: the code of the character c. Empty: 0, kOk. For the unsigned one a '-' negates
// modulo 2^64, as strtoumax does.
NumberStatus parse_signed(lib::StringView arg, int64_t* out);
NumberStatus parse_unsigned(lib::StringView arg, uint64_t* out);

}  // namespace util::printf_cmd
