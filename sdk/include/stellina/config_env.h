#pragma once
// The config values the kernel command line gave a component (NAME.KEY=VALUE), which the
// startup server queues as a ConfigOverrides message (abi/stellina/startup.h) before the
// component runs. The Env that speccc generates for a spec with a [config] table holds one,
// loads it and applies it to env().config before on_start; the strings it points
// env().config at stay in it.

#include <stellina/result.h>
#include <stellina/startup.h>
#include <stellina/types.h>

namespace stellina {

class ConfigOverrides {
 public:
  // Takes the ConfigOverrides message off the startup channel. None queued (a component
  // started some other way than by the startup server) means no override. Errors:
  // kErrInvalidArgument (the first message is something else, or malformed).
  Result<void> load(abi::Handle startup_channel);
  // Replaces *field with the value given for key, if one was (the startup server checked
  // that it has the field's type; one that does not parse leaves *field as it is).
  void apply(const char* key, const char** field) const;
  void apply(const char* key, int64_t* field) const;
  void apply(const char* key, bool* field) const;

 private:
  const char* find(const char* key) const;  // the value given for key, or null

  alignas(8) char message_[abi::kConfigOverridesMax];
  size_t size_ = 0;
  uint32_t count_ = 0;
};

}  // namespace stellina
