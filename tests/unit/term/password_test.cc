#include <lib/password.h>

#include <gtest/gtest.h>

#include <string>

namespace {

const uint8_t kSalt[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

std::string make(const std::string& password, uint32_t iterations = 1000) {
  char out[lib::kPasswordRecordMax];
  auto r = lib::password_make(lib::StringView(password.data(), password.size()), kSalt,
                              sizeof kSalt, iterations, out, sizeof out);
  EXPECT_TRUE(r.ok());
  return r.ok() ? std::string(out, r.value()) : "";
}

// 1 match, 0 mismatch, -1 refused.
int verify(const std::string& password, const std::string& record) {
  auto r = lib::password_verify(lib::StringView(password.data(), password.size()),
                                lib::StringView(record.data(), record.size()));
  if (!r.ok()) return -1;
  return r.value() ? 1 : 0;
}

TEST(Password, MakeWritesTheRecordFormat) {
  // The hash is PBKDF2-HMAC-SHA256("secret", salt 00..0f, 1000, 32), from a second
  // implementation.
  EXPECT_EQ(make("secret"),
            "pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$"
            "Tvsru20utY6o3q7VRBeuL9h/1QqKhWhwk2PaYNRWBgY=");
}

TEST(Password, VerifyMatchesOnlyThePassword) {
  const std::string record = make("correct horse");
  EXPECT_EQ(verify("correct horse", record), 1);
  EXPECT_EQ(verify("correct hors", record), 0);
  EXPECT_EQ(verify("correct horse ", record), 0);
  EXPECT_EQ(verify("", record), 0);
  const std::string empty = make("");
  EXPECT_EQ(verify("", empty), 1);
  EXPECT_EQ(verify("x", empty), 0);
}

TEST(Password, VerifyReadsForeignCountsAndSizes) {
  // Another count, salt size and hash size than password_make's: "password" with the salt
  // "saltsalt", 2 rounds, a 16-byte hash (from a second implementation).
  EXPECT_EQ(verify("password", "pbkdf2-sha256$2$c2FsdHNhbHQ=$j0Xr2TDUGb2ExAqHE9c43A=="), 1);
  EXPECT_EQ(verify("Password", "pbkdf2-sha256$2$c2FsdHNhbHQ=$j0Xr2TDUGb2ExAqHE9c43A=="), 0);
}

TEST(Password, MalformedRecordsAreRefused) {
  const std::string good = make("pw");
  EXPECT_EQ(verify("pw", good), 1);
  const std::string salt = "AAECAwQFBgcICQoLDA0ODw==";
  const std::string hash = good.substr(good.rfind('$') + 1);
  // The fields joined with '$'.
  auto join = [](std::initializer_list<std::string> fields) {
    std::string s;
    for (const auto& f : fields) {
      if (!s.empty()) s += '$';
      s += f;
    }
    return s;
  };
  for (const std::string& bad : {
           std::string(""),
           join({"pbkdf2-sha1", "1000", salt, hash}),
           join({"pbkdf2-sha256", "", salt, hash}),
           join({"pbkdf2-sha256", "0", salt, hash}),
           join({"pbkdf2-sha256", "01000", salt, hash}),
           join({"pbkdf2-sha256", "-1", salt, hash}),
           join({"pbkdf2-sha256", "99999999", salt, hash}),  // over kPasswordMaxIterations
           join({"pbkdf2-sha256", "4294968296", salt, hash}),
           join({"pbkdf2-sha256", "18446744073709552616", salt, hash}),  // 2^64 + 1000
           join({"pbkdf2-sha256", "+1000", salt, hash}),
           join({"pbkdf2-sha256", " 1000", salt, hash}),
           join({"pbkdf2-sha256", "1000", salt, hash, ""}),
           join({"pbkdf2-sha256", "1000", salt}),
           join({"pbkdf2-sha256", "1000", salt, ""}),
           join({"pbkdf2-sha256", "1000", "AAEC", hash}),              // a 3-byte salt
           join({"pbkdf2-sha256", "1000", salt, "AAECAwQFBgcICQ=="}),  // a 10-byte hash
           join({"pbkdf2-sha256", "1000", salt, hash.substr(1)}),
           join({"pbkdf2-sha256", "1000", salt, std::string(400, 'A')}),
       }) {
    EXPECT_EQ(verify("pw", bad), -1) << bad;
  }
}

TEST(Password, MakeRefusesBadArguments) {
  char out[lib::kPasswordRecordMax];
  EXPECT_FALSE(lib::password_make("pw", kSalt, 7, 1000, out, sizeof out).ok());
  EXPECT_FALSE(lib::password_make("pw", kSalt, 16, 0, out, sizeof out).ok());
  EXPECT_FALSE(
      lib::password_make("pw", kSalt, 16, lib::kPasswordMaxIterations + 1, out, sizeof out).ok());
  EXPECT_EQ(lib::password_make("pw", kSalt, 16, 1000, out, 20).error(), lib::Error::BufferTooSmall);
  uint8_t big_salt[lib::kPasswordSaltMax] = {};
  auto r =
      lib::password_make("pw", big_salt, sizeof big_salt, lib::kPasswordMaxIterations - 1, out, 0);
  EXPECT_EQ(r.error(), lib::Error::BufferTooSmall);  // refused before any hashing
}

}  // namespace
