#pragma once
// hexdump's lines, as util-linux prints them: 16 bytes a line.
//   default: "0000000 6568 6c6c" ...  offset in 7 hex digits, 8 little-endian 16-bit words
//   -C:      "00000000  68 65 6c 6c ...  |hell...|"  offset in 8, bytes, then printable ASCII

#include <stddef.h>
#include <stdint.h>

namespace text {

constexpr size_t kHexdumpLineBytes = 16;
constexpr size_t kHexdumpMaxLine = 96;  // of text, '\n' included

// One line of n (1..16) bytes into out; returns its length.
size_t hexdump_line(bool canonical, uint64_t offset, const uint8_t* bytes, size_t n, char* out);
// The closing line: the offset at the end.
size_t hexdump_end(bool canonical, uint64_t offset, char* out);

}  // namespace text
