#include "servers/fs/devfs/chacha20.h"

namespace stellina::fs {

namespace {

uint32_t rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

void quarter(uint32_t* s, int a, int b, int c, int d) {
  s[a] += s[b], s[d] = rotl(s[d] ^ s[a], 16);
  s[c] += s[d], s[b] = rotl(s[b] ^ s[c], 12);
  s[a] += s[b], s[d] = rotl(s[d] ^ s[a], 8);
  s[c] += s[d], s[b] = rotl(s[b] ^ s[c], 7);
}

uint32_t load32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                    uint8_t out[64]) {
  uint32_t state[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
  for (int i = 0; i < 8; ++i) state[4 + i] = key[i];
  state[12] = counter;
  for (int i = 0; i < 3; ++i) state[13 + i] = nonce[i];
  uint32_t s[16];
  for (int i = 0; i < 16; ++i) s[i] = state[i];
  for (int round = 0; round < 10; ++round) {
    quarter(s, 0, 4, 8, 12), quarter(s, 1, 5, 9, 13), quarter(s, 2, 6, 10, 14);
    quarter(s, 3, 7, 11, 15), quarter(s, 0, 5, 10, 15), quarter(s, 1, 6, 11, 12);
    quarter(s, 2, 7, 8, 13), quarter(s, 3, 4, 9, 14);
  }
  for (int i = 0; i < 16; ++i) {
    const uint32_t v = s[i] + state[i];
    for (int k = 0; k < 4; ++k) out[4 * i + k] = static_cast<uint8_t>(v >> (8 * k));
  }
}

void ChaCha20Rng::mix(const void* data, size_t size) {
  // Each 32 bytes of input are XORed into the key, which is then replaced by the stream's
  // next block: the result depends on every byte mixed so far.
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    uint8_t chunk[32] = {};
    const size_t n = size < sizeof(chunk) ? size : sizeof(chunk);
    for (size_t i = 0; i < n; ++i) chunk[i] = p[i];
    for (size_t i = 0; i < 8; ++i) key_[i] ^= load32(chunk + 4 * i);
    rekey();
    p += n;
    size -= n;
  }
}

void ChaCha20Rng::fill(void* out, size_t size) {
  auto* p = static_cast<uint8_t*>(out);
  uint32_t counter = 1;  // block 0 makes the next key
  ++nonce_[0];
  while (size > 0) {
    uint8_t block[64];
    chacha20_block(key_, counter++, nonce_, block);
    const size_t n = size < sizeof(block) ? size : sizeof(block);
    for (size_t i = 0; i < n; ++i) p[i] = block[i];
    for (uint8_t& b : block) b = 0;
    p += n;
    size -= n;
    if (counter == 0) rekey();  // 256 GiB in one request: start a fresh stream
  }
  rekey();
}

void ChaCha20Rng::rekey() {
  uint8_t block[64];
  chacha20_block(key_, 0, nonce_, block);
  for (size_t i = 0; i < 8; ++i) key_[i] = load32(block + 4 * i);
  for (uint8_t& b : block) b = 0;
}

}  // namespace stellina::fs
