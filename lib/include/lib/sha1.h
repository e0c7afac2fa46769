#pragma once
// SHA-1 (FIPS 180-4, section 6.1), streaming: update() with the message in pieces of any size,
// then final(). Broken for signatures and passwords; it stays for what protocols still
// require of it, such as the WebSocket handshake's Sec-WebSocket-Accept (RFC 6455).
//
//   lib::Sha1 h;
//   h.update(key);
//   h.update(kGuid);
//   uint8_t digest[lib::Sha1::kDigestSize];
//   h.final(digest);

#include <lib/block_hash.h>

namespace lib {

class Sha1 : public BlockHash<Sha1, 5> {
 public:
  Sha1() { reset(); }

  void reset();
  // Folds one block into the state (called by BlockHash).
  void compress(const uint8_t block[kBlockSize]);
};

}  // namespace lib
