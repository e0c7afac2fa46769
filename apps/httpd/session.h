#pragma once
// One HTTP connection's exchange, without the sockets: bytes in (receive), messages out
// (peek, then commit once the message is sent). A Session parses the requests that arrive,
// asks its Responder for each response and frames it, one response at a time and in order,
// so pipelined requests are answered in the order they came. It holds at most one read of
// input (kInputCapacity bytes): while a response is going out it takes no more, and the
// owner stops reading the connection (back-pressure towards the client). A message that
// could not be sent is simply asked for again: nothing advances until commit.
//
// Its state has a fixed size; nothing is allocated.

#include <stddef.h>
#include <stdint.h>

#include "apps/httpd/request_parser.h"
#include "apps/httpd/response.h"

namespace httpd {

struct SessionCounters {
  uint64_t requests = 0;       // GET and HEAD requests answered by the responder
  uint64_t responses[6] = {};  // by status class: [2] is 2xx, [4] is 4xx, ...
  uint64_t errors[static_cast<size_t>(ParseError::kCount)] = {};  // refused by the parser
  uint64_t method_not_allowed = 0;
  uint64_t bad_target = 0;  // neither a path nor an absolute http URI
  uint64_t incomplete = 0;  // the client stopped sending in the middle of a request
  uint64_t stalled = 0;     // a generated body that made no progress (cut short)
  uint64_t body_bytes = 0;  // request body bytes read and discarded
  uint64_t bytes_out = 0;   // response bytes sent
};

class Session {
 public:
  static constexpr size_t kInputCapacity = 4096;
  // peek needs room for a head and a generated piece with its chunk framing.
  static constexpr size_t kMinPeek = kMaxHead + kMinGenerateRoom + 16;

  // Begins a connection.
  void start(Responder* responder, SessionCounters* counters);
  // The connection is gone: lets go of the response in progress, if any.
  void end();

  // Takes bytes read from the connection. Returns false (taking nothing) when they do not
  // fit: the owner reads only while wants_input().
  bool receive(const uint8_t* data, size_t size);
  // The client sends no more: the requests already complete are answered, then closing().
  void receive_end();

  // A message is ready to go out.
  bool has_output() const { return phase_ != Phase::None; }
  // Writes the next message into out[0..capacity) (capacity >= kMinPeek) and returns its
  // size. Nothing changes until commit(): a message that could not be sent is peeked again.
  size_t peek(uint8_t* out, size_t capacity);
  // The last peeked message was sent.
  void commit();

  // Reading more would help: no response is waiting to go out, and the connection stays.
  bool wants_input() const { return phase_ == Phase::None && !closing_; }
  // Nothing more will be sent: the connection should close (after an error, a response
  // without keep-alive, or the client's end of input).
  bool closing() const { return closing_ && phase_ == Phase::None; }
  // The client has said it sends no more.
  bool input_ended() const { return input_ended_; }
  // Between requests: nothing of the next one has come, nothing is going out.
  bool idle() const { return phase_ == Phase::None && parser_.idle() && in_start_ == in_end_; }

 private:
  enum class Phase : uint8_t { None, Head, Body, LastChunk };
  struct Output {
    Phase phase = Phase::None;
    uint64_t offset = 0;  // of a Bytes or Pattern body
    uint32_t cursor = 0;  // of a Generated body
  };

  void advance();
  void on_head();
  void on_request();
  void start_response(const Response& response, bool keep_alive, bool head_only);
  void start_error(uint16_t status, const char* text, bool head_only);
  void finish_response();
  size_t peek_body(Output& o, uint8_t* out, size_t capacity);

  Responder* responder_ = nullptr;
  SessionCounters* counters_ = nullptr;
  RequestParser parser_;
  uint8_t in_[kInputCapacity];
  size_t in_start_ = 0, in_end_ = 0;
  bool input_ended_ = false;
  bool closing_ = false;
  size_t path_offset_ = 0, path_size_ = 0;  // in the parser's target

  // The response going out.
  Phase phase_ = Phase::None;
  Response response_;
  ResponseHead head_;
  bool head_only_ = false;
  bool close_after_ = false;
  bool holds_response_ = false;  // release() is owed
  Output out_;
  Output next_;  // after the last peeked message
  size_t peeked_ = 0;
};

// Finds the path in a request target (RFC 9112 3.2): origin-form "/path?query" or
// absolute-form "http://host/path?query". Returns false for any other form.
bool target_path(const char* target, size_t size, size_t* path_offset, size_t* path_size);

}  // namespace httpd
