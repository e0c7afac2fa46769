#include "servers/term/remote.h"

#include <lib/checked_number.h>

namespace term {
namespace {

constexpr lib::StringView kPrompt = "Password: ";
constexpr lib::StringView kWebPath = "/terminal/ws";
constexpr size_t kChunk = 1024;  // output bytes encoded at a time (at most twice that out)

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_ignoring_case(lib::StringView a, lib::StringView b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

lib::StringView trim(lib::StringView s) {
  size_t start = 0, end = s.size();
  while (start < end && (s[start] == ' ' || s[start] == '\t')) ++start;
  while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  return s.substr(start, end - start);
}

// A query parameter's value as a window dimension: 1..1000, else 0 (unknown).
uint16_t dimension(lib::StringView query, lib::StringView name) {
  for (size_t at = 0; at < query.size();) {
    size_t end = query.find('&', at);
    if (end == lib::StringView::kNpos) end = query.size();
    const lib::StringView pair = query.substr(at, end - at);
    at = end + 1;
    if (!pair.starts_with(name) || pair.size() <= name.size() || pair[name.size()] != '=') continue;
    auto v = lib::parse_decimal(pair.substr(name.size() + 1), 1000);
    return v.ok() && v.value() >= 1 ? static_cast<uint16_t>(v.value()) : 0;
  }
  return 0;
}

}  // namespace

bool parse_request(lib::StringView head, ParsedRequest* out) {
  *out = ParsedRequest{};
  size_t end = head.find("\r\n");
  if (end == lib::StringView::kNpos) end = head.size();
  const lib::StringView line = head.substr(0, end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == lib::StringView::kNpos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == lib::StringView::kNpos || sp2 == sp1 + 1) return false;
  const lib::StringView method = line.substr(0, sp1);
  const lib::StringView version = line.substr(sp2 + 1);
  out->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!version.starts_with("HTTP/1.") || version.size() != 8) return false;
  out->websocket.is_get = method == "GET";
  out->websocket.http_1_1 = version[7] >= '1' && version[7] <= '9';
  for (size_t at = end + 2; at < head.size();) {
    size_t stop = head.find("\r\n", at);
    if (stop == lib::StringView::kNpos) stop = head.size();
    const lib::StringView field = head.substr(at, stop - at);
    at = stop + 2;
    if (field.empty()) break;
    const size_t colon = field.find(':');
    if (colon == lib::StringView::kNpos || colon == 0) return false;
    const lib::StringView name = field.substr(0, colon);
    const lib::StringView value = trim(field.substr(colon + 1));
    if (same_ignoring_case(name, "upgrade")) {
      out->websocket.upgrade = value;
    } else if (same_ignoring_case(name, "connection")) {
      out->websocket.connection = value;
    } else if (same_ignoring_case(name, "sec-websocket-version")) {
      out->websocket.version = value;
    } else if (same_ignoring_case(name, "sec-websocket-key")) {
      out->websocket.key = value;
    } else if (same_ignoring_case(name, "host")) {
      out->host = value;
    } else if (same_ignoring_case(name, "origin")) {
      out->origin = value;
    }
  }
  const size_t question = out->target.find('?');
  if (question != lib::StringView::kNpos) {
    const lib::StringView query = out->target.substr(question + 1);
    out->columns = dimension(query, "cols");
    out->rows = dimension(query, "rows");
  }
  return true;
}

bool origin_matches(lib::StringView origin, lib::StringView host) {
  const size_t scheme = origin.find("://");
  if (scheme == lib::StringView::kNpos || host.empty()) return false;
  return same_ignoring_case(origin.substr(scheme + 3), host);
}

RemoteTerminal::RemoteTerminal(RemoteOwner& owner, Kind kind, uint64_t now_ns,
                               uint64_t login_timeout_ns)
    : owner_(owner),
      kind_(kind),
      state_(kind == Kind::Web ? State::Request : State::Password),
      login_deadline_(now_ns + login_timeout_ns),
      now_(now_ns),
      telnet_(*this),
      websocket_(*this, uint64_t{64} * 1024) {}

void RemoteTerminal::start() {
  if (kind_ != Kind::Telnet) return;
  if (!refusal_.empty()) return finish(refusal_);
  telnet_.start();
  prompt();
}

void RemoteTerminal::receive(const uint8_t* data, size_t size, uint64_t now_ns) {
  now_ = now_ns;
  if (state_ == State::Closed) return;
  if (kind_ == Kind::Telnet) {
    telnet_.receive(data, size);
  } else if (state_ == State::Request) {
    request_bytes(data, size);
  } else {
    websocket_.receive(data, size);
  }
}

void RemoteTerminal::tick(uint64_t now_ns) {
  now_ = now_ns;
  if (state_ == State::Closed || state_ == State::Shell) return;
  if (now_ns >= login_deadline_) {
    finish(state_ == State::Request ? lib::StringView() : "\r\nLogin timed out.\r\n");
    return;
  }
  if (state_ == State::Delay && now_ns >= delay_end_) {
    state_ = State::Password;
    prompt();
  }
}

uint64_t RemoteTerminal::deadline() const {
  switch (state_) {
    case State::Request:
    case State::Password: return login_deadline_;
    case State::Delay: return delay_end_ < login_deadline_ ? delay_end_ : login_deadline_;
    case State::Shell:
    case State::Closed: return UINT64_MAX;
  }
  return UINT64_MAX;
}

void RemoteTerminal::output(const uint8_t* data, size_t size) {
  if (state_ == State::Closed || state_ == State::Request) return;
  uint8_t wire[lib::kWebSocketMaxHeader + 2 * kChunk];
  while (size > 0) {
    size_t n = size < kChunk ? size : kChunk;
    if (kind_ == Kind::Telnet) {
      // A CR that ends a piece but not the output waits for the next piece, where it meets
      // its LF (telnet_encode would send it as CR NUL).
      if (n > 1 && n < size && data[n - 1] == '\r') --n;
      const lib::TelnetEncoded e = lib::telnet_encode(data, n, wire, sizeof wire);
      owner_.remote_send(wire, e.written);
      data += e.consumed;
      size -= e.consumed;
      continue;
    }
    // LF as CR LF, as on the serial console.
    uint8_t text[2 * kChunk];
    size_t t = 0;
    for (size_t i = 0; i < n; ++i) {
      if (data[i] == '\n' && !output_after_cr_) text[t++] = '\r';
      text[t++] = data[i];
      output_after_cr_ = data[i] == '\r';
    }
    const size_t h = lib::websocket_frame_header(lib::WebSocketOpcode::Binary, true, t, wire);
    __builtin_memcpy(wire + h, text, t);
    owner_.remote_send(wire, h + t);
    data += n;
    size -= n;
  }
}

void RemoteTerminal::finish(lib::StringView text) {
  if (state_ == State::Closed) return;
  if (state_ != State::Request) {
    output(text);
    if (kind_ == Kind::Web) websocket_.close(lib::websocket_status::kNormal);
  }
  close();
}

void RemoteTerminal::close() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  __builtin_memset(password_, 0, sizeof password_);
  owner_.remote_close();
}

// --- Telnet ---

void RemoteTerminal::telnet_data(const uint8_t* data, size_t size) { typed(data, size); }

void RemoteTerminal::telnet_send(const uint8_t* data, size_t size) {
  if (state_ != State::Closed) owner_.remote_send(data, size);
}

void RemoteTerminal::telnet_window_size(uint16_t columns, uint16_t rows) {
  if (columns) columns_ = columns;
  if (rows) rows_ = rows;
}

void RemoteTerminal::telnet_command(uint8_t command) {
  // Interrupt Process is what a telnet client sends for its interrupt key: Ctrl-C here.
  if (command == lib::telnet::kInterruptProcess) {
    const uint8_t ctrl_c = 0x03;
    typed(&ctrl_c, 1);
  }
}

// --- WebSocket ---

void RemoteTerminal::request_bytes(const uint8_t* data, size_t size) {
  size_t n = size;
  if (n > kMaxRequest - request_size_) n = kMaxRequest - request_size_;
  __builtin_memcpy(request_ + request_size_, data, n);
  request_size_ += n;
  const lib::StringView head(request_, request_size_);
  const size_t end = head.find("\r\n\r\n");
  if (end == lib::StringView::kNpos) {
    if (request_size_ == kMaxRequest) refuse_request("431 Request Header Fields Too Large", {});
    return;
  }
  const size_t used = end + 4;
  const size_t from_data = used - (request_size_ - n);  // what of data the head took
  handshake();
  // Frames the client sent right after its request (it may not wait for the 101).
  if (state_ != State::Closed && from_data < size)
    receive(data + from_data, size - from_data, now_);
}

void RemoteTerminal::refuse_request(lib::StringView status_line, lib::StringView extra_header) {
  char response[256];
  size_t n = 0;
  auto add = [&](lib::StringView s) {
    for (size_t i = 0; i < s.size() && n < sizeof response; ++i) response[n++] = s[i];
  };
  add("HTTP/1.1 ");
  add(status_line);
  add("\r\nServer: Stellina\r\nContent-Length: 0\r\nConnection: close\r\n");
  add(extra_header);
  add("\r\n");
  owner_.remote_send(reinterpret_cast<const uint8_t*>(response), n);
  close();
}

void RemoteTerminal::handshake() {
  ParsedRequest r;
  const lib::StringView head(request_, request_size_);
  if (!parse_request(head, &r)) return refuse_request("400 Bad Request", {});
  const size_t question = r.target.find('?');
  if (r.target.substr(0, question) != kWebPath) return refuse_request("404 Not Found", {});
  const lib::Result<void> ok = lib::websocket_check_request(r.websocket);
  if (!ok.ok()) {
    if (ok.error() == lib::Error::NotSupported) {
      return refuse_request("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n");
    }
    return refuse_request("400 Bad Request", {});
  }
  // A page of another site must not reach the shell through the user's browser.
  if (!r.origin.empty() && !origin_matches(r.origin, r.host)) {
    return refuse_request("403 Forbidden", {});
  }
  char response[160];
  const lib::Result<size_t> n =
      lib::websocket_handshake_response(r.websocket.key, response, sizeof response);
  if (!n.ok()) return refuse_request("500 Internal Server Error", {});
  owner_.remote_send(reinterpret_cast<const uint8_t*>(response), n.value());
  columns_ = r.columns;
  rows_ = r.rows;
  state_ = State::Password;
  if (!refusal_.empty()) return finish(refusal_);
  prompt();
}

void RemoteTerminal::websocket_data(bool /*text*/, const uint8_t* data, size_t size) {
  typed(data, size);
}

void RemoteTerminal::websocket_send(const uint8_t* data, size_t size) {
  if (state_ != State::Closed) owner_.remote_send(data, size);
}

void RemoteTerminal::websocket_closed(uint16_t /*code*/) { close(); }

// --- The login ---

void RemoteTerminal::typed(const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    switch (state_) {
      case State::Shell: owner_.remote_typed(data + i, size - i); return;
      case State::Password: password_byte(data[i]); break;
      case State::Request:
      case State::Delay:
      case State::Closed: return;  // typed during the delay: dropped
    }
  }
}

void RemoteTerminal::password_byte(uint8_t byte) {
  const bool after_cr = input_after_cr_;
  input_after_cr_ = byte == '\r';
  switch (byte) {
    case '\n':
      if (after_cr) return;  // CR LF: the CR ended the line
      [[fallthrough]];
    case '\r': return submit();
    case 0x7f:
    case 0x08:
      if (password_size_ > 0) --password_size_;
      return;
    case 0x15:  // Ctrl-U
      password_size_ = 0;
      password_too_long_ = false;
      return;
    case 0x03:  // Ctrl-C: start over
      password_size_ = 0;
      password_too_long_ = false;
      output("^C\r\n");
      return prompt();
    case 0x04:  // Ctrl-D
      return finish("\r\n");
    default:
      if (password_size_ == kMaxPassword) {
        password_too_long_ = true;
        return;
      }
      password_[password_size_++] = static_cast<char>(byte);
  }
}

void RemoteTerminal::submit() {
  output("\r\n");
  const bool right =
      !password_too_long_ && owner_.remote_check(lib::StringView(password_, password_size_));
  __builtin_memset(password_, 0, sizeof password_);
  password_size_ = 0;
  password_too_long_ = false;
  if (state_ == State::Closed) return;
  if (right) {
    state_ = State::Shell;
    owner_.remote_login();
    return;
  }
  if (++failures_ >= kTries) return finish("Login incorrect.\r\nToo many failures.\r\n");
  output("Login incorrect.\r\n");
  state_ = State::Delay;
  delay_end_ = now_ + kFailDelayNs;
}

void RemoteTerminal::prompt() { output(kPrompt); }

}  // namespace term
