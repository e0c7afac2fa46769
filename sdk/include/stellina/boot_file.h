#pragma once
// A file of the boot archive (abi/stellina/status.h: boot:PATH, or boot:?archive for the
// whole archive), mapped read-only for as long as the component runs. The spec must list
// `boot = "boot:"` in requires.
//
//   BootFile manifest = TRY(map_boot_file(*this, "boot:manifest"));
//   parse(manifest.data, manifest.size);

#include <stellina/component.h>

namespace stellina {

struct BootFile {
  OwnedHandle folio;  // keeps the file; the mapping stays until the process ends
  const uint8_t* data = nullptr;
  uint64_t size = 0;
};

// Errors: those of open() and of the boot: scheme, kErrTimedOut, kErrInvalidArgument (an
// answer that is not a size and a folio holding that many bytes).
Result<BootFile> map_boot_file(Component& component, const char* uri,
                               uint64_t timeout_ns = 5'000'000'000);

}  // namespace stellina
