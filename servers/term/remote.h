#pragma once
// One remote terminal of term's: a telnet connection, or a WebSocket that httpd handed over,
// from its first byte to its close, without sockets or processes (so it is host-tested,
// tests/unit/term/remote_test.cc). The owner gives it what the connection receives and the
// shell's output, and it answers through RemoteOwner:
//
//   telnet:  IAC WILL ECHO, WILL SUPPRESS-GO-AHEAD, DO NAWS (lib/telnet.h), then "Password: "
//   web:     the HTTP request httpd passed on (Upgrade: websocket, checked; an Origin must
//            name the Host) answered with 101 Switching Protocols; then "Password: " in a
//            frame. The window size comes from the request's query: ?cols=C&rows=R.
//
// The password is read without echo (backspace and Ctrl-U edit it, Ctrl-C starts it over,
// Ctrl-D closes). A wrong one is answered after a delay, during which what is typed is
// dropped; after kTries wrong ones, or when the login timeout passes, the connection is
// closed. Once the password is right, remote_login() starts the shell, and from then on what
// the user types goes to remote_typed() and the shell's output to output(): LF as CR LF,
// escaped for telnet (telnet_encode) or carried in binary frames (the browser's xterm.js
// decodes UTF-8 across them; text frames would have to hold whole characters).

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>
#include <lib/telnet.h>
#include <lib/websocket.h>

namespace term {

class RemoteOwner {
 public:
  // Bytes for the connection, in order, each call a unit (a frame is never split): the owner
  // queues all of them or, when it cannot, none.
  virtual void remote_send(const uint8_t* data, size_t size) = 0;
  // What the user typed, for the shell (after the login).
  virtual void remote_typed(const uint8_t* data, size_t size) = 0;
  // Whether password is the right one.
  virtual bool remote_check(lib::StringView password) = 0;
  // The password was right: start the shell (columns() and rows() give its window).
  virtual void remote_login() = 0;
  // The terminal is done: close the connection once what was sent is out. Nothing is called
  // after this.
  virtual void remote_close() = 0;

 protected:
  ~RemoteOwner() = default;
};

class RemoteTerminal final : lib::TelnetHandler, lib::WebSocketHandler {
 public:
  enum class Kind : uint8_t { Telnet, Web };
  enum class State : uint8_t {
    Request,   // web: the HTTP request is not complete yet
    Password,  // reading the password
    Delay,     // after a wrong one
    Shell,     // logged in
    Closed,    // remote_close() has been called
  };
  static constexpr unsigned kTries = 3;
  static constexpr uint64_t kFailDelayNs = 2'000'000'000;
  static constexpr size_t kMaxPassword = 128;
  static constexpr size_t kMaxRequest = 4096;  // the HTTP request's head
  static constexpr uint16_t kDefaultColumns = 80;
  static constexpr uint16_t kDefaultRows = 24;

  RemoteTerminal(RemoteOwner& owner, Kind kind, uint64_t now_ns, uint64_t login_timeout_ns);

  // Telnet: sends the offer and the prompt. Web: nothing (the request comes with receive()).
  void start();
  // Makes this a terminal that only says `text` (a static string) and closes: past the
  // limits on sessions. A WebSocket is accepted first, so that the page can show it.
  void refuse(lib::StringView text) { refusal_ = text; }
  // Bytes from the connection (for the web, the request's first bytes come this way too).
  void receive(const uint8_t* data, size_t size, uint64_t now_ns);
  // The delay and the login timeout: call at deadline() or later.
  void tick(uint64_t now_ns);
  // When tick() has something to do (UINT64_MAX: nothing).
  uint64_t deadline() const;
  // The shell's output (or a notice of the owner's), encoded for the connection.
  void output(const uint8_t* data, size_t size);
  void output(lib::StringView text) {
    output(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  }
  // Ends the terminal: `text` is written, a WebSocket gets its close frame, and the owner is
  // told to close (remote_close).
  void finish(lib::StringView text);

  Kind kind() const { return kind_; }
  State state() const { return state_; }
  uint16_t columns() const { return columns_ ? columns_ : kDefaultColumns; }
  uint16_t rows() const { return rows_ ? rows_ : kDefaultRows; }

 private:
  // lib::TelnetHandler
  void telnet_data(const uint8_t* data, size_t size) override;
  void telnet_send(const uint8_t* data, size_t size) override;
  void telnet_window_size(uint16_t columns, uint16_t rows) override;
  void telnet_command(uint8_t command) override;
  // lib::WebSocketHandler
  void websocket_data(bool text, const uint8_t* data, size_t size) override;
  void websocket_send(const uint8_t* data, size_t size) override;
  void websocket_closed(uint16_t code) override;

  void request_bytes(const uint8_t* data, size_t size);
  void handshake();
  void refuse_request(lib::StringView status_line, lib::StringView extra_header);
  void typed(const uint8_t* data, size_t size);
  void password_byte(uint8_t byte);
  void submit();
  void prompt();
  void close();

  RemoteOwner& owner_;
  const Kind kind_;
  lib::StringView refusal_;
  State state_;
  uint64_t login_deadline_;
  uint64_t delay_end_ = 0;
  unsigned failures_ = 0;
  uint16_t columns_ = 0, rows_ = 0;
  bool input_after_cr_ = false;   // the last password byte was CR (an LF after it is dropped)
  bool output_after_cr_ = false;  // the last output byte was CR (its LF needs no CR)
  size_t password_size_ = 0;
  bool password_too_long_ = false;
  uint64_t now_ = 0;
  char password_[kMaxPassword];
  size_t request_size_ = 0;
  char request_[kMaxRequest];
  lib::TelnetServer telnet_;
  lib::WebSocketReceiver websocket_;
};

// The parts of a WebSocket opening request that the handshake needs (lib/websocket.h), read
// from the request's head (the bytes up to the blank line), and the query's window size.
struct ParsedRequest {
  lib::WebSocketRequest websocket;
  lib::StringView target;  // the request target, query included
  lib::StringView host;
  lib::StringView origin;  // empty: none
  uint16_t columns = 0, rows = 0;
};
// Errors: false when the head is not an HTTP request (a malformed line).
bool parse_request(lib::StringView head, ParsedRequest* out);
// Whether an Origin header value (scheme://host[:port]) names the Host header's host[:port].
bool origin_matches(lib::StringView origin, lib::StringView host);

}  // namespace term
