#include <lib/hmac_sha256.h>

namespace lib {

HmacSha256::HmacSha256(const void* key, size_t key_size) {
  uint8_t block[Sha256::kBlockSize] = {};
  if (key_size > Sha256::kBlockSize) {
    Sha256::hash(key, key_size, block);
  } else {
    const auto* k = static_cast<const uint8_t*>(key);
    for (size_t i = 0; i < key_size; ++i) block[i] = k[i];
  }
  // K XOR ipad (0x36 repeated), then K XOR opad (0x5c repeated): RFC 2104, section 2.
  for (uint8_t& b : block) b ^= 0x36;
  inner_keyed_.update(block, sizeof block);
  for (uint8_t& b : block) b ^= 0x36 ^ 0x5c;
  outer_keyed_.update(block, sizeof block);
  for (uint8_t& b : block) b = 0;
  inner_ = inner_keyed_;
}

void HmacSha256::final(uint8_t mac[kMacSize]) {
  uint8_t inner_digest[Sha256::kDigestSize];
  inner_.final(inner_digest);
  Sha256 outer = outer_keyed_;
  outer.update(inner_digest, sizeof inner_digest);
  outer.final(mac);
  inner_ = inner_keyed_;
}

void HmacSha256::mac(const void* key, size_t key_size, const void* data, size_t size,
                     uint8_t out[kMacSize]) {
  HmacSha256 h(key, key_size);
  h.update(data, size);
  h.final(out);
}

Result<void> pbkdf2_hmac_sha256(const void* password, size_t password_size, const void* salt,
                                size_t salt_size, uint32_t iterations, uint8_t* out,
                                size_t out_size) {
  constexpr size_t kH = HmacSha256::kMacSize;
  // RFC 8018, 5.2 step 1: dkLen over (2^32 - 1) * hLen is "derived key too long".
  if (iterations == 0 || out_size == 0 || (out_size - 1) / kH >= 0xffffffffu) {
    return Error::InvalidArgument;
  }
  HmacSha256 prf(password, password_size);
  uint32_t index = 1;
  for (size_t done = 0; done < out_size; ++index) {
    // T_i = U_1 ^ U_2 ^ ... ^ U_c, U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}).
    const uint8_t big_endian_index[4] = {
        static_cast<uint8_t>(index >> 24), static_cast<uint8_t>(index >> 16),
        static_cast<uint8_t>(index >> 8), static_cast<uint8_t>(index)};
    uint8_t u[kH];
    uint8_t t[kH];
    prf.update(salt, salt_size);
    prf.update(big_endian_index, sizeof big_endian_index);
    prf.final(u);
    for (size_t i = 0; i < kH; ++i) t[i] = u[i];
    for (uint32_t j = 1; j < iterations; ++j) {
      prf.update(u, sizeof u);
      prf.final(u);
      for (size_t i = 0; i < kH; ++i) t[i] ^= u[i];
    }
    const size_t take = out_size - done < kH ? out_size - done : kH;
    for (size_t i = 0; i < take; ++i) out[done + i] = t[i];
    done += take;
  }
  return {};
}

bool constant_time_equal(const void* a, const void* b, size_t size) {
  const auto* x = static_cast<const volatile uint8_t*>(a);
  const auto* y = static_cast<const volatile uint8_t*>(b);
  uint8_t diff = 0;
  for (size_t i = 0; i < size; ++i) diff |= x[i] ^ y[i];
  return diff == 0;
}

}  // namespace lib
