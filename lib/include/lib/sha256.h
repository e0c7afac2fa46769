#pragma once
// SHA-256 (FIPS 180-4, section 6.2), streaming: update() with the message in pieces of any
// size, then final(). HMAC-SHA-256 and PBKDF2 build on it (hmac_sha256.h).

#include <lib/block_hash.h>

namespace lib {

class Sha256 : public BlockHash<Sha256, 8> {
 public:
  Sha256() { reset(); }

  void reset();
  // Folds one block into the state (called by BlockHash).
  void compress(const uint8_t block[kBlockSize]);
};

}  // namespace lib
