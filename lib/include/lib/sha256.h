#pragma once
// SHA-256 (FIPS 180-4, section 6.2), streaming: update() with the message in pieces of any
// size, then final(). HMAC-SHA-256 and PBKDF2 build on it (hmac_sha256.h).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace lib {

class Sha256 {
 public:
  static constexpr size_t kDigestSize = 32;
  static constexpr size_t kBlockSize = 64;

  Sha256() { reset(); }

  void reset();
  void update(const void* data, size_t size);
  void update(StringView text) { update(text.data(), text.size()); }
  // Writes the digest and resets the object for a new message.
  void final(uint8_t digest[kDigestSize]);

  // The digest of one message in one call.
  static void hash(const void* data, size_t size, uint8_t digest[kDigestSize]);

 private:
  void compress(const uint8_t block[kBlockSize]);

  uint32_t state_[8];
  uint8_t block_[kBlockSize];
  size_t buffered_;
  uint64_t length_;  // bytes hashed so far
};

}  // namespace lib
