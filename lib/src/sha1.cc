#include <lib/sha1.h>

namespace lib {

namespace {

constexpr uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

uint32_t load_be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

void store_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

void Sha1::reset() {
  state_[0] = 0x67452301;
  state_[1] = 0xefcdab89;
  state_[2] = 0x98badcfe;
  state_[3] = 0x10325476;
  state_[4] = 0xc3d2e1f0;
  buffered_ = 0;
  length_ = 0;
}

void Sha1::compress(const uint8_t block[kBlockSize]) {
  // The message schedule as a 16-word window (FIPS 180-4, 6.1.3), to keep the stack small.
  uint32_t w[16];
  for (size_t t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
  uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
  for (int t = 0; t < 80; ++t) {
    if (t >= 16) {
      w[t & 15] = rotl(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
    }
    uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    const uint32_t temp = rotl(a, 5) + f + e + k + w[t & 15];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
}

void Sha1::update(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  length_ += size;
  while (size > 0) {
    if (buffered_ == 0 && size >= kBlockSize) {
      compress(p);
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
      compress(block_);
      buffered_ = 0;
    }
  }
}

void Sha1::final(uint8_t digest[kDigestSize]) {
  // Padding (FIPS 180-4, 5.1.1): a 1 bit, zeros, then the length in bits as 64 bits.
  const uint64_t bits = length_ * 8;
  block_[buffered_++] = 0x80;
  if (buffered_ > kBlockSize - 8) {
    while (buffered_ < kBlockSize) block_[buffered_++] = 0;
    compress(block_);
    buffered_ = 0;
  }
  while (buffered_ < kBlockSize - 8) block_[buffered_++] = 0;
  store_be32(block_ + 56, static_cast<uint32_t>(bits >> 32));
  store_be32(block_ + 60, static_cast<uint32_t>(bits));
  compress(block_);
  for (size_t i = 0; i < 5; ++i) store_be32(digest + 4 * i, state_[i]);
  reset();
}

void Sha1::hash(const void* data, size_t size, uint8_t digest[kDigestSize]) {
  Sha1 h;
  h.update(data, size);
  h.final(digest);
}

}  // namespace lib
