#include <lib/base64.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

std::string encode(const std::string& s) {
  char out[512];
  auto r = lib::base64_encode(s.data(), s.size(), out, sizeof out);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::string(out, r.value()) : "";
}

// The decoded bytes, or "ERROR" when refused.
std::string decode(const std::string& s) {
  uint8_t out[512];
  auto r = lib::base64_decode(lib::StringView(s.data(), s.size()), out, sizeof out);
  if (!r.ok()) return "ERROR";
  return std::string(reinterpret_cast<char*>(out), r.value());
}

// RFC 4648, section 10.
TEST(Base64, Rfc4648Vectors) {
  const char* pairs[][2] = {{"", ""},
                            {"f", "Zg=="},
                            {"fo", "Zm8="},
                            {"foo", "Zm9v"},
                            {"foob", "Zm9vYg=="},
                            {"fooba", "Zm9vYmE="},
                            {"foobar", "Zm9vYmFy"}};
  for (auto& p : pairs) {
    EXPECT_EQ(encode(p[0]), p[1]);
    EXPECT_EQ(decode(p[1]), p[0]);
  }
}

TEST(Base64, WholeAlphabet) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(decode(encode(all)), all);
  EXPECT_EQ(encode("\xfb\xff\xbf"), "+/+/");
}

TEST(Base64, StrictDecodeRefuses) {
  for (const char* bad :
       {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm=v", "Zg=a",
        "Zh==",  // unused bits set: 'h' leaves a 1 in the padding
        "Zm9=",  // likewise with one '='
        "Zm9v\n", " Zm9v", "Zm9v Zm9v", "Zm-v", "Zm_v", "Zm9v====", "\x80\x80\x80\x80"}) {
    EXPECT_EQ(decode(bad), "ERROR") << bad;
  }
  EXPECT_EQ(decode("Zm8="), "fo");
}

TEST(Base64, BufferLimits) {
  char small[7];
  EXPECT_EQ(lib::base64_encode("foob", 4, small, sizeof small).error(), lib::Error::BufferTooSmall);
  char exact[8];
  EXPECT_TRUE(lib::base64_encode("foob", 4, exact, sizeof exact).ok());
  uint8_t out[2];
  EXPECT_EQ(lib::base64_decode("Zm9v", out, sizeof out).error(), lib::Error::BufferTooSmall);
  EXPECT_TRUE(lib::base64_decode("Zm8=", out, sizeof out).ok());
  static_assert(lib::base64_encoded_size(0) == 0 && lib::base64_encoded_size(1) == 4 &&
                lib::base64_encoded_size(3) == 4 && lib::base64_encoded_size(4) == 8);
}

// Random bytes round-trip; random text is either refused or decodes to bytes that encode
// back to the same text (one spelling per value).
TEST(Base64, RandomRoundTripsAndCanonical) {
  std::mt19937 rng(7);
  const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  for (int round = 0; round < 2000; ++round) {
    std::string data(rng() % 60, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    EXPECT_EQ(decode(encode(data)), data);
    std::string text(rng() % 24, 'A');
    for (auto& c : text) c = chars[rng() % chars.size()];
    const std::string d = decode(text);
    if (d != "ERROR") EXPECT_EQ(encode(d), text);
  }
}

}  // namespace
