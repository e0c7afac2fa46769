#pragma once
// Config from the kernel command line: its NAME.KEY=VALUE words replace the spec's config
// values of component NAME in the config message it gets at each start
// (abi/stellina/startup.h). The words are checked once against the manifest.

#include <stddef.h>
#include <stdint.h>

#include <stellina/types.h>

#include <lib/manifest.h>
#include <lib/string_view.h>

namespace startup {

class CommandLineConfig {
 public:
  static constexpr size_t kMaxCommandLine = 512;  // what the kernel keeps (kernel/boot_info.h)

  // Keeps the command line (its first kMaxCommandLine - 1 bytes) and logs each NAME.KEY=VALUE
  // word that names no component, no config key of it, or a value not of the key's type:
  // those are never passed on. Words without a dot before '=' are the kernel's own.
  void init(const char* text, size_t size, const lib::Manifest& manifest,
            stellina::abi::Handle log);
  // Sets *value to the value the command line gives component i's config key, if a valid
  // word does (the last one, when several do); leaves it as it is otherwise.
  void value(const lib::Manifest& manifest, size_t i, lib::StringView key,
             lib::StringView* value) const;

 private:
  char text_[kMaxCommandLine] = {};
  size_t size_ = 0;
};

}  // namespace startup
