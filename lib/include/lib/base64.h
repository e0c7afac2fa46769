#pragma once
// Base64 (RFC 4648, section 4: the standard alphabet, '=' padding). The decoder is strict:
// it takes only the canonical encoding (length a multiple of 4, padding only at the end,
// the unused bits of the last character zero, no whitespace), so a value has one spelling.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>
#include <lib/string_view.h>

namespace lib {

// The size of the encoding of `size` bytes (padding included).
constexpr size_t base64_encoded_size(size_t size) { return (size + 2) / 3 * 4; }
// The most bytes a text of `size` characters can decode to.
constexpr size_t base64_decoded_max(size_t size) { return size / 4 * 3; }

// Writes the encoding of data[0..size) to out (no terminator) and returns its length.
// Errors: BufferTooSmall (capacity under base64_encoded_size(size)).
Result<size_t> base64_encode(const void* data, size_t size, char* out, size_t capacity);

// Writes the bytes text encodes to out and returns how many. Errors: InvalidArgument (not
// canonical base64), BufferTooSmall (the bytes do not fit in capacity).
Result<size_t> base64_decode(StringView text, uint8_t* out, size_t capacity);

}  // namespace lib
