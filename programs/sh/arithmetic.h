#pragma once
// Arithmetic expansion, $((...)), after parameter expansion of its text: 64-bit signed
// integers that wrap on overflow (as dash on a 64-bit machine), the C operators of POSIX
// (no ++ or --), decimal, octal (0755) and hex (0x1f) constants, and variables by name, whose
// values must be numbers. Division by zero and malformed expressions are errors with a
// message, never a crash; nesting is bounded by kMaxNesting.

#include <stdint.h>

#include "text.h"

namespace stellina::sh {

class ArithmeticScope {
 public:
  // The value of a variable, or nothing when it is unset.
  virtual bool lookup(StringView name, StringView* value) = 0;
  // Sets a variable (x=1, x+=2); false with a message when it cannot be (read-only).
  virtual bool assign(StringView name, int64_t value, Message& error) = 0;

 protected:
  ~ArithmeticScope() = default;
};

// Evaluates text; false with the reason in error.
bool evaluate_arithmetic(StringView text, ArithmeticScope& scope, int64_t* result, Message& error);

}  // namespace stellina::sh
