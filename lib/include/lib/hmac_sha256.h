#pragma once
// HMAC-SHA-256 (RFC 2104 with FIPS 180-4's SHA-256) and PBKDF2-HMAC-SHA-256 (RFC 8018,
// section 5.2), the key derivation behind stored passwords (password.h).

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>
#include <lib/sha256.h>
#include <lib/string_view.h>

namespace lib {

class HmacSha256 {
 public:
  static constexpr size_t kMacSize = Sha256::kDigestSize;

  // A key of any length: one longer than a block is hashed first (RFC 2104, section 2).
  HmacSha256(const void* key, size_t key_size);

  void update(const void* data, size_t size) { inner_.update(data, size); }
  void update(StringView text) { inner_.update(text); }
  // Writes the MAC of what was given since construction (or the last final) and starts over
  // with the same key.
  void final(uint8_t mac[kMacSize]);

  // The MAC of one message in one call.
  static void mac(const void* key, size_t key_size, const void* data, size_t size,
                  uint8_t out[kMacSize]);

 private:
  // The hash states after the key's inner and outer pad blocks, kept so that final() (and
  // PBKDF2's many iterations) need not hash them again.
  Sha256 inner_keyed_;
  Sha256 outer_keyed_;
  Sha256 inner_;
};

// PBKDF2 with HMAC-SHA-256 as its pseudorandom function: fills out[0..out_size) with the key
// derived from the password and salt in `iterations` rounds. Errors: InvalidArgument
// (iterations is 0, or out_size is 0 or over what 2^32 - 1 blocks can hold).
Result<void> pbkdf2_hmac_sha256(const void* password, size_t password_size, const void* salt,
                                size_t salt_size, uint32_t iterations, uint8_t* out,
                                size_t out_size);

// Whether a[0..size) and b[0..size) are equal, in a time that depends only on size, so that
// comparing a secret reveals nothing of where it first differs.
bool constant_time_equal(const void* a, const void* b, size_t size);

}  // namespace lib
