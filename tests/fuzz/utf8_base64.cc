// The UTF-8 checker and the base64 decoder (lib/src/utf8.cc, lib/src/base64.cc) on any bytes.
// The checker fed byte by byte must agree with the whole-buffer check; base64 must decode
// within its documented bound, and what it decodes must encode back to the same text.
#include <lib/base64.h>
#include <lib/utf8.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

void check(bool holds) {
  if (!holds) std::abort();
}

void utf8(const uint8_t* data, size_t size) {
  lib::Utf8Checker checker;
  bool valid = true;
  for (size_t i = 0; i < size && valid; ++i) {
    valid = checker.feed(data[i]) != lib::Utf8Checker::Step::Invalid;
  }
  valid = valid && checker.at_boundary();
  check(valid == lib::is_valid_utf8(data, size));
}

void base64(const uint8_t* data, size_t size) {
  const lib::StringView text(reinterpret_cast<const char*>(data), size);
  std::vector<uint8_t> out(lib::base64_decoded_max(size) + 1);
  auto decoded = lib::base64_decode(text, out.data(), out.size() - 1);
  if (!decoded.ok()) return;
  check(decoded.value() <= lib::base64_decoded_max(size));
  std::vector<char> again(lib::base64_encoded_size(decoded.value()) + 1);
  auto encoded = lib::base64_encode(out.data(), decoded.value(), again.data(), again.size());
  check(encoded.ok() && encoded.value() == size && std::memcmp(again.data(), data, size) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  utf8(data, size);
  base64(data, size);
  return 0;
}
