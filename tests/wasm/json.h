#pragma once
// A small JSON reader for the spec runner: wast2json's output (objects, arrays, strings,
// integers). Host test code, so it uses the standard library.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace wasm_test {

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool boolean = false;
  double number = 0;
  std::string text;  // String; Number keeps its digits here too
  std::vector<Json> items;
  std::map<std::string, Json> fields;

  const Json* get(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
  }
  std::string str(const std::string& key) const {
    const Json* j = get(key);
    return j != nullptr ? j->text : std::string();
  }
};

// Parses `text`; returns false on malformed input.
bool parse_json(const std::string& text, Json* out);

}  // namespace wasm_test
