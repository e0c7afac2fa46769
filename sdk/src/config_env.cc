#include <stellina/config_env.h>
#include <stellina/sys.h>

#include <lib/checked_number.h>
#include <lib/string_view.h>

namespace stellina {
namespace {

// The end of the NUL-terminated string at text[at], within size; size if it has no NUL.
size_t string_end(const char* text, size_t at, size_t size) {
  while (at < size && text[at] != '\0') ++at;
  return at;
}

}  // namespace

Result<void> ConfigOverrides::load(abi::Handle startup_channel) {
  abi::MessageBuffer m{};
  m.data = message_;
  m.data_capacity = sizeof(message_);
  const int64_t received = sys::channel_recv(startup_channel, &m);
  if (received == abi::kErrWouldBlock) return {};
  TRY(check(received));
  abi::ConfigOverridesHeader header{};
  if (m.kind != abi::MessageKind::Data || m.handle_count != 0 || m.data_size < sizeof(header))
    return abi::kErrInvalidArgument;
  __builtin_memcpy(&header, message_, sizeof(header));
  if (header.magic != abi::kConfigOverridesMagic) return abi::kErrInvalidArgument;
  // Every key and value must end within the message.
  size_t at = sizeof(header);
  for (uint32_t i = 0; i < 2 * header.count; ++i) {
    at = string_end(message_, at, m.data_size);
    if (at == m.data_size) return abi::kErrInvalidArgument;
    ++at;
  }
  size_ = m.data_size;
  count_ = header.count;
  return {};
}

const char* ConfigOverrides::find(const char* key) const {
  size_t at = sizeof(abi::ConfigOverridesHeader);
  for (uint32_t i = 0; i < count_; ++i) {
    const char* k = message_ + at;
    at = string_end(message_, at, size_) + 1;
    const char* value = message_ + at;
    at = string_end(message_, at, size_) + 1;
    if (lib::StringView(k) == key) return value;
  }
  return nullptr;
}

void ConfigOverrides::apply(const char* key, const char** field) const {
  if (const char* value = find(key)) *field = value;
}

void ConfigOverrides::apply(const char* key, int64_t* field) const {
  const char* value = find(key);
  if (!value) return;
  if (auto n = lib::parse_signed_decimal(value); n.ok()) *field = n.value();
}

void ConfigOverrides::apply(const char* key, bool* field) const {
  const char* value = find(key);
  if (!value) return;
  const lib::StringView v(value);
  if (v == "true") *field = true;
  if (v == "false") *field = false;
}

}  // namespace stellina
