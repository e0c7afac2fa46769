#include <lib/hmac_sha256.h>
#include <lib/password.h>

#include <lib/checked_number.h>

namespace lib {

Result<size_t> password_make(StringView password, const uint8_t* salt, size_t salt_size,
                             uint32_t iterations, char* out, size_t capacity) {
  if (salt_size < kPasswordSaltMin || salt_size > kPasswordSaltMax || iterations == 0 ||
      iterations > kPasswordMaxIterations) {
    return Error::InvalidArgument;
  }
  char digits[10];
  size_t digit_count = 0;
  for (uint32_t v = iterations; v > 0; v /= 10)
    digits[digit_count++] = static_cast<char>('0' + v % 10);
  const size_t length = kPasswordScheme.size() + 1 + digit_count + 1 +
                        base64_encoded_size(salt_size) + 1 + base64_encoded_size(kPasswordHashSize);
  if (capacity < length) return Error::BufferTooSmall;

  uint8_t hash[kPasswordHashSize];
  TRY(pbkdf2_hmac_sha256(password.data(), password.size(), salt, salt_size, iterations, hash,
                         sizeof hash));
  size_t n = 0;
  for (char c : kPasswordScheme) out[n++] = c;
  out[n++] = '$';
  while (digit_count > 0) out[n++] = digits[--digit_count];
  out[n++] = '$';
  n += TRY(base64_encode(salt, salt_size, out + n, capacity - n));
  out[n++] = '$';
  n += TRY(base64_encode(hash, sizeof hash, out + n, capacity - n));
  return n;
}

Result<bool> password_verify(StringView password, StringView record) {
  if (record.size() > kPasswordRecordMax) return Error::InvalidArgument;
  // Four fields separated by '$'.
  StringView fields[4];
  size_t start = 0;
  for (size_t i = 0; i < 4; ++i) {
    const size_t end = i < 3 ? record.find('$', start) : record.size();
    if (end == StringView::kNpos) return Error::InvalidArgument;
    fields[i] = record.substr(start, end - start);
    start = end + 1;
  }
  if (!(fields[0] == kPasswordScheme)) return Error::InvalidArgument;

  // Decimal, no sign, no leading zero, within kPasswordMaxIterations.
  const StringView count = fields[1];
  if (count.empty() || count[0] == '0') return Error::InvalidArgument;
  auto parsed = parse_decimal(count, kPasswordMaxIterations);
  if (!parsed.ok()) return Error::InvalidArgument;
  const auto iterations = static_cast<uint32_t>(parsed.value());

  uint8_t salt[kPasswordSaltMax];
  auto salt_size = base64_decode(fields[2], salt, sizeof salt);
  if (!salt_size.ok() || salt_size.value() < kPasswordSaltMin) return Error::InvalidArgument;
  uint8_t stored[kPasswordHashMax];
  auto hash_size = base64_decode(fields[3], stored, sizeof stored);
  if (!hash_size.ok() || hash_size.value() < kPasswordHashMin) return Error::InvalidArgument;

  uint8_t derived[kPasswordHashMax];
  TRY(pbkdf2_hmac_sha256(password.data(), password.size(), salt, salt_size.value(), iterations,
                         derived, hash_size.value()));
  return constant_time_equal(derived, stored, hash_size.value());
}

}  // namespace lib
