#pragma once
// Shell patterns (POSIX 2.13): * ? [...] with ! or ^ to negate, ranges and [:classes:], and \
// to take the next character literally (how expansion marks quoted characters in a pattern).
// Used by case, ${x#pattern} and pathname expansion. Matching is iterative: O(pattern x
// text) at worst, whatever the number of stars.

#include "text.h"

namespace stellina::sh {

bool match_pattern(StringView pattern, StringView text);
// Whether pattern has an unescaped * ? or [ (so globbing has something to do).
bool has_pattern_chars(StringView pattern);
// The pattern with its escapes removed: what a pattern that matched nothing stands for.
void unescape_pattern(StringView pattern, Text& out);

}  // namespace stellina::sh
