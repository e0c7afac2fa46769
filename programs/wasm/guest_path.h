#pragma once
// A module's paths as WASI names them: relative to a directory descriptor, confined to it.
// Plain logic (tests/wasm checks it on the host).

#include <stdint.h>

#include <lib/string_view.h>

#include "wasm/wasi.h"

namespace wasi_host {

// Resolves a module's path, relative to the directory at `base` (absolute), into `out`
// (stellina::abi::kFileMaxPath bytes): "." and empty components skipped, ".." taking one
// away. A path that is absolute or climbs above base is not the module's to name:
// kNotCapable; one that does not fit, kNameTooLong. Returns the length through *size.
wasm::wasi::Errno resolve_path(lib::StringView base, lib::StringView path, char* out,
                               uint16_t* size);

}  // namespace wasi_host
