// The config message the startup server queues before a component runs
// (abi/stellina/startup.h), read into the component's typed environment.
#include <stellina/component.h>
#include <stellina/startup.h>

#include <lib/checked_number.h>

namespace stellina {

namespace {

void refuse(const abi::StartupBlock& startup, const char* why, lib::StringView field) {
  char line[160];
  const size_t n = lib::format_to(line, sizeof(line), "config: {} {}", why, field);
  sys::log_write(startup.handles[0], line, n);
}

}  // namespace

Result<void> load_config(const abi::StartupBlock& startup, char* text, size_t capacity,
                         bool (*set)(void* env, lib::StringView field, const char* value),
                         void* env) {
  abi::MessageBuffer m{};
  m.data = text;
  m.data_capacity = static_cast<uint32_t>(capacity);
  const int64_t received = sys::channel_recv(startup.handles[1], &m);
  if (received == abi::kErrWouldBlock) return {};  // not started by the startup server
  TRY(check_ok(received));
  const lib::StringView all(text, m.data_size);
  const lib::StringView magic(abi::kConfigMagic, sizeof(abi::kConfigMagic));
  if (m.kind != abi::MessageKind::Data || !all.starts_with(magic) ||
      !all.ends_with(lib::StringView("", 1))) {
    refuse(startup, "the startup channel's first message is not the config", "");
    return abi::kErrInvalidArgument;
  }
  // Fields and values alternate, each ending with its NUL.
  size_t at = magic.size();
  while (at < all.size()) {
    const size_t field_end = all.find('\0', at);
    const size_t value_end =
        field_end == all.size() - 1 ? lib::StringView::kNpos : all.find('\0', field_end + 1);
    if (value_end == lib::StringView::kNpos) {
      refuse(startup, "a field without a value:", all.substr(at, field_end - at));
      return abi::kErrInvalidArgument;
    }
    const lib::StringView field = all.substr(at, field_end - at);
    if (!set(env, field, text + field_end + 1)) {
      refuse(startup, "a field it does not have, or a value not of its type:", field);
      return abi::kErrInvalidArgument;
    }
    at = value_end + 1;
  }
  return {};
}

bool parse_config_value(const char* text, int64_t* value) {
  auto parsed = lib::parse_signed_decimal(lib::StringView(text));
  if (!parsed.ok()) return false;
  *value = parsed.value();
  return true;
}

bool parse_config_value(const char* text, bool* value) {
  const lib::StringView t(text);
  if (t != "true" && t != "false") return false;
  *value = t == "true";
  return true;
}

}  // namespace stellina
