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

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace lib {

class Sha1 {
 public:
  static constexpr size_t kDigestSize = 20;
  static constexpr size_t kBlockSize = 64;

  Sha1() { reset(); }

  void reset();
  void update(const void* data, size_t size);
  void update(StringView text) { update(text.data(), text.size()); }
  // Writes the digest and resets the object for a new message.
  void final(uint8_t digest[kDigestSize]);

  // The digest of one message in one call.
  static void hash(const void* data, size_t size, uint8_t digest[kDigestSize]);

 private:
  void compress(const uint8_t block[kBlockSize]);

  uint32_t state_[5];
  uint8_t block_[kBlockSize];
  size_t buffered_;
  uint64_t length_;  // bytes hashed so far
};

}  // namespace lib
