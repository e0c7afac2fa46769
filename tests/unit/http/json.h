#pragma once
// A strict JSON reader (RFC 8259) for the tests: what the server writes must parse here,
// strings decoded (escapes and UTF-8 checked).

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace httptest {

struct Json {
  enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  const Json& operator[](const std::string& key) const {
    static const Json kNull;
    auto it = object.find(key);
    return it == object.end() ? kNull : it->second;
  }
  bool has(const std::string& key) const { return object.count(key) > 0; }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : s_(text) {}

  // Parses the whole text; false (with error()) if it is not exactly one JSON value.
  bool parse(Json* out) {
    skip();
    if (!value(out, 0)) return false;
    skip();
    if (at_ != s_.size()) return fail("trailing bytes");
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  bool fail(const std::string& why) {
    if (error_.empty()) error_ = why + " at " + std::to_string(at_);
    return false;
  }
  void skip() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\r' || s_[at_] == '\t')) {
      ++at_;
    }
  }
  bool literal(const char* word) {
    const std::string w(word);
    if (s_.compare(at_, w.size(), w) != 0) return fail("bad literal");
    at_ += w.size();
    return true;
  }
  bool value(Json* out, int depth) {
    if (depth > 64) return fail("too deep");
    if (at_ >= s_.size()) return fail("value expected");
    const char c = s_[at_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      out->type = Json::Type::String;
      return string(&out->string);
    }
    if (c == 't' || c == 'f') {
      out->type = Json::Type::Bool;
      out->boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') return literal("null");
    return number(out);
  }
  bool number(Json* out) {
    const size_t start = at_;
    if (at_ < s_.size() && s_[at_] == '-') ++at_;
    if (at_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[at_]))) {
      return fail("bad number");
    }
    if (s_[at_] == '0' && at_ + 1 < s_.size() && isdigit(static_cast<unsigned char>(s_[at_ + 1]))) {
      return fail("leading zero");
    }
    while (at_ < s_.size() && isdigit(static_cast<unsigned char>(s_[at_]))) ++at_;
    if (at_ < s_.size() && s_[at_] == '.') {
      ++at_;
      if (at_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[at_]))) {
        return fail("bad fraction");
      }
      while (at_ < s_.size() && isdigit(static_cast<unsigned char>(s_[at_]))) ++at_;
    }
    out->type = Json::Type::Number;
    out->number = std::stod(s_.substr(start, at_ - start));
    return true;
  }
  static void put_utf8(std::string* out, unsigned code) {
    if (code < 0x80) {
      *out += static_cast<char>(code);
    } else if (code < 0x800) {
      *out += static_cast<char>(0xc0 | code >> 6);
      *out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      *out += static_cast<char>(0xe0 | code >> 12);
      *out += static_cast<char>(0x80 | (code >> 6 & 0x3f));
      *out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }
  bool string(std::string* out) {
    ++at_;  // the quote
    while (at_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c < 0x20) return fail("control character in a string");
      if (c == '\\') {
        if (++at_ >= s_.size()) return fail("cut escape");
        const char e = s_[at_++];
        switch (e) {
          case '"': *out += '"'; break;
          case '\\': *out += '\\'; break;
          case '/': *out += '/'; break;
          case 'b': *out += '\b'; break;
          case 'f': *out += '\f'; break;
          case 'n': *out += '\n'; break;
          case 'r': *out += '\r'; break;
          case 't': *out += '\t'; break;
          case 'u': {
            if (at_ + 4 > s_.size()) return fail("cut \\u");
            const unsigned code = std::stoul(s_.substr(at_, 4), nullptr, 16);
            at_ += 4;
            if (code >= 0xd800 && code <= 0xdfff) return fail("surrogate escapes not expected");
            put_utf8(out, code);
            break;
          }
          default: return fail("bad escape");
        }
        continue;
      }
      // Raw UTF-8 must be well-formed.
      size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (n == 0 || at_ + n > s_.size()) return fail("bad UTF-8");
      for (size_t i = 1; i < n; ++i) {
        if ((static_cast<unsigned char>(s_[at_ + i]) & 0xc0) != 0x80) return fail("bad UTF-8");
      }
      *out += s_.substr(at_, n);
      at_ += n;
    }
    return fail("unterminated string");
  }
  bool array(Json* out, int depth) {
    out->type = Json::Type::Array;
    ++at_;
    skip();
    if (at_ < s_.size() && s_[at_] == ']') return ++at_, true;
    for (;;) {
      Json v;
      skip();
      if (!value(&v, depth + 1)) return false;
      out->array.push_back(v);
      skip();
      if (at_ >= s_.size()) return fail("unterminated array");
      if (s_[at_] == ']') return ++at_, true;
      if (s_[at_++] != ',') return fail("comma expected");
    }
  }
  bool object(Json* out, int depth) {
    out->type = Json::Type::Object;
    ++at_;
    skip();
    if (at_ < s_.size() && s_[at_] == '}') return ++at_, true;
    for (;;) {
      skip();
      if (at_ >= s_.size() || s_[at_] != '"') return fail("key expected");
      std::string key;
      if (!string(&key)) return false;
      if (out->object.count(key)) return fail("duplicate key " + key);
      skip();
      if (at_ >= s_.size() || s_[at_++] != ':') return fail("colon expected");
      skip();
      Json v;
      if (!value(&v, depth + 1)) return false;
      out->object[key] = v;
      skip();
      if (at_ >= s_.size()) return fail("unterminated object");
      if (s_[at_] == '}') return ++at_, true;
      if (s_[at_++] != ',') return fail("comma expected");
    }
  }

  const std::string& s_;
  size_t at_ = 0;
  std::string error_;
};

}  // namespace httptest
