// Paths confined to a preopened directory (guest_path.h).
#include "guest_path.h"

#include <stellina/file.h>

namespace wasi_host {

namespace wasi = wasm::wasi;
namespace abi = stellina::abi;
using lib::StringView;

wasi::Errno resolve_path(StringView base, StringView path, char* out, uint16_t* size) {
  if (path.starts_with("/")) return wasi::kNotCapable;
  if (base.size() >= abi::kFileMaxPath) return wasi::kNameTooLong;
  size_t n = base.size();
  __builtin_memcpy(out, base.data(), n);
  while (n > 1 && out[n - 1] == '/') --n;  // "/" stays "/"
  // Where each component pushed began, so that ".." takes it away again; none left means
  // ".." would climb above base.
  uint16_t starts[abi::kFileMaxPath / 2];
  size_t depth = 0;
  for (size_t at = 0; at <= path.size();) {
    size_t end = path.find('/', at);
    if (end == StringView::kNpos) end = path.size();
    const StringView part = path.substr(at, end - at);
    at = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (depth == 0) return wasi::kNotCapable;
      n = starts[--depth];
      continue;
    }
    const bool at_root = n == 1 && out[0] == '/';
    if (n + (at_root ? 0 : 1) + part.size() >= abi::kFileMaxPath) return wasi::kNameTooLong;
    starts[depth++] = static_cast<uint16_t>(n);
    if (!at_root) out[n++] = '/';
    __builtin_memcpy(out + n, part.data(), part.size());
    n += part.size();
  }
  *size = static_cast<uint16_t>(n);
  return wasi::kSuccess;
}

}  // namespace wasi_host
