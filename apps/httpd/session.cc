#include "apps/httpd/session.h"

#include <lib/string_view.h>

namespace httpd {

namespace {

constexpr char kMethodNotAllowed[] = "Only GET and HEAD are served here.\n";
constexpr char kBadTarget[] = "The request target is neither a path nor an http URI.\n";
constexpr size_t kChunkPrefix = 6;  // four hex digits and CRLF: "0ff0\r\n"
constexpr size_t kChunkSuffix = 2;
constexpr char kLastChunk[] = "0\r\n\r\n";
constexpr size_t kLastChunkSize = sizeof(kLastChunk) - 1;
constexpr uint64_t kPatternModulus = 251;

}  // namespace

bool target_path(const char* target, size_t size, size_t* path_offset, size_t* path_size) {
  size_t start = 0;
  if (size > 0 && target[0] != '/') {
    // absolute-form: scheme "://" authority path-abempty [ "?" query ]
    size_t colon = 0;
    while (colon < size && target[colon] != ':') ++colon;
    const bool http = equals_lower(target, colon, "http") || equals_lower(target, colon, "https");
    if (!http || colon + 3 > size || target[colon + 1] != '/' || target[colon + 2] != '/') {
      return false;
    }
    start = colon + 3;
    while (start < size && target[start] != '/' && target[start] != '?') ++start;
    if (start == colon + 3) return false;  // no host
  }
  size_t end = start;
  while (end < size && target[end] != '?' && target[end] != '#') ++end;
  if (size == 0) return false;
  *path_offset = start;
  *path_size = end - start;  // 0 for "http://host" or "http://host?q": the path is "/"
  return true;
}

void Session::start(Responder* responder, SessionCounters* counters) {
  responder_ = responder;
  counters_ = counters;
  parser_.reset();
  in_start_ = in_end_ = 0;
  input_ended_ = closing_ = false;
  phase_ = Phase::None;
  holds_response_ = false;
  out_ = next_ = Output{};
  peeked_ = 0;
}

void Session::end() {
  if (holds_response_) responder_->release(response_);
  holds_response_ = false;
  phase_ = Phase::None;
  closing_ = true;
}

bool Session::receive(const uint8_t* data, size_t size) {
  if (closing_ || input_ended_) return true;  // nothing more is read: drop it
  if (in_start_ == in_end_) in_start_ = in_end_ = 0;
  if (size > kInputCapacity - in_end_) {
    __builtin_memmove(in_, in_ + in_start_, in_end_ - in_start_);
    in_end_ -= in_start_;
    in_start_ = 0;
    if (size > kInputCapacity - in_end_) return false;
  }
  __builtin_memcpy(in_ + in_end_, data, size);
  in_end_ += size;
  if (phase_ == Phase::None) advance();
  return true;
}

void Session::receive_end() {
  input_ended_ = true;
  if (phase_ == Phase::None) advance();
}

// Parses what has come, up to the next response to send (or the end of what has come).
void Session::advance() {
  while (phase_ == Phase::None && !closing_) {
    size_t used = 0;
    const uint64_t body_before = parser_.body_bytes();
    const RequestParser::Status status = parser_.feed(in_ + in_start_, in_end_ - in_start_, &used);
    in_start_ += used;
    counters_->body_bytes += parser_.body_bytes() - body_before;
    switch (status) {
      case RequestParser::Status::NeedMore:
        if (input_ended_) {
          if (!parser_.idle()) ++counters_->incomplete;
          closing_ = true;
        }
        return;
      case RequestParser::Status::Head: on_head(); break;
      case RequestParser::Status::Done: on_request(); break;
      case RequestParser::Status::Error: {
        const ParseError e = parser_.error();
        ++counters_->errors[static_cast<size_t>(e)];
        start_error(error_status(e), error_text(e), parser_.request().method == Method::Head);
        break;
      }
    }
  }
}

void Session::on_head() {
  const Request& r = parser_.request();
  if (r.method == Method::Other) {
    // Refused before its body is read: the connection closes after the answer.
    ++counters_->method_not_allowed;
    start_error(405, kMethodNotAllowed, false);
    return;
  }
  if (!target_path(r.target, r.target_size, &path_offset_, &path_size_)) {
    ++counters_->bad_target;
    start_error(400, kBadTarget, r.method == Method::Head);
  }
}

void Session::on_request() {
  const Request& r = parser_.request();
  ++counters_->requests;
  Response response;
  if (path_size_ == 0) {
    responder_->respond(r.method, "/", 1, response);
  } else {
    responder_->respond(r.method, r.target + path_offset_, path_size_, response);
  }
  const bool keep_alive = r.keep_alive;
  const bool head_only = r.method == Method::Head;
  const bool http10 = r.minor_version == 0;
  parser_.reset();
  start_response(response, keep_alive, head_only);
  if (http10 && keep_alive && !close_after_) head_.keep_alive = true;
  if (http10 && response.body == BodyKind::Generated) {
    // HTTP/1.0 has no chunked coding: the body ends where the connection does.
    head_.framing = Framing::UntilClose;
    head_.keep_alive = false;
    head_.close = close_after_ = true;
  }
}

void Session::start_response(const Response& response, bool keep_alive, bool head_only) {
  response_ = response;
  holds_response_ = true;
  head_only_ = head_only;
  close_after_ = !keep_alive;
  head_ = ResponseHead{};
  head_.status = response.status;
  head_.content_type = response.content_type;
  head_.framing = response.body == BodyKind::Generated ? Framing::Chunked : Framing::Length;
  head_.content_length = response.size;
  head_.close = close_after_;
  head_.allow = response.allow;
  head_.no_store = response.no_store;
  ++counters_->responses[response.status / 100 < 6 ? response.status / 100 : 0];
  if (head_only && response.body == BodyKind::Generated) {
    responder_->release(response_);  // nothing of it is rendered
    holds_response_ = false;
  }
  phase_ = Phase::Head;
  out_ = next_ = Output{Phase::Head, 0, 0};
}

void Session::start_error(uint16_t status, const char* text, bool head_only) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.allow = status == 405;
  r.data = reinterpret_cast<const uint8_t*>(text);
  r.size = lib::StringView(text).size();
  start_response(r, false, head_only);
}

size_t Session::peek_body(Output& o, uint8_t* out, size_t capacity) {
  const Response& r = response_;
  if (r.body == BodyKind::Bytes || r.body == BodyKind::Pattern) {
    const uint64_t left = r.size - o.offset;
    const size_t n = left < capacity ? static_cast<size_t>(left) : capacity;
    if (r.body == BodyKind::Bytes) {
      __builtin_memcpy(out, r.data + o.offset, n);
    } else {
      auto value = static_cast<uint8_t>(o.offset % kPatternModulus);
      for (size_t i = 0; i < n; ++i) {
        out[i] = value;
        value = value + 1 == kPatternModulus ? 0 : static_cast<uint8_t>(value + 1);
      }
    }
    o.offset += n;
    if (o.offset == r.size) o.phase = Phase::None;
    return n;
  }
  // Generated: one piece (or several) per message, each framed as a chunk under HTTP/1.1.
  const bool chunked = head_.framing == Framing::Chunked;
  const size_t framing = chunked ? kChunkPrefix + kChunkSuffix + kLastChunkSize : 0;
  if (capacity < framing + kMinGenerateRoom) return 0;  // next message
  bool done = false;
  const size_t room = capacity - framing;
  char* data = reinterpret_cast<char*>(out + (chunked ? kChunkPrefix : 0));
  const size_t n = responder_->generate(r, &o.cursor, data, room, &done);
  if (n == 0 && !done) {
    ++counters_->stalled;  // the responder broke its promise: end the body here, and the
    done = true;           // connection after it
    close_after_ = true;
  }
  size_t size = n;
  if (chunked && n > 0) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < 4; ++i) out[i] = kHex[(n >> (12 - 4 * i)) & 0xf];
    out[4] = '\r';
    out[5] = '\n';
    out[kChunkPrefix + n] = '\r';
    out[kChunkPrefix + n + 1] = '\n';
    size = kChunkPrefix + n + kChunkSuffix;
  }
  if (done) o.phase = chunked ? Phase::LastChunk : Phase::None;
  return size;
}

size_t Session::peek(uint8_t* out, size_t capacity) {
  Output o = out_;
  size_t n = 0;
  if (o.phase == Phase::Head) {
    n = write_head(head_, reinterpret_cast<char*>(out), capacity);
    o.phase = head_only_ ? Phase::None : Phase::Body;
    if (o.phase == Phase::Body && response_.body != BodyKind::Generated && response_.size == 0) {
      o.phase = Phase::None;
    }
  }
  if (o.phase == Phase::Body) n += peek_body(o, out + n, capacity - n);
  if (o.phase == Phase::LastChunk && capacity - n >= kLastChunkSize) {
    __builtin_memcpy(out + n, kLastChunk, kLastChunkSize);
    n += kLastChunkSize;
    o.phase = Phase::None;
  }
  next_ = o;
  peeked_ = n;
  return n;
}

void Session::commit() {
  counters_->bytes_out += peeked_;
  peeked_ = 0;
  out_ = next_;
  phase_ = out_.phase;
  if (phase_ == Phase::None) finish_response();
}

void Session::finish_response() {
  if (holds_response_) responder_->release(response_);
  holds_response_ = false;
  if (close_after_) {
    closing_ = true;
    return;
  }
  advance();  // the next pipelined request, if it has come
}

}  // namespace httpd
