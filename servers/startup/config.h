#pragma once
// Config from the kernel command line: its NAME.KEY=VALUE words replace the spec's config
// values of component NAME (abi/stellina/startup.h, ConfigOverrides). The words are checked
// once against the manifest; each start of a component then gets the message of those that
// name it.

#include <stddef.h>
#include <stdint.h>

#include <stellina/types.h>

#include <lib/manifest.h>

namespace startup {

class CommandLineConfig {
 public:
  static constexpr size_t kMaxCommandLine = 512;  // what the kernel keeps (kernel/boot_info.h)

  // Keeps the command line (its first kMaxCommandLine - 1 bytes) and logs each NAME.KEY=VALUE
  // word that names no component, no config key of it, or a value not of the key's type:
  // those are never passed on. Words without a dot before '=' are the kernel's own.
  void init(const char* text, size_t size, const lib::Manifest& manifest,
            stellina::abi::Handle log);
  // Writes component i's ConfigOverrides message into out: the valid words that name it, in
  // command-line order. Returns its size; 0 if it does not fit (logged by init).
  size_t message(const lib::Manifest& manifest, size_t i, uint8_t* out, size_t capacity) const;

 private:
  char text_[kMaxCommandLine] = {};
  size_t size_ = 0;
};

}  // namespace startup
