#pragma once
// ChaCha20 (RFC 8439) as a random number generator: the block function, and a generator
// that keys itself from a seed, mixes in more entropy as it comes, and re-keys itself from
// its own output after every request, so a later compromise of its state reveals nothing
// it gave out before ("fast key erasure").

#include <stddef.h>
#include <stdint.h>

namespace stellina::fs {

// One 64-byte block of the ChaCha20 stream for key, counter and nonce (RFC 8439 2.3).
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                    uint8_t out[64]);

class ChaCha20Rng {
 public:
  // Folds bytes into the key (at any time; the more, and the less guessable, the better).
  void mix(const void* data, size_t size);
  // size bytes of output, then a fresh key from the stream.
  void fill(void* out, size_t size);

 private:
  void rekey();

  uint32_t key_[8] = {};
  uint32_t nonce_[3] = {};
};

}  // namespace stellina::fs
