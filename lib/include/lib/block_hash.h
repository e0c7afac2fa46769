#pragma once
// What SHA-1 and SHA-256 share (FIPS 180-4, 5.1.1 and 6): the message is cut into 64-byte
// blocks, each folded into a state of 32-bit words by the hash's own compression function,
// and the last block is padded with a 1 bit, zeros and the message length in bits as a
// big-endian 64-bit number. The digest is the final state, big-endian.
//
// A hash derives from BlockHash<Itself, kStateWords> and provides reset() (its initial state,
// then restart()) and compress(block); see sha1.h.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace lib {

template <typename Hash, size_t kStateWords>
class BlockHash {
 public:
  static constexpr size_t kBlockSize = 64;
  static constexpr size_t kDigestSize = 4 * kStateWords;

  void update(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    length_ += size;
    while (size > 0) {
      if (buffered_ == 0 && size >= kBlockSize) {
        self().compress(p);
        p += kBlockSize;
        size -= kBlockSize;
        continue;
      }
      const size_t take = kBlockSize - buffered_ < size ? kBlockSize - buffered_ : size;
      for (size_t i = 0; i < take; ++i) block_[buffered_ + i] = p[i];
      buffered_ += take;
      p += take;
      size -= take;
      if (buffered_ == kBlockSize) {
        self().compress(block_);
        buffered_ = 0;
      }
    }
  }
  void update(StringView text) { update(text.data(), text.size()); }

  // Writes the digest and resets the object for a new message.
  void final(uint8_t digest[kDigestSize]) {
    const uint64_t bits = length_ * 8;
    block_[buffered_++] = 0x80;
    if (buffered_ > kBlockSize - 8) {
      while (buffered_ < kBlockSize) block_[buffered_++] = 0;
      self().compress(block_);
      buffered_ = 0;
    }
    while (buffered_ < kBlockSize - 8) block_[buffered_++] = 0;
    store_be32(block_ + 56, static_cast<uint32_t>(bits >> 32));
    store_be32(block_ + 60, static_cast<uint32_t>(bits));
    self().compress(block_);
    for (size_t i = 0; i < kStateWords; ++i) store_be32(digest + 4 * i, state_[i]);
    self().reset();
  }

  // The digest of one message in one call.
  static void hash(const void* data, size_t size, uint8_t digest[kDigestSize]) {
    Hash h;
    h.update(data, size);
    h.final(digest);
  }

  static uint32_t load_be32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
           static_cast<uint32_t>(p[2]) << 8 | p[3];
  }
  static void store_be32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
  }

 protected:
  // Empties the buffer, for a new message; the hash sets its initial state around it.
  void restart() {
    buffered_ = 0;
    length_ = 0;
  }

  uint32_t state_[kStateWords];

 private:
  Hash& self() { return static_cast<Hash&>(*this); }

  uint8_t block_[kBlockSize];
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes hashed so far
};

}  // namespace lib
