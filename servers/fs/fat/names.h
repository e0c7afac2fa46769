#pragma once
// Names on FAT: the long name (UTF-16, up to 255 units, in LFN entries) and the 8.3 short
// name every entry has (11 bytes, upper case, space padded). Names arrive as UTF-8; lookup
// compares them case-insensitively, as Windows and Linux vfat do (a simple upcase table for
// ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic).

#include <stddef.h>
#include <stdint.h>

#include <stellina/result.h>

#include <lib/string_view.h>

namespace stellina::fs::fat {

constexpr size_t kMaxNameUnits = 255;
constexpr size_t kMaxNameUtf8 = kMaxNameUnits * 3;
constexpr uint32_t kMaxTail = 4095;  // ~1 .. ~4095 before a hashed basis is tried

// A name FAT can hold, as UTF-16 in out (room for kMaxNameUnits). Errors: kErrInvalidArgument
// (malformed UTF-8; a control character or one of " * / : < > ? \ |; a trailing dot or
// space), kErrNameTooLong.
Result<size_t> name_to_utf16(lib::StringView name, uint16_t* out);
// UTF-16 to UTF-8 (an unpaired surrogate becomes U+FFFD); out holds count * 3 bytes.
size_t utf16_to_utf8(const uint16_t* units, size_t count, char* out);

uint16_t upcase(uint16_t c);
bool same_name(const uint16_t* a, size_t a_size, const uint16_t* b, size_t b_size);

uint8_t short_name_checksum(const uint8_t* name11);
// How a short entry's name is shown (lower case where the NT case bits say so); out holds 12.
size_t short_name_to_utf16(const uint8_t* entry, uint16_t* out);
// A name that is a valid upper-case 8.3 name needs no long name: its 11 bytes into out.
bool exact_short_name(const uint16_t* name, size_t size, uint8_t* out11);
// The basis of a generated short name (the specification's algorithm: upper case, invalid
// characters as '_', spaces and extra dots dropped, 8 + 3 kept). Returns whether a numeric
// tail is needed even when the basis is free (something was lost).
bool basis_name(const uint16_t* name, size_t size, uint8_t* out11);
// A basis from its first two characters and a hash of the whole name (for when every tail up
// to kMaxTail is taken).
void hashed_basis(const uint16_t* name, size_t size, uint8_t* basis11);
// basis with the tail ~n (1 <= n <= 999999).
void with_tail(const uint8_t* basis11, uint32_t n, uint8_t* out11);
// n if name11 is with_tail(basis11, n) for some n, else 0.
uint32_t tail_of(const uint8_t* basis11, const uint8_t* name11);

}  // namespace stellina::fs::fat
