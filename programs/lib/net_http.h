#pragma once
// HTTP/1.1 for wget (RFC 9110, 9112): http:// URLs, the request, the response's head, and
// chunked bodies, each parsed without trusting the server: bounded sizes, numbers checked
// for overflow, anything malformed refused. Pure: builds on the host.

#include <stddef.h>
#include <stdint.h>

#include <lib/string_view.h>

namespace cmd::net {

constexpr size_t kUrlMaxHost = 253;
constexpr size_t kUrlMaxPath = 2048;
constexpr size_t kHttpMaxHead = size_t{16} * 1024;  // a response's status line and headers
constexpr size_t kHttpMaxReason = 64;
constexpr size_t kHttpMaxChunkLine = 1024;  // a chunk's size line, with its extensions
constexpr size_t kHttpMaxTrailer = size_t{16} * 1024;

struct Url {
  char host[kUrlMaxHost + 1] = {};
  uint16_t port = 80;
  bool port_given = false;
  char path[kUrlMaxPath + 1] = {};  // from '/', with the query; without the fragment
};

enum class UrlStatus : uint8_t { Ok, Malformed, UnsupportedScheme };

// "http://HOST[:PORT][/PATH]" (the scheme in any case; no user info). A URL with another
// scheme ("https://", "ftp://") is UnsupportedScheme; one without "SCHEME://" is taken as
// http (as wget does with "example.org/x").
UrlStatus parse_url(lib::StringView text, Url* out);

// A Location header against the URL it came from: absolute, "//host/...", "/path" or a path
// relative to base's directory.
UrlStatus resolve_location(const Url& base, lib::StringView location, Url* out);

// The file name wget saves a URL to: the path's last segment without the query, or
// "index.html".
lib::StringView url_file_name(const Url& url);

// "GET PATH HTTP/1.1" with Host, User-Agent, Accept and Connection: close. Returns its size,
// or 0 if it does not fit.
size_t http_build_request(const Url& url, char* out, size_t capacity);

// Where the head ends in data[0..size): the offset just past the empty line (CRLF CRLF, or
// LF LF), or 0 while it has not come.
size_t http_head_end(const char* data, size_t size);

struct HttpHead {
  uint32_t version_minor = 1;  // HTTP/1.x
  uint32_t status = 0;         // 100..999
  char reason[kHttpMaxReason + 1] = {};
  bool has_length = false;
  uint64_t length = 0;  // Content-Length
  bool chunked = false;
  bool has_location = false;
  char location[kUrlMaxPath + kUrlMaxHost + 16] = {};
};

// Parses a whole head (through its empty line; at most kHttpMaxHead bytes). False for
// anything malformed: a bad status line, a header without a name or colon, whitespace
// before the colon, a folded line, a Content-Length that is not digits or past 2^64-1, two
// that differ, a control byte, a Location too long.
bool http_parse_head(const char* head, size_t size, HttpHead* out);

// A chunked body, decoded as it arrives (RFC 9112 section 7.1).
class ChunkedDecoder {
 public:
  enum class Result : uint8_t { More, Done, Malformed };
  // Reads from in[0..size): *used gets how much it took, and *data / *data_size the body
  // bytes found in it (a span of in; at most one per call). Call again with the rest.
  Result next(const char* in, size_t size, size_t* used, const char** data, size_t* data_size);
  bool done() const { return state_ == State::Done; }

 private:
  enum class State : uint8_t { Size, Extension, SizeEnd, Data, DataEnd, Trailer, Done, Bad };
  State state_ = State::Size;
  uint64_t remaining_ = 0;
  size_t digits_ = 0;
  size_t line_ = 0;     // bytes of the size line so far
  size_t trailer_ = 0;  // bytes of trailers so far
  size_t trailer_line_ = 0;
  bool cr_ = false;
};

}  // namespace cmd::net
