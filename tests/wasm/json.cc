#include "json.h"

namespace wasm_test {

namespace {

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}
  bool value(Json* out) {
    skip();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{') return object(out);
    if (c == '[') return array(out);
    if (c == '"') {
      out->kind = Json::String;
      return string(&out->text);
    }
    if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
      out->kind = Json::Null;
      return true;
    }
    if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
      out->kind = Json::Bool;
      out->boolean = s_[i_] == 't';
      i_ += out->boolean ? 4 : 5;
      return true;
    }
    size_t start = i_;
    while (i_ < s_.size() && (isdigit(static_cast<unsigned char>(s_[i_])) != 0 || s_[i_] == '-' ||
                              s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E' || s_[i_] == '+')) {
      ++i_;
    }
    if (start == i_) return false;
    out->kind = Json::Number;
    out->text = s_.substr(start, i_ - start);
    out->number = std::stod(out->text);
    return true;
  }
  bool done() {
    skip();
    return i_ == s_.size();
  }

 private:
  void skip() {
    while (i_ < s_.size() && isspace(static_cast<unsigned char>(s_[i_])) != 0) ++i_;
  }
  bool string(std::string* out) {
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'u': {
          if (i_ + 4 > s_.size()) return false;
          unsigned cp = std::stoul(s_.substr(i_, 4), nullptr, 16);
          i_ += 4;
          if (cp < 0x80) {
            out->push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: out->push_back(e);
      }
    }
    if (i_ >= s_.size()) return false;
    ++i_;
    return true;
  }
  bool array(Json* out) {
    out->kind = Json::Array;
    ++i_;
    skip();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    for (;;) {
      Json item;
      if (!value(&item)) return false;
      out->items.push_back(std::move(item));
      skip();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        return true;
      }
      return false;
    }
  }
  bool object(Json* out) {
    out->kind = Json::Object;
    ++i_;
    skip();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    for (;;) {
      skip();
      if (i_ >= s_.size() || s_[i_] != '"') return false;
      std::string key;
      if (!string(&key)) return false;
      skip();
      if (i_ >= s_.size() || s_[i_] != ':') return false;
      ++i_;
      Json item;
      if (!value(&item)) return false;
      out->fields[key] = std::move(item);
      skip();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        return true;
      }
      return false;
    }
  }

  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace

bool parse_json(const std::string& text, Json* out) {
  Parser p(text);
  return p.value(out) && p.done();
}

}  // namespace wasm_test
