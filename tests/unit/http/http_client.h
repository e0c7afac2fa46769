#pragma once
// A strict reader of HTTP/1.1 responses for the tests: splits a byte stream into responses
// (status, fields, body decoded from Content-Length, chunked, or up to the end).

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace httptest {

struct Reply {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> fields;  // lower-case names
  std::vector<std::string> order;             // names as sent, in order
  std::string body;
  bool chunked = false;
  std::vector<size_t> chunk_sizes;
  bool has(const std::string& name) const { return fields.count(name) > 0; }
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? "" : it->second;
  }
};

inline std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads responses from text; head_only[i] says the i-th answers a HEAD (no body). Fails
// the test on anything malformed.
inline std::vector<Reply> read_replies(const std::string& text,
                                       const std::vector<bool>& head_only = {}) {
  std::vector<Reply> out;
  size_t at = 0;
  auto line = [&](std::string* l) {
    const size_t end = text.find("\r\n", at);
    if (end == std::string::npos) return false;
    *l = text.substr(at, end - at);
    at = end + 2;
    return true;
  };
  while (at < text.size()) {
    Reply r;
    std::string l;
    if (!line(&l)) {
      ADD_FAILURE() << "no status line at " << at;
      break;
    }
    if (l.compare(0, 9, "HTTP/1.1 ") != 0 || l.size() < 13 || l[12] != ' ') {
      ADD_FAILURE() << "bad status line '" << l << "'";
      break;
    }
    r.status = std::stoi(l.substr(9, 3));
    r.reason = l.substr(13);
    while (line(&l) && !l.empty()) {
      const size_t colon = l.find(": ");
      if (colon == std::string::npos) {
        ADD_FAILURE() << "bad field '" << l << "'";
        return out;
      }
      const std::string name = lower(l.substr(0, colon));
      EXPECT_EQ(r.fields.count(name), 0u) << "field twice: " << name;
      r.fields[name] = l.substr(colon + 2);
      r.order.push_back(l.substr(0, colon));
    }
    const bool head = out.size() < head_only.size() && head_only[out.size()];
    if (head) {
    } else if (r.has("content-length")) {
      const size_t n = std::stoul(r.field("content-length"));
      if (at + n > text.size()) {
        ADD_FAILURE() << "body cut short";
        return out;
      }
      r.body = text.substr(at, n);
      at += n;
    } else if (r.field("transfer-encoding") == "chunked") {
      r.chunked = true;
      for (;;) {
        if (!line(&l)) {
          ADD_FAILURE() << "chunk size missing";
          return out;
        }
        const size_t n = std::stoul(l, nullptr, 16);
        if (n == 0) {
          EXPECT_TRUE(line(&l) && l.empty()) << "no empty line after the last chunk";
          break;
        }
        r.chunk_sizes.push_back(n);
        r.body += text.substr(at, n);
        at += n;
        EXPECT_EQ(text.substr(at, 2), "\r\n");
        at += 2;
      }
    } else {
      r.body = text.substr(at);  // until the connection closes
      at = text.size();
    }
    out.push_back(r);
  }
  return out;
}

}  // namespace httptest
