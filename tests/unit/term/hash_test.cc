#include <lib/hmac_sha256.h>
#include <lib/sha1.h>
#include <lib/sha256.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using term_test::hex;

std::string sha1(const std::string& s) {
  uint8_t d[lib::Sha1::kDigestSize];
  lib::Sha1::hash(s.data(), s.size(), d);
  return hex(d, sizeof d);
}

std::string sha256(const std::string& s) {
  uint8_t d[lib::Sha256::kDigestSize];
  lib::Sha256::hash(s.data(), s.size(), d);
  return hex(d, sizeof d);
}

// FIPS 180-2 appendix examples (one block, two blocks, a million 'a').
const std::string kTwoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha1, PublishedVectors) {
  EXPECT_EQ(sha1(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1(kTwoBlocks), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(sha1(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(Sha256, PublishedVectors) {
  EXPECT_EQ(sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256(kTwoBlocks), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the padding boundaries (55, 56, 63, 64 bytes): the length field either fits
// in the last block or needs one more. Expected values from a second implementation.
TEST(Sha256, PaddingBoundaries) {
  EXPECT_EQ(sha256(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256(std::string(63, 'a')),
            "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(sha256(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(sha1(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(sha1(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(sha1(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

// The digest does not depend on how the message is cut into update() calls.
TEST(Hash, StreamingMatchesOneShot) {
  std::mt19937 rng(1);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> msg(rng() % 700);
    for (auto& b : msg) b = static_cast<uint8_t>(rng());
    uint8_t one1[20], one256[32], split1[20], split256[32];
    lib::Sha1::hash(msg.data(), msg.size(), one1);
    lib::Sha256::hash(msg.data(), msg.size(), one256);
    lib::Sha1 h1;
    lib::Sha256 h256;
    size_t at = 0;
    for (size_t n : term_test::random_cuts(rng, msg.size(), 130)) {
      h1.update(msg.data() + at, n);
      h256.update(msg.data() + at, n);
      at += n;
    }
    h1.update(msg.data(), 0);
    h1.final(split1);
    h256.final(split256);
    EXPECT_EQ(hex(one1, 20), hex(split1, 20));
    EXPECT_EQ(hex(one256, 32), hex(split256, 32));
  }
}

TEST(Hash, FinalResets) {
  lib::Sha256 h;
  uint8_t d[32];
  h.update("garbage");
  h.final(d);
  h.update("abc");
  h.final(d);
  EXPECT_EQ(hex(d, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

std::string hmac(const std::string& key, const std::string& data) {
  uint8_t mac[lib::HmacSha256::kMacSize];
  lib::HmacSha256::mac(key.data(), key.size(), data.data(), data.size(), mac);
  return hex(mac, sizeof mac);
}

// RFC 4231, section 4: test cases 1 to 7.
TEST(HmacSha256, Rfc4231) {
  EXPECT_EQ(hmac(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hmac("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac(std::string(20, '\xaa'), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::string key4;
  for (char c = 1; c <= 25; ++c) key4 += c;
  EXPECT_EQ(hmac(key4, std::string(50, '\xcd')),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(hmac(std::string(20, '\x0c'), "Test With Truncation").substr(0, 32),
            "a3b6167473100ee06e0c796c2955552b");
  EXPECT_EQ(
      hmac(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hmac(std::string(131, '\xaa'),
                 "This is a test using a larger than block-size key and a larger than block-size "
                 "data. The key needs to be hashed before being used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HmacSha256, ReusableAfterFinal) {
  lib::HmacSha256 h("Jefe", 4);
  uint8_t mac[32];
  h.update("what do ya ");
  h.update("want for nothing?");
  h.final(mac);
  EXPECT_EQ(hex(mac, 32), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  h.update("what do ya want for nothing?");
  h.final(mac);
  EXPECT_EQ(hex(mac, 32), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

std::string pbkdf2(const std::string& password, const std::string& salt, uint32_t iterations,
                   size_t size) {
  std::vector<uint8_t> out(size);
  auto r = lib::pbkdf2_hmac_sha256(password.data(), password.size(), salt.data(), salt.size(),
                                   iterations, out.data(), out.size());
  EXPECT_TRUE(r.ok());
  return hex(out.data(), out.size());
}

TEST(Pbkdf2, Rfc7914Section11) {
  EXPECT_EQ(pbkdf2("passwd", "salt", 1, 64),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  EXPECT_EQ(pbkdf2("Password", "NaCl", 80000, 64),
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

// The widely published PBKDF2-HMAC-SHA256 counterparts of RFC 6070's vectors.
TEST(Pbkdf2, Rfc6070Style) {
  EXPECT_EQ(pbkdf2("password", "salt", 1, 32),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  EXPECT_EQ(pbkdf2("password", "salt", 2, 32),
            "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
  EXPECT_EQ(pbkdf2("password", "salt", 4096, 32),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  // 40 bytes: two blocks, the second cut short.
  EXPECT_EQ(pbkdf2("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40),
            "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9");
  // A prefix of a longer key is the shorter key.
  EXPECT_EQ(pbkdf2("passwd", "salt", 1, 5), "55ac046e56");
}

TEST(Pbkdf2, RefusesBadArguments) {
  uint8_t out[32];
  EXPECT_FALSE(lib::pbkdf2_hmac_sha256("p", 1, "s", 1, 0, out, sizeof out).ok());
  EXPECT_FALSE(lib::pbkdf2_hmac_sha256("p", 1, "s", 1, 1, out, 0).ok());
}

TEST(ConstantTimeEqual, ComparesEveryByte) {
  const uint8_t a[4] = {1, 2, 3, 4};
  const uint8_t b[4] = {1, 2, 3, 5};
  EXPECT_TRUE(lib::constant_time_equal(a, a, 4));
  EXPECT_FALSE(lib::constant_time_equal(a, b, 4));
  EXPECT_TRUE(lib::constant_time_equal(a, b, 3));
  EXPECT_TRUE(lib::constant_time_equal(a, b, 0));
}

}  // namespace
