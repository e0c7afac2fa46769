#pragma once
// Hand-made WebAssembly binaries for the engine's tests: sections, LEB128 and the common
// shape of one function type, functions with bodies, exports and an optional memory.

#include <cstdint>
#include <string>
#include <vector>

namespace wasm_test {

using Bytes = std::vector<uint8_t>;

inline Bytes leb(uint64_t v) {
  Bytes out;
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    if (v != 0) byte |= 0x80;
    out.push_back(byte);
  } while (v != 0);
  return out;
}

inline Bytes sleb(int64_t v) {
  Bytes out;
  for (;;) {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    bool done = (v == 0 && (byte & 0x40) == 0) || (v == -1 && (byte & 0x40) != 0);
    out.push_back(done ? byte : (byte | 0x80));
    if (done) return out;
  }
}

inline void append(Bytes* out, const Bytes& more) {
  out->insert(out->end(), more.begin(), more.end());
}

inline Bytes section(uint8_t id, const Bytes& content) {
  Bytes out = {id};
  append(&out, leb(content.size()));
  append(&out, content);
  return out;
}

inline Bytes name(const std::string& s) {
  Bytes out = leb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

struct Func {
  Bytes params;
  Bytes results;
  Bytes locals;  // the locals vector as encoded (count of groups, then groups)
  Bytes body;    // instructions, with the final end
};

// A module of the functions (each with its own type), each exported as "f0", "f1", ...,
// with a memory of `pages` pages (none if negative) and `extra` appended sections.
inline Bytes module(const std::vector<Func>& funcs, int64_t pages = -1, int64_t max_pages = -1,
                    const Bytes& extra = {}) {
  Bytes out = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
  Bytes types = leb(funcs.size());
  Bytes decls = leb(funcs.size());
  Bytes exports = leb(funcs.size());
  Bytes code = leb(funcs.size());
  for (size_t i = 0; i < funcs.size(); ++i) {
    types.push_back(0x60);
    append(&types, leb(funcs[i].params.size()));
    append(&types, funcs[i].params);
    append(&types, leb(funcs[i].results.size()));
    append(&types, funcs[i].results);
    append(&decls, leb(i));
    append(&exports, name("f" + std::to_string(i)));
    exports.push_back(0x00);
    append(&exports, leb(i));
    Bytes body = funcs[i].locals.empty() ? Bytes{0x00} : funcs[i].locals;
    append(&body, funcs[i].body);
    append(&code, leb(body.size()));
    append(&code, body);
  }
  append(&out, section(1, types));
  append(&out, section(3, decls));
  if (pages >= 0) {
    Bytes mem = {0x01, static_cast<uint8_t>(max_pages >= 0 ? 0x01 : 0x00)};
    append(&mem, leb(pages));
    if (max_pages >= 0) append(&mem, leb(max_pages));
    append(&out, section(5, mem));
  }
  append(&out, section(7, exports));
  append(&out, section(10, code));
  append(&out, extra);
  return out;
}

}  // namespace wasm_test
