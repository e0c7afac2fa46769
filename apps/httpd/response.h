#pragma once
// Responses: what a Responder decides for a request, and the head the Session sends for it.

#include <stddef.h>
#include <stdint.h>

#include "apps/httpd/request_parser.h"

namespace httpd {

// How a response's body is produced.
enum class BodyKind : uint8_t {
  Bytes,      // data[0..size): in memory for as long as the response lasts
  Pattern,    // size bytes where byte i is i % 251 (the download test's body)
  Generated,  // by Responder::generate, piece by piece, of a size not known in advance
};

struct Response {
  uint16_t status = 200;
  const char* content_type = nullptr;  // none: no Content-Type
  bool allow = false;                  // Allow: GET, HEAD (with 405)
  bool no_store = false;               // Cache-Control: no-store (live data)
  BodyKind body = BodyKind::Bytes;
  const uint8_t* data = nullptr;  // Bytes
  uint64_t size = 0;              // Bytes, Pattern
  uint32_t context = 0;           // Generated: the responder's (what to render from)
  uint64_t stamp = 0;             // Generated: the responder's (the moment it renders)
};

// What answers the requests a Session parses.
class Responder {
 public:
  // The response to a GET or HEAD of path (the target's path, without query; starts with
  // '/'). A Generated response holds what it renders from until release().
  virtual void respond(Method method, const char* path, size_t path_size, Response& out) = 0;
  // Writes the pieces of a Generated body from piece *cursor on into out[0..capacity) while
  // whole pieces fit, and moves *cursor past them; sets *done once nothing is left. Given
  // at least kMinGenerateRoom bytes it always writes a piece or finishes. Returns the bytes
  // written. The same cursor gives the same pieces until release() (the data is pinned;
  // only counters of the server itself may have moved on).
  virtual size_t generate(const Response& response, uint32_t* cursor, char* out, size_t capacity,
                          bool* done) = 0;
  // The response is over (sent, or its connection gone).
  virtual void release(const Response& response) = 0;

 protected:
  ~Responder() = default;
};

constexpr size_t kMinGenerateRoom = 2048;

// How the body's end is marked.
enum class Framing : uint8_t {
  Length,      // Content-Length
  Chunked,     // Transfer-Encoding: chunked (HTTP/1.1)
  UntilClose,  // the connection closes after it (a generated body for HTTP/1.0)
};

struct ResponseHead {
  uint16_t status = 200;
  const char* content_type = nullptr;
  Framing framing = Framing::Length;
  uint64_t content_length = 0;
  bool close = false;       // Connection: close
  bool keep_alive = false;  // Connection: keep-alive (HTTP/1.0 that asked for it)
  bool allow = false;
  bool no_store = false;
};

constexpr size_t kMaxHead = 512;

// Writes the status line and header fields, with the empty line that ends them. Returns the
// size, or 0 if they do not fit.
size_t write_head(const ResponseHead& head, char* out, size_t capacity);

// The reason phrase of a status code this server sends ("Not Found").
const char* reason_phrase(uint16_t status);

// The Content-Type for a file name by its extension (application/octet-stream if unknown).
const char* content_type_for(const char* name, size_t size);

}  // namespace httpd
