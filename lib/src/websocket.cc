#include <lib/base64.h>
#include <lib/sha1.h>
#include <lib/websocket.h>

namespace lib {

namespace {

constexpr StringView kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455, 1.3

StringView trim(StringView s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && (s[begin] == ' ' || s[begin] == '\t')) ++begin;
  while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  return s.substr(begin, end - begin);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(StringView a, StringView b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Whether a comma-separated header value lists `token` (case-insensitive, RFC 9110 5.6.1).
bool lists_token(StringView value, StringView token) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == StringView::kNpos) end = value.size();
    if (equal_ignoring_case(trim(value.substr(start, end - start)), token)) return true;
    start = end + 1;
  }
  return false;
}

bool valid_close_code(uint16_t code) {
  // RFC 6455 7.4.1 and the IANA registry: 1004 is reserved, 1005 and 1006 are never sent,
  // 1015 is TLS's; 3000..4999 belong to libraries and applications.
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

bool is_control(WebSocketOpcode op) { return (static_cast<uint8_t>(op) & 0x8) != 0; }

}  // namespace

Result<void> websocket_check_request(const WebSocketRequest& request) {
  if (!request.is_get || !request.http_1_1) return Error::InvalidArgument;
  if (!lists_token(request.upgrade, "websocket")) return Error::InvalidArgument;
  if (!lists_token(request.connection, "upgrade")) return Error::InvalidArgument;
  uint8_t nonce[18];
  auto nonce_size = base64_decode(trim(request.key), nonce, sizeof nonce);
  if (!nonce_size.ok() || nonce_size.value() != 16) return Error::InvalidArgument;
  if (!(trim(request.version) == "13")) return Error::NotSupported;
  return {};
}

void websocket_accept(StringView key, char out[kWebSocketAcceptSize]) {
  Sha1 h;
  h.update(trim(key));
  h.update(kGuid);
  uint8_t digest[Sha1::kDigestSize];
  h.final(digest);
  // 28 characters always hold the encoding of 20 bytes: this cannot fail.
  auto encoded = base64_encode(digest, sizeof digest, out, kWebSocketAcceptSize);
  (void)encoded;
}

Result<size_t> websocket_handshake_response(StringView key, char* out, size_t capacity) {
  constexpr StringView kHead =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  constexpr StringView kTail = "\r\n\r\n";
  const size_t length = kHead.size() + kWebSocketAcceptSize + kTail.size();
  if (capacity < length) return Error::BufferTooSmall;
  size_t n = 0;
  for (char c : kHead) out[n++] = c;
  websocket_accept(key, out + n);
  n += kWebSocketAcceptSize;
  for (char c : kTail) out[n++] = c;
  return n;
}

size_t websocket_frame_header(WebSocketOpcode opcode, bool fin, uint64_t payload_size,
                              uint8_t out[kWebSocketMaxHeader]) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0) | static_cast<uint8_t>(opcode));
  if (payload_size < 126) {
    out[1] = static_cast<uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(payload_size >> 8);
    out[3] = static_cast<uint8_t>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(payload_size >> (56 - 8 * i));
  return 10;
}

Result<size_t> websocket_encode_frame(WebSocketOpcode opcode, bool fin, const void* payload,
                                      size_t size, uint8_t* out, size_t capacity) {
  if (is_control(opcode) && (size > kWebSocketMaxControlPayload || !fin)) {
    return Error::InvalidArgument;
  }
  uint8_t header[kWebSocketMaxHeader];
  const size_t header_size = websocket_frame_header(opcode, fin, size, header);
  if (capacity < header_size || capacity - header_size < size) return Error::BufferTooSmall;
  for (size_t i = 0; i < header_size; ++i) out[i] = header[i];
  const auto* p = static_cast<const uint8_t*>(payload);
  for (size_t i = 0; i < size; ++i) out[header_size + i] = p[i];
  return header_size + size;
}

void WebSocketReceiver::send_frame(WebSocketOpcode opcode, const uint8_t* payload, size_t size) {
  uint8_t frame[2 + kWebSocketMaxControlPayload];
  auto n = websocket_encode_frame(opcode, true, payload, size, frame, sizeof frame);
  if (n.ok()) handler_.websocket_send(frame, n.value());
}

void WebSocketReceiver::fail(uint16_t code) {
  if (state_ == State::Open) {
    const uint8_t payload[2] = {static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code)};
    send_frame(WebSocketOpcode::Close, payload, sizeof payload);
  }
  state_ = State::Closed;
  handler_.websocket_closed(code);
}

void WebSocketReceiver::close(uint16_t code, StringView reason) {
  if (state_ != State::Open) return;
  uint8_t payload[kWebSocketMaxControlPayload];
  payload[0] = static_cast<uint8_t>(code >> 8);
  payload[1] = static_cast<uint8_t>(code);
  size_t n = 2;
  for (size_t i = 0; i < reason.size() && n < sizeof payload; ++i) {
    payload[n++] = static_cast<uint8_t>(reason[i]);
  }
  send_frame(WebSocketOpcode::Close, payload, n);
  state_ = State::CloseSent;
}

void WebSocketReceiver::receive(const uint8_t* data, size_t size) {
  size_t i = 0;
  while (i < size && state_ != State::Closed) {
    if (!in_payload_) {
      header_[header_size_++] = data[i++];
      if (header_size_ < header_need_) continue;
      if (header_size_ == 2) {
        // The first two bytes tell how long the header is; check them before reading on.
        const uint8_t b0 = header_[0];
        const uint8_t b1 = header_[1];
        const auto op = static_cast<WebSocketOpcode>(b0 & 0x0f);
        const uint8_t length7 = b1 & 0x7f;
        const bool known = op == WebSocketOpcode::Continuation || op == WebSocketOpcode::Text ||
                           op == WebSocketOpcode::Binary || op == WebSocketOpcode::Close ||
                           op == WebSocketOpcode::Ping || op == WebSocketOpcode::Pong;
        // No extension was negotiated, so the RSV bits must be clear (section 5.2); a client's
        // frame must be masked (5.1); a control frame is never fragmented and holds at most
        // 125 bytes (5.5).
        if ((b0 & 0x70) != 0 || !known || (b1 & 0x80) == 0 ||
            (is_control(op) && ((b0 & 0x80) == 0 || length7 > 125))) {
          fail(websocket_status::kProtocolError);
          return;
        }
        header_need_ = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + 4;
        continue;
      }
      header_complete();
      continue;
    }
    // Payload bytes, as many as this frame still has in the input.
    const size_t take = payload_left_ < size - i ? static_cast<size_t>(payload_left_) : size - i;
    payload(data + i, take);
    i += take;
    if (state_ == State::Closed) return;
    if (payload_left_ == 0) frame_complete();
  }
}

void WebSocketReceiver::header_complete() {
  fin_ = (header_[0] & 0x80) != 0;
  opcode_ = static_cast<WebSocketOpcode>(header_[0] & 0x0f);
  const uint8_t length7 = header_[1] & 0x7f;
  uint64_t length = length7;
  size_t at = 2;
  if (length7 == 126) {
    length = static_cast<uint64_t>(header_[2]) << 8 | header_[3];
    at = 4;
  } else if (length7 == 127) {
    length = 0;
    for (int k = 0; k < 8; ++k) length = length << 8 | header_[2 + k];
    at = 10;
    // The most significant bit must be 0 (section 5.2).
    if (length >> 63) {
      fail(websocket_status::kProtocolError);
      return;
    }
  }
  for (int k = 0; k < 4; ++k) mask_[k] = header_[at + k];

  if (!is_control(opcode_)) {
    const bool continuation = opcode_ == WebSocketOpcode::Continuation;
    // A continuation needs a message to continue; a new message must wait for the last.
    if (continuation != in_message_) {
      fail(websocket_status::kProtocolError);
      return;
    }
    if (!continuation) {
      in_message_ = true;
      message_text_ = opcode_ == WebSocketOpcode::Text;
      message_size_ = 0;
      utf8_.reset();
    }
    if (length > max_message_ - message_size_) {
      fail(websocket_status::kMessageTooBig);
      return;
    }
    message_size_ += length;
  }
  header_size_ = 0;
  header_need_ = 2;
  control_size_ = 0;
  payload_left_ = length;
  payload_done_ = 0;
  in_payload_ = true;
  if (length == 0) frame_complete();
}

void WebSocketReceiver::payload(const uint8_t* data, size_t size) {
  if (is_control(opcode_)) {
    // At most 125 bytes, checked with the header.
    for (size_t i = 0; i < size; ++i) {
      control_[control_size_++] = data[i] ^ mask_[(payload_done_ + i) & 3];
    }
    payload_done_ += size;
    payload_left_ -= size;
    return;
  }
  uint8_t chunk[256];
  while (size > 0) {
    const size_t n = size < sizeof chunk ? size : sizeof chunk;
    for (size_t i = 0; i < n; ++i) chunk[i] = data[i] ^ mask_[(payload_done_ + i) & 3];
    payload_done_ += n;
    payload_left_ -= n;
    data += n;
    size -= n;
    if (state_ == State::CloseSent) continue;  // after our close, messages are dropped
    if (message_text_) {
      for (size_t i = 0; i < n; ++i) {
        if (utf8_.feed(chunk[i]) == Utf8Checker::Step::Invalid) {
          // What came before the fault goes on, as it would had the frame come cut there.
          if (i > 0) handler_.websocket_data(true, chunk, i);
          fail(websocket_status::kInvalidPayload);
          return;
        }
      }
    }
    handler_.websocket_data(message_text_, chunk, n);
  }
}

void WebSocketReceiver::frame_complete() {
  in_payload_ = false;
  if (is_control(opcode_)) {
    control_frame();
    return;
  }
  if (!fin_) return;
  in_message_ = false;
  if (state_ == State::CloseSent) return;
  if (message_text_ && !utf8_.at_boundary()) {
    fail(websocket_status::kInvalidPayload);
    return;
  }
  handler_.websocket_message_end(message_text_);
}

void WebSocketReceiver::control_frame() {
  switch (opcode_) {
    case WebSocketOpcode::Ping:
      if (state_ == State::Open) send_frame(WebSocketOpcode::Pong, control_, control_size_);
      return;
    case WebSocketOpcode::Close: {
      uint16_t code = websocket_status::kNoStatus;
      if (control_size_ == 1) {
        fail(websocket_status::kProtocolError);
        return;
      }
      if (control_size_ >= 2) {
        code = static_cast<uint16_t>(control_[0] << 8 | control_[1]);
        if (!valid_close_code(code)) {
          fail(websocket_status::kProtocolError);
          return;
        }
        if (!is_valid_utf8(control_ + 2, control_size_ - 2)) {
          fail(websocket_status::kInvalidPayload);
          return;
        }
      }
      // Answer with the same code (section 5.5.1), unless this answers our own close.
      if (state_ == State::Open)
        send_frame(WebSocketOpcode::Close, control_, control_size_ >= 2 ? 2 : 0);
      state_ = State::Closed;
      handler_.websocket_closed(code);
      return;
    }
    default: return;  // a pong: nothing to do
  }
}

}  // namespace lib
