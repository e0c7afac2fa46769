#pragma once
// An incremental HTTP/1.1 request parser (RFC 9112), fed bytes as they arrive, split
// anywhere. It allocates nothing and keeps only what answering needs: the method, the
// target (up to kMaxRequestLine bytes), the version, and what the framing and connection
// headers say. Bodies (Content-Length or chunked) are read and discarded, up to kMaxBody.
//
// Every byte is checked as it comes; the first fault stops the parser with a ParseError,
// which names the status to answer with (400, 413, 414, 431, 501, 505). After an error the
// connection must close: its framing can no longer be trusted.

#include <lib/checked_number.h>
#include <stddef.h>
#include <stdint.h>

namespace httpd {

constexpr size_t kMaxRequestLine = 2048;  // bytes of the request line, without its CRLF
constexpr size_t kMaxHeaderBytes = 8192;  // the header section (and, apart, the trailers)
constexpr uint64_t kMaxBody = 64 * 1024;
constexpr size_t kMaxMethod = 32;      // a longer method is one no server here implements
constexpr size_t kMaxChunkLine = 256;  // a chunk's size line with its extensions

enum class Method : uint8_t { Get, Head, Other };

enum class ParseError : uint8_t {
  None,
  BadRequestLine,          // 400: not METHOD SP TARGET SP VERSION, or a stray byte in it
  BadVersion,              // 400: the version is not HTTP/DIGIT.DIGIT
  UnsupportedVersion,      // 505: HTTP/0.x or HTTP/2 and later
  MethodTooLong,           // 501
  TargetTooLong,           // 414: the request line is over kMaxRequestLine
  BadHeader,               // 400: a field line without a colon, a bad name, a control character
  ObsFold,                 // 400: a field line continued on the next (obsolete line folding)
  HeadersTooLarge,         // 431: the header section (or the trailers) over kMaxHeaderBytes
  MissingHost,             // 400: HTTP/1.1 without Host
  DuplicateHost,           // 400
  BadContentLength,        // 400: not digits, or several different values
  LengthAndChunked,        // 400: both Content-Length and Transfer-Encoding
  ChunkedTwice,            // 400: chunked applied more than once
  TransferEncodingHttp10,  // 400: Transfer-Encoding in an HTTP/1.0 request
  UnknownCoding,           // 501: a transfer coding other than chunked
  BodyTooLarge,            // 413: a body over kMaxBody
  BadChunk,                // 400: a malformed chunk size, extension, data end or trailer
  kCount,
};

// The status code to answer a ParseError with.
uint16_t error_status(ParseError e);
// A short stable name ("bad_header"), for counters and logs.
const char* error_name(ParseError e);
// One sentence for the response body, with its newline ("A header field line is
// malformed.\n").
const char* error_text(ParseError e);

// What the parser learned of a request's head. Valid once feed() has returned Head.
struct Request {
  Method method = Method::Other;
  uint8_t minor_version = 1;     // HTTP/1.minor
  const char* target = nullptr;  // not NUL-terminated; into the parser
  size_t target_size = 0;
  bool keep_alive = true;  // HTTP/1.1 unless Connection: close; HTTP/1.0 only with keep-alive
  bool chunked = false;
  uint64_t content_length = 0;
};

class RequestParser {
 public:
  enum class Status : uint8_t {
    NeedMore,  // every byte given was taken; the request goes on
    Head,      // the header section is complete: request() is valid; the body follows
    Done,      // the request (body included) is complete
    Error,     // error() says what; the parser stays stopped until reset()
  };

  RequestParser() { reset(); }

  // Takes bytes from data[0..size) up to the next event and sets *consumed to how many.
  // Head is returned once per request, even when there is no body (the next call, with
  // any bytes or none, then returns Done at once). After Done the bytes that follow belong
  // to the next request: call reset() first.
  Status feed(const uint8_t* data, size_t size, size_t* consumed);

  // Ready for a new request (keeps nothing of the last).
  void reset();

  const Request& request() const { return request_; }
  ParseError error() const { return error_; }
  // Nothing of a request has come yet (empty lines before one do not count).
  bool idle() const { return state_ == State::LineStart && !started_; }
  // Body bytes read so far (and discarded).
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  enum class State : uint8_t {
    LineStart,
    LineStartLf,
    Method,
    Target,
    Version,
    RequestLineLf,
    FieldStart,
    FieldName,
    FieldValue,
    FieldLf,
    HeadEndLf,
    Body,
    ChunkSize,
    ChunkExtension,
    ChunkSizeLf,
    ChunkData,
    ChunkDataCr,
    ChunkDataLf,
    Done,
    Failed,
  };
  // The headers whose values the parser reads.
  enum class Field : uint8_t { Other, Host, ContentLength, TransferEncoding, Connection };

  Status fail(ParseError e);
  Status step(uint8_t c);
  bool request_line_done(ParseError* e);
  Status field_byte(uint8_t c);
  void field_name_done();
  void element_byte(uint8_t c);
  void element_done();
  void field_done();
  Status section_done();
  ParseError head_done();
  Status chunk_line_byte(uint8_t c);
  Status chunk_line_done();

  State state_ = State::LineStart;
  ParseError error_ = ParseError::None;
  bool started_ = false;
  Request request_;

  size_t line_bytes_ = 0;    // of the request line or the chunk size line so far
  size_t header_bytes_ = 0;  // of the header section (or the trailers) so far
  char method_[kMaxMethod];
  size_t method_size_ = 0;
  char target_[kMaxRequestLine];
  char version_[8];
  size_t version_size_ = 0;

  // The field line being read.
  char name_[24];  // lower case; longer names are none that matter
  size_t name_size_ = 0;
  Field field_ = Field::Other;
  // The list element being read in a Content-Length, Transfer-Encoding or Connection value.
  char element_[16];  // lower case
  size_t element_size_ = 0;
  bool element_spaced_ = false;            // whitespace came after the element's text
  bool element_bad_ = false;               // a byte no element of this field may hold, or too long
  lib::NumberAccumulator element_number_;  // Content-Length: any value past 2^64 - 1 is bad
  unsigned elements_ = 0;                  // in this field line's value
  unsigned fields_ = 0;                    // field lines so far in this section
  bool trailers_ = false;  // the section being read is the trailers of a chunked body

  // What the headers said.
  unsigned hosts_ = 0;
  bool length_seen_ = false;
  bool length_bad_ = false;
  uint64_t length_ = 0;
  bool coding_seen_ = false;
  bool coding_unknown_ = false;
  bool coding_twice_ = false;
  bool chunked_seen_ = false;
  bool empty_list_ = false;  // a Transfer-Encoding with no coding in it
  bool wants_close_ = false;
  bool wants_keep_alive_ = false;

  // The body.
  uint64_t body_bytes_ = 0;
  uint64_t remaining_ = 0;                 // of the Content-Length body, or of the chunk
  lib::NumberAccumulator chunk_size_{16};  // the size line's digits: past 2^64 - 1 is bad
  bool chunk_space_ = false;  // whitespace after the size: only an extension may follow
};

// ASCII helpers shared by the parser and the router.
constexpr char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
// Whether text[0..size) equals the lower-case word, ignoring case.
bool equals_lower(const char* text, size_t size, const char* word);

}  // namespace httpd
