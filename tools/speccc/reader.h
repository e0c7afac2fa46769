#pragma once
// Reading a TOML spec file with precise errors: what component specs (parse.cc), silo specs
// (silo.cc) and the system file (mounts.cc) share.
#include <toml++/toml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec.h"

namespace speccc {

// Component, service and silo names: [a-z][a-z0-9-]*, and not a C++ keyword once - is _.
bool is_name(std::string_view s);
bool is_keyword(std::string_view s);
bool is_lower(char c);
bool is_digit(char c);
std::string quoted(std::string_view s);
// "an integer", "a table"...: for wrong-type errors.
const char* type_name(const toml::node& n);

// The file's root table, or nothing after reporting why it is not TOML.
std::optional<toml::table> parse_toml(const std::string& file, Diagnostics& diag);

// Reports errors at the place of a node or key in one file.
class Reader {
 public:
  Reader(std::string file, Diagnostics& diag) : file_(std::move(file)), diag_(diag) {}

  Position at(const toml::source_region& source) const;
  void error(const toml::node& n, const std::string& what, const std::string& expected);
  void error(const toml::key& k, const std::string& what, const std::string& expected);
  // A required key that is absent, reported at the top of the file, or at the table that
  // should hold it.
  void missing(const std::string& key, const std::string& expected);
  void missing(const toml::table& t, const std::string& key, const std::string& expected);
  void error(const Position& at, const std::string& what, const std::string& expected);

  // Reports every key of t not in allowed; path is the table's dotted name ("" for the root).
  void check_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                  const std::string& path);

  // The node as type T; reports a wrong type.
  template <typename T>
  const T* as(const toml::node& n, const std::string& key, const char* expected) {
    const T* value = n.as<T>();
    if (!value) error(n, key + " has the wrong type: " + type_name(n), expected);
    return value;
  }

  // A string from the closed set names (index returned), else an error.
  std::optional<size_t> choice(const toml::node& n, const std::string& key, const char* what,
                               std::initializer_list<std::string_view> names);

  // An integer from 1 to max (by default, any positive integer that fits in 32 bits).
  std::optional<uint32_t> positive(const toml::node& n, const std::string& key,
                                   uint32_t max = UINT32_MAX);

  // An array of strings, each checked by valid (described by expected).
  std::vector<Located> strings(const toml::node& n, const std::string& key,
                               bool (*valid)(std::string_view), const char* expected);

 private:
  std::string file_;
  Diagnostics& diag_;
};

// A [mounts] table (of the system file or a silo spec): each entry checked, those that are
// valid returned by path; a table that is not empty must mount "/".
MountTable read_mounts(Reader& r, const toml::node& n);

}  // namespace speccc
