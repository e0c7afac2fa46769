#pragma once
// The server side of the WebSocket protocol (RFC 6455), for httpd to take the upgrade and the
// terminal server to carry a session over it:
//
//  - the opening handshake: websocket_check_request() decides whether an HTTP request may be
//    upgraded, websocket_handshake_response() writes the 101 answer with its
//    Sec-WebSocket-Accept (base64 of SHA-1 of the key and the protocol's GUID);
//  - WebSocketReceiver parses the client's frames, split anywhere: unmasks them (a client's
//    frame must be masked), joins fragments, answers pings, runs the close handshake, and
//    fails the connection (a close frame with the status, then nothing more) on a protocol
//    error (1002), a text message that is not UTF-8 (1007) or a message over its limit
//    (1009);
//  - websocket_frame_header() and websocket_encode_frame() write the server's frames, which
//    are never masked.
//
// Message payloads are not gathered: they reach the handler in pieces as they arrive, so
// the limit on a message is a policy, not a buffer. Only control frames (at most 125 bytes)
// are kept whole. Extensions and subprotocols are not offered.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>
#include <lib/string_view.h>
#include <lib/utf8.h>

namespace lib {

enum class WebSocketOpcode : uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
};

// Close status codes (RFC 6455, section 7.4.1).
namespace websocket_status {
constexpr uint16_t kNormal = 1000;
constexpr uint16_t kGoingAway = 1001;
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kUnsupportedData = 1003;
constexpr uint16_t kNoStatus = 1005;  // reported when a close frame has no code; never sent
constexpr uint16_t kInvalidPayload = 1007;
constexpr uint16_t kPolicyViolation = 1008;
constexpr uint16_t kMessageTooBig = 1009;
constexpr uint16_t kInternalError = 1011;
}  // namespace websocket_status

// --- The opening handshake (RFC 6455, section 4.2) ---

// The header values of the client's request that the handshake depends on, as the HTTP
// parser found them (surrounding spaces and tabs are ignored).
struct WebSocketRequest {
  bool is_get = false;    // the method is GET
  bool http_1_1 = false;  // the version is HTTP/1.1 or later
  StringView upgrade;     // Upgrade: must list "websocket"
  StringView connection;  // Connection: must list "Upgrade"
  StringView version;     // Sec-WebSocket-Version: must be 13
  StringView key;         // Sec-WebSocket-Key: base64 of 16 bytes
};

// Whether the request may be upgraded. Errors: InvalidArgument (not a valid opening
// handshake: answer 400), NotSupported (a Sec-WebSocket-Version other than 13: answer 426
// with "Sec-WebSocket-Version: 13").
Result<void> websocket_check_request(const WebSocketRequest& request);

constexpr size_t kWebSocketAcceptSize = 28;  // base64 of a 20-byte SHA-1 digest
// The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (spaces and tabs around it ignored).
void websocket_accept(StringView key, char out[kWebSocketAcceptSize]);

// Writes "HTTP/1.1 101 Switching Protocols" with Upgrade, Connection and Sec-WebSocket-Accept
// and the blank line, and returns its length. Errors: BufferTooSmall.
Result<size_t> websocket_handshake_response(StringView key, char* out, size_t capacity);

// --- Frames from the server ---

constexpr size_t kWebSocketMaxHeader = 10;  // an unmasked frame's header, at most
constexpr size_t kWebSocketMaxControlPayload = 125;
// Writes the header of an unmasked frame and returns its length (2, 4 or 10).
size_t websocket_frame_header(WebSocketOpcode opcode, bool fin, uint64_t payload_size,
                              uint8_t out[kWebSocketMaxHeader]);
// Writes a whole unmasked frame (header and payload) and returns its length. Errors:
// BufferTooSmall, InvalidArgument (a control frame with more than 125 bytes of payload).
Result<size_t> websocket_encode_frame(WebSocketOpcode opcode, bool fin, const void* payload,
                                      size_t size, uint8_t* out, size_t capacity);

// --- Frames from the client ---

class WebSocketHandler {
 public:
  // A piece of a text or binary message's payload, unmasked; pieces come in order. Text has
  // been checked as UTF-8 so far (a character may be cut between pieces).
  virtual void websocket_data(bool text, const uint8_t* data, size_t size) = 0;
  // The message that the last pieces belong to is complete.
  virtual void websocket_message_end(bool /*text*/) {}
  // Bytes to send to the client: pongs and close frames.
  virtual void websocket_send(const uint8_t* data, size_t size) = 0;
  // The connection is over (the close handshake is done, or the receiver failed it): once
  // the bytes given to websocket_send are out, close the TCP connection. `code` is the
  // client's status (kNoStatus if it gave none) or the one the receiver failed with.
  virtual void websocket_closed(uint16_t code) = 0;

 protected:
  ~WebSocketHandler() = default;
};

class WebSocketReceiver {
 public:
  static constexpr uint64_t kDefaultMaxMessage = 1 << 20;

  // max_message: the most payload bytes one message (all its fragments) may carry.
  explicit WebSocketReceiver(WebSocketHandler& handler, uint64_t max_message = kDefaultMaxMessage)
      : handler_(handler), max_message_(max_message) {}

  // Parses bytes from the client, in pieces of any size. Ignored once closed().
  void receive(const uint8_t* data, size_t size);
  // Starts the close handshake from the server's side: sends a close frame with `code` (and
  // an optional reason of at most 123 bytes); messages that still arrive are dropped until the
  // client's close frame ends the connection.
  void close(uint16_t code, StringView reason = {});

  bool closed() const { return state_ == State::Closed; }

 private:
  enum class State : uint8_t { Open, CloseSent, Closed };

  void header_complete();
  void payload(const uint8_t* data, size_t size);
  void frame_complete();
  void control_frame();
  void fail(uint16_t code);
  void send_frame(WebSocketOpcode opcode, const uint8_t* payload, size_t size);

  WebSocketHandler& handler_;
  const uint64_t max_message_;
  State state_ = State::Open;

  // The frame being read.
  uint8_t header_[14];  // 2 bytes, up to 8 of length, 4 of mask
  size_t header_size_ = 0;
  size_t header_need_ = 2;
  bool in_payload_ = false;
  bool fin_ = false;
  WebSocketOpcode opcode_ = WebSocketOpcode::Continuation;
  uint8_t mask_[4] = {};
  uint64_t payload_left_ = 0;
  uint64_t payload_done_ = 0;  // for the mask's position
  uint8_t control_[kWebSocketMaxControlPayload];
  size_t control_size_ = 0;

  // The message being read (a data frame and its continuations).
  bool in_message_ = false;
  bool message_text_ = false;
  uint64_t message_size_ = 0;
  Utf8Checker utf8_;
};

}  // namespace lib
