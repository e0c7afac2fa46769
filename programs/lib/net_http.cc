#include "programs/lib/net_http.h"

#include <lib/format.h>

#include "programs/lib/parse.h"

namespace cmd::net {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_ignoring_case(lib::StringView a, lib::StringView b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool host_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// Printable ASCII without space: what a path may hold as given.
bool path_character(char c) { return c > ' ' && c <= '~'; }

bool token_character(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (const char* t = "!#$%&'*+-.^_`|~"; *t; ++t)
    if (c == *t) return true;
  return false;
}

bool copy_text(lib::StringView text, char* out, size_t capacity) {
  if (text.size() >= capacity) return false;
  for (size_t i = 0; i < text.size(); ++i) out[i] = text[i];
  out[text.size()] = '\0';
  return true;
}

lib::StringView trim(lib::StringView s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

// The path part: '/'-prefixed (a bare "?q" gets one), the fragment cut off.
UrlStatus set_path(lib::StringView path, Url* out) {
  const size_t hash = path.find('#');
  if (hash != lib::StringView::kNpos) path = path.substr(0, hash);
  size_t n = 0;
  if (path.empty() || path[0] != '/') out->path[n++] = '/';
  if (path.size() + n > kUrlMaxPath) return UrlStatus::Malformed;
  for (size_t i = 0; i < path.size(); ++i) {
    if (!path_character(path[i])) return UrlStatus::Malformed;
    out->path[n++] = path[i];
  }
  out->path[n] = '\0';
  return UrlStatus::Ok;
}

}  // namespace

UrlStatus parse_url(lib::StringView text, Url* out) {
  *out = Url{};
  const size_t scheme_end = text.find("://");
  if (scheme_end != lib::StringView::kNpos) {
    const lib::StringView scheme = text.substr(0, scheme_end);
    if (scheme.empty()) return UrlStatus::Malformed;
    for (size_t i = 0; i < scheme.size(); ++i) {
      const char c = scheme[i];
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
      if (!ok) return UrlStatus::Malformed;
    }
    if (!same_ignoring_case(scheme, "http")) return UrlStatus::UnsupportedScheme;
    text = text.substr(scheme_end + 3);
  }
  size_t end = 0;
  while (end < text.size() && text[end] != '/' && text[end] != '?' && text[end] != '#') ++end;
  lib::StringView authority = text.substr(0, end);
  if (authority.find('@') != lib::StringView::kNpos) return UrlStatus::Malformed;
  const size_t colon = authority.find(':');
  if (colon != lib::StringView::kNpos) {
    const lib::StringView port = authority.substr(colon + 1);
    uint64_t value = 0;
    if (port.empty() || port.size() > 5 || !parse_u64(port, &value) || value == 0 || value > 65535)
      return UrlStatus::Malformed;
    out->port = static_cast<uint16_t>(value);
    out->port_given = true;
    authority = authority.substr(0, colon);
  }
  if (authority.empty() || authority.size() > kUrlMaxHost) return UrlStatus::Malformed;
  for (size_t i = 0; i < authority.size(); ++i)
    if (!host_character(authority[i])) return UrlStatus::Malformed;
  copy_text(authority, out->host, sizeof(out->host));
  return set_path(text.substr(end), out);
}

UrlStatus resolve_location(const Url& base, lib::StringView location, Url* out) {
  location = trim(location);
  if (location.empty()) return UrlStatus::Malformed;
  const size_t scheme = location.find("://");
  const size_t first_slash = location.find('/');
  if (scheme != lib::StringView::kNpos &&
      (first_slash == lib::StringView::kNpos || scheme < first_slash))
    return parse_url(location, out);
  if (location.starts_with("//")) return parse_url(location.substr(2), out);
  Url next = base;
  if (location[0] == '/' || location[0] == '?') {
    if (location[0] == '?') {
      // The same path with another query.
      const lib::StringView path(base.path);
      const size_t q = path.find('?');
      char joined[kUrlMaxPath + 1];
      const lib::StringView stem = path.substr(0, q);
      if (stem.size() + location.size() > kUrlMaxPath) return UrlStatus::Malformed;
      const size_t n = lib::format_to(joined, sizeof(joined), "{}{}", stem, location);
      const UrlStatus s = set_path(lib::StringView(joined, n), &next);
      if (s == UrlStatus::Ok) *out = next;
      return s;
    }
    const UrlStatus s = set_path(location, &next);
    if (s == UrlStatus::Ok) *out = next;
    return s;
  }
  // Relative to base's directory.
  lib::StringView dir(base.path);
  dir = dir.substr(0, dir.find('?'));
  size_t slash = dir.size();
  while (slash > 0 && dir[slash - 1] != '/') --slash;
  dir = dir.substr(0, slash);
  if (dir.size() + location.size() > kUrlMaxPath) return UrlStatus::Malformed;
  char joined[kUrlMaxPath + 1];
  const size_t n = lib::format_to(joined, sizeof(joined), "{}{}", dir, location);
  const UrlStatus s = set_path(lib::StringView(joined, n), &next);
  if (s == UrlStatus::Ok) *out = next;
  return s;
}

lib::StringView url_file_name(const Url& url) {
  lib::StringView path(url.path);
  path = path.substr(0, path.find('?'));
  size_t slash = path.size();
  while (slash > 0 && path[slash - 1] != '/') --slash;
  const lib::StringView name = path.substr(slash);
  if (name.empty() || name == "." || name == "..") return "index.html";
  return name;
}

size_t http_build_request(const Url& url, char* out, size_t capacity) {
  char host[kUrlMaxHost + 8];
  if (url.port != 80) {
    lib::format_to(host, sizeof(host), "{}:{}", url.host, url.port);
  } else {
    lib::format_to(host, sizeof(host), "{}", url.host);
  }
  lib::BufferSink sink(out, capacity);
  lib::format(sink,
              "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: Wget/1.21 (Stellina)\r\n"
              "Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n",
              url.path, static_cast<const char*>(host));
  return sink.truncated() || sink.length() + 1 > capacity ? 0 : sink.length();
}

size_t http_head_end(const char* data, size_t size) {
  size_t line = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != '\n') continue;
    const size_t length = i - line;
    if (length == 0 || (length == 1 && data[line] == '\r')) return i + 1;
    line = i + 1;
  }
  return 0;
}

bool http_parse_head(const char* head, size_t size, HttpHead* out) {
  *out = HttpHead{};
  if (size > kHttpMaxHead) return false;
  const lib::StringView text(head, size);
  size_t at = 0;
  bool first = true;
  for (;;) {
    const size_t nl = text.find('\n', at);
    if (nl == lib::StringView::kNpos) return false;  // no empty line: not a whole head
    lib::StringView line = text.substr(at, nl - at);
    at = nl + 1;
    if (line.ends_with("\r")) line = line.substr(0, line.size() - 1);
    for (size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if ((c < ' ' && c != '\t') || c == 0x7f) return false;
    }
    if (first) {
      first = false;
      // HTTP/1.D SP DDD [SP reason]
      if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ') return false;
      if (line[7] < '0' || line[7] > '9') return false;
      out->version_minor = static_cast<uint32_t>(line[7] - '0');
      uint32_t status = 0;
      for (size_t i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9') return false;
        status = status * 10 + static_cast<uint32_t>(line[i] - '0');
      }
      if (status < 100) return false;
      out->status = status;
      if (line.size() > 12) {
        if (line[12] != ' ') return false;
        const lib::StringView reason = line.substr(13, kHttpMaxReason);
        copy_text(reason, out->reason, sizeof(out->reason));
      }
      continue;
    }
    if (line.empty()) return at == size;
    if (line[0] == ' ' || line[0] == '\t') return false;  // obsolete folding
    const size_t colon = line.find(':');
    if (colon == lib::StringView::kNpos || colon == 0) return false;
    const lib::StringView name = line.substr(0, colon);
    for (size_t i = 0; i < name.size(); ++i)
      if (!token_character(name[i])) return false;
    const lib::StringView value = trim(line.substr(colon + 1));
    if (same_ignoring_case(name, "content-length")) {
      uint64_t length = 0;
      if (!parse_u64(value, &length)) return false;
      if (out->has_length && out->length != length) return false;
      out->has_length = true;
      out->length = length;
    } else if (same_ignoring_case(name, "transfer-encoding")) {
      size_t comma = value.size();
      while (comma > 0 && value[comma - 1] != ',') --comma;
      out->chunked = same_ignoring_case(trim(value.substr(comma)), "chunked");
    } else if (same_ignoring_case(name, "location")) {
      if (!copy_text(value, out->location, sizeof(out->location))) return false;
      out->has_location = true;
    }
  }
}

ChunkedDecoder::Result ChunkedDecoder::next(const char* in, size_t size, size_t* used,
                                            const char** data, size_t* data_size) {
  *data = nullptr;
  *data_size = 0;
  size_t i = 0;
  const auto finish = [&](Result r) {
    *used = i;
    return r;
  };
  while (i < size) {
    const char c = in[i];
    switch (state_) {
      case State::Size:
      case State::Extension:
      case State::SizeEnd: {
        if (++line_ > kHttpMaxChunkLine) {
          state_ = State::Bad;
          break;
        }
        ++i;
        if (state_ == State::SizeEnd && c != '\n') {
          state_ = State::Bad;
          break;
        }
        if (c == '\n') {
          if (digits_ == 0) {
            state_ = State::Bad;
            break;
          }
          state_ = remaining_ ? State::Data : State::Trailer;
          trailer_line_ = 0;
          cr_ = false;
          break;
        }
        if (state_ == State::Extension) {
          if (c == '\r') state_ = State::SizeEnd;
          break;
        }
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit >= 0 && state_ == State::Size) {
          if (remaining_ > (UINT64_MAX >> 4)) {
            state_ = State::Bad;
            break;
          }
          remaining_ = remaining_ << 4 | static_cast<uint64_t>(digit);
          ++digits_;
        } else if (digits_ > 0 && (c == ';' || c == ' ' || c == '\t')) {
          state_ = State::Extension;
        } else if (digits_ > 0 && c == '\r') {
          state_ = State::SizeEnd;
        } else {
          state_ = State::Bad;
        }
        break;
      }
      case State::Data: {
        const size_t left = size - i;
        const size_t n = remaining_ < left ? static_cast<size_t>(remaining_) : left;
        *data = in + i;
        *data_size = n;
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::DataEnd;
        return finish(Result::More);
      }
      case State::DataEnd:
        ++i;
        if (c == '\r' && !cr_) {
          cr_ = true;
        } else if (c == '\n') {
          state_ = State::Size;
          digits_ = 0;
          line_ = 0;
          cr_ = false;
        } else {
          state_ = State::Bad;
        }
        break;
      case State::Trailer:
        ++i;
        if (++trailer_ > kHttpMaxTrailer) {
          state_ = State::Bad;
          break;
        }
        if (c == '\n') {
          if (trailer_line_ == 0) {
            state_ = State::Done;
            return finish(Result::Done);
          }
          trailer_line_ = 0;
        } else if (c != '\r') {
          ++trailer_line_;
        }
        break;
      case State::Done: return finish(Result::Done);
      case State::Bad: return finish(Result::Malformed);
    }
    if (state_ == State::Bad) return finish(Result::Malformed);
  }
  if (state_ == State::Done) return finish(Result::Done);
  return finish(state_ == State::Bad ? Result::Malformed : Result::More);
}

}  // namespace cmd::net
