#pragma once
// Stored passwords: one line of text per password, for a file like /etc/passwd.d or a value
// in a spec,
//
//   pbkdf2-sha256$ITERATIONS$SALT$HASH
//
// ITERATIONS in decimal, SALT and HASH in base64 (base64.h), HASH being PBKDF2-HMAC-SHA-256
// of the password with that salt and count (hmac_sha256.h). The salt comes from the caller,
// who has the random numbers: at least kPasswordSaltMin bytes, different for every record.

#include <stddef.h>
#include <stdint.h>

#include <lib/base64.h>
#include <lib/result.h>
#include <lib/string_view.h>

namespace lib {

constexpr StringView kPasswordScheme = "pbkdf2-sha256";
// Login runs on emulated CPUs without SIMD, where SHA-256 is slow: this count takes a
// fraction of a second there. Records carry their own count, so it can grow later.
constexpr uint32_t kPasswordDefaultIterations = 20000;
// A record asking for more is refused rather than left to stall a login.
constexpr uint32_t kPasswordMaxIterations = 10000000;
constexpr size_t kPasswordSaltMin = 8;
constexpr size_t kPasswordSaltMax = 64;
constexpr size_t kPasswordHashSize = 32;  // what password_make writes
constexpr size_t kPasswordHashMin = 16;   // what password_verify accepts
constexpr size_t kPasswordHashMax = 64;
// The longest record password_make writes (and the most password_verify reads).
constexpr size_t kPasswordRecordMax = 13 + 1 + 8 + 1 + base64_encoded_size(kPasswordSaltMax) + 1 +
                                      base64_encoded_size(kPasswordHashMax);

// Writes the record for password with salt[0..salt_size) and `iterations` to out (no
// terminator) and returns its length. Errors: InvalidArgument (salt size outside
// kPasswordSaltMin..kPasswordSaltMax, iterations 0 or over kPasswordMaxIterations),
// BufferTooSmall.
Result<size_t> password_make(StringView password, const uint8_t* salt, size_t salt_size,
                             uint32_t iterations, char* out, size_t capacity);

// Whether password matches the record; the hashes are compared in constant time. Errors:
// InvalidArgument (the record is malformed: another scheme, a count out of range, bad
// base64, a salt or hash of a size outside the limits above).
Result<bool> password_verify(StringView password, StringView record);

}  // namespace lib
