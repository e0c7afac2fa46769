#pragma once
// expr's expressions (POSIX, with GNU's match, substr, index, length and '+'): recursive
// descent over the arguments, integers in 64 bits with overflow refused, ':' matched by
// text::Regex (a BRE anchored at the start; \( \) gives the text of the first group).

#include <stddef.h>
#include <stdint.h>

#include <span>

#include <lib/string_view.h>

#include "programs/lib/text_regex.h"

namespace text {

// A value: an integer, or a string (a view into the arguments).
struct ExprValue {
  bool is_integer = false;
  int64_t integer = 0;
  lib::StringView string;
};

enum class ExprError {
  kNone,
  kSyntax,   // exit 2, "syntax error: ..."
  kInvalid,  // exit 2: a non-integer argument, division by zero, overflow, a bad regex
};

struct ExprResult {
  ExprValue value;
  ExprError error = ExprError::kNone;
  char message[160] = {};
  // Where the digits that ':' or substr take from a number live (a few at once).
  char digits[8][24] = {};
  size_t next_digits = 0;
};

// Evaluates args (argv[1...]); re and scratch serve ':'.
void expr_evaluate(std::span<const lib::StringView> args, Regex& re, RegexScratch& scratch,
                   ExprResult* out);

// Whether a value is null (an empty string, or 0 however written): exit status 1.
bool expr_null(const ExprValue& v);

// The value as text (an integer into buf, of at least 24 bytes).
lib::StringView expr_text(const ExprValue& v, char* buf);

}  // namespace text
