#pragma once
// Small pieces the text commands share (programs/lib/text_*), plain code that builds on the
// host (tests/unit/cmd/text_util_test.cc).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace text {

// A count as head, tail and friends take it: an optional sign ('+' or '-', reported in
// *sign, else 0), digits, and an optional multiplier suffix: b (512), K or k (1024), M
// (1024^2), G (1024^3). False if the text is not such a count, if it has a sign where
// allow_sign is false, or if it is past UINT64_MAX (GNU refuses those too).
bool parse_count(lib::StringView text, bool allow_sign, uint64_t* value, char* sign);

// Where the last n lines of data begin: a final line without '\n' counts as a line.
size_t last_lines_start(const char* data, size_t size, uint64_t n);

// Where the line after the first n lines begins (size if there are fewer lines).
size_t first_lines_end(const char* data, size_t size, uint64_t n);

// ASCII only: the C locale.
inline bool is_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool is_blank(uint8_t c) { return c == ' ' || c == '\t'; }
inline uint8_t to_upper(uint8_t c) { return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c; }
inline uint8_t to_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

}  // namespace text
