#include "apps/httpd/request_parser.h"

namespace httpd {

namespace {

// tchar (RFC 9110 5.6.2): the bytes of a token (method, field name, coding).
bool is_tchar(uint8_t c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

// A byte of a field value: VCHAR, obs-text, SP or HTAB (no control character, no DEL).
bool is_field_byte(uint8_t c) { return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f); }

bool is_space(uint8_t c) { return c == ' ' || c == '\t'; }

int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct ErrorInfo {
  uint16_t status;
  const char* name;
  const char* text;
};

constexpr ErrorInfo kErrors[] = {
    {200, "none", "No error.\n"},
    {400, "bad_request_line", "The request line is malformed.\n"},
    {400, "bad_version", "The HTTP version is malformed.\n"},
    {505, "unsupported_version", "Only HTTP/1.0 and HTTP/1.1 are served.\n"},
    {501, "method_too_long", "The method is longer than any this server implements.\n"},
    {414, "target_too_long", "The request line is longer than 2048 bytes.\n"},
    {400, "bad_header", "A header field line is malformed.\n"},
    {400, "obs_fold", "A header field is folded over several lines (obsolete line folding).\n"},
    {431, "headers_too_large", "The header section is larger than 8192 bytes.\n"},
    {400, "missing_host", "An HTTP/1.1 request must have a Host header field.\n"},
    {400, "duplicate_host", "The request has more than one Host header field.\n"},
    {400, "bad_content_length", "The Content-Length is not a single decimal number.\n"},
    {400, "length_and_chunked", "The request has both Content-Length and Transfer-Encoding.\n"},
    {400, "chunked_twice", "The chunked transfer coding is applied more than once.\n"},
    {400, "transfer_encoding_http10", "An HTTP/1.0 request may not use Transfer-Encoding.\n"},
    {501, "unknown_coding", "The only transfer coding understood is chunked.\n"},
    {413, "body_too_large", "The request body is larger than 65536 bytes.\n"},
    {400, "bad_chunk", "The chunked request body is malformed.\n"},
};
static_assert(sizeof(kErrors) / sizeof(kErrors[0]) == static_cast<size_t>(ParseError::kCount));

const ErrorInfo& info(ParseError e) {
  const auto i = static_cast<size_t>(e);
  return kErrors[i < static_cast<size_t>(ParseError::kCount) ? i : 0];
}

}  // namespace

uint16_t error_status(ParseError e) { return info(e).status; }
const char* error_name(ParseError e) { return info(e).name; }
const char* error_text(ParseError e) { return info(e).text; }

bool equals_lower(const char* text, size_t size, const char* word) {
  size_t i = 0;
  for (; i < size; ++i) {
    if (word[i] == '\0' || to_lower(text[i]) != word[i]) return false;
  }
  return word[i] == '\0';
}

void RequestParser::reset() {
  state_ = State::LineStart;
  error_ = ParseError::None;
  started_ = false;
  request_ = Request{};
  line_bytes_ = header_bytes_ = 0;
  method_size_ = version_size_ = name_size_ = element_size_ = 0;
  field_ = Field::Other;
  element_spaced_ = element_bad_ = false;
  element_number_ = lib::NumberAccumulator();
  elements_ = 0;
  fields_ = 0;
  trailers_ = false;
  hosts_ = 0;
  length_seen_ = length_bad_ = false;
  length_ = 0;
  coding_seen_ = coding_unknown_ = coding_twice_ = chunked_seen_ = empty_list_ = false;
  wants_close_ = wants_keep_alive_ = false;
  body_bytes_ = remaining_ = 0;
  chunk_size_ = lib::NumberAccumulator(16);
  chunk_space_ = false;
}

RequestParser::Status RequestParser::fail(ParseError e) {
  state_ = State::Failed;
  error_ = e;
  return Status::Error;
}

void RequestParser::field_name_done() {
  field_ = Field::Other;
  if (trailers_) return;  // trailers never frame the message nor steer the connection
  const char* name = name_;
  const size_t n = name_size_;
  if (equals_lower(name, n, "host")) field_ = Field::Host;
  if (equals_lower(name, n, "content-length")) field_ = Field::ContentLength;
  if (equals_lower(name, n, "transfer-encoding")) field_ = Field::TransferEncoding;
  if (equals_lower(name, n, "connection")) field_ = Field::Connection;
  element_size_ = 0;
  element_spaced_ = element_bad_ = false;
  element_number_ = lib::NumberAccumulator();
  elements_ = 0;
}

// A byte of a list-valued field (RFC 9110 5.6.1: elements separated by commas, with
// optional whitespace around them; empty elements are allowed and ignored).
void RequestParser::element_byte(uint8_t c) {
  if (c == ',') return element_done();
  if (is_space(c)) {
    if (element_size_ > 0) element_spaced_ = true;
    return;
  }
  if (element_spaced_) element_bad_ = true;  // whitespace inside an element
  if (field_ == Field::ContentLength) {
    const int digit = lib::decimal_digit(static_cast<char>(c));
    if (digit < 0 || !element_number_.push(static_cast<unsigned>(digit))) element_bad_ = true;
    element_size_ = 1;  // only "present" matters
    return;
  }
  if (element_size_ < sizeof(element_)) {
    element_[element_size_++] = to_lower(static_cast<char>(c));
  } else {
    element_bad_ = true;  // longer than any word this parser looks for
  }
}

void RequestParser::element_done() {
  if (element_size_ > 0) {
    ++elements_;
    const bool bad = element_bad_;
    switch (field_) {
      case Field::ContentLength:
        if (bad || (length_seen_ && element_number_.value() != length_)) length_bad_ = true;
        length_seen_ = true;
        length_ = element_number_.value();
        break;
      case Field::TransferEncoding:
        coding_seen_ = true;
        if (!bad && equals_lower(element_, element_size_, "chunked")) {
          if (chunked_seen_) coding_twice_ = true;
          chunked_seen_ = true;
        } else {
          coding_unknown_ = true;
        }
        break;
      case Field::Connection:
        if (bad) break;
        if (equals_lower(element_, element_size_, "close")) wants_close_ = true;
        if (equals_lower(element_, element_size_, "keep-alive")) wants_keep_alive_ = true;
        break;
      case Field::Other:
      case Field::Host: break;
    }
  }
  element_size_ = 0;
  element_spaced_ = element_bad_ = false;
  element_number_ = lib::NumberAccumulator();
}

// The end of a field line.
void RequestParser::field_done() {
  ++fields_;
  if (field_ == Field::Host) ++hosts_;
  if (field_ == Field::ContentLength || field_ == Field::TransferEncoding ||
      field_ == Field::Connection) {
    element_done();
    // A framing field must name something: an empty one cannot be read.
    if (elements_ == 0 && field_ == Field::ContentLength) length_bad_ = true;
    if (elements_ == 0 && field_ == Field::TransferEncoding) empty_list_ = true;
  }
  field_ = Field::Other;
}

// The header section is complete: decides how the body is framed and whether the request
// is acceptable at all, in the order RFC 9112 6.3 reads the framing.
ParseError RequestParser::head_done() {
  if (hosts_ > 1) return ParseError::DuplicateHost;
  if (request_.minor_version >= 1 && hosts_ == 0) return ParseError::MissingHost;
  if (coding_seen_ && (length_seen_ || length_bad_)) return ParseError::LengthAndChunked;
  if (coding_seen_ && request_.minor_version == 0) return ParseError::TransferEncodingHttp10;
  if (empty_list_) return ParseError::BadHeader;
  if (coding_unknown_) return ParseError::UnknownCoding;
  if (coding_twice_) return ParseError::ChunkedTwice;
  if (length_bad_) return ParseError::BadContentLength;
  if (length_ > kMaxBody) return ParseError::BodyTooLarge;
  request_.keep_alive =
      request_.minor_version >= 1 ? !wants_close_ : wants_keep_alive_ && !wants_close_;
  request_.chunked = coding_seen_;
  request_.content_length = length_;
  if (coding_seen_) {
    state_ = State::ChunkSize;
    line_bytes_ = 0;
    chunk_size_ = lib::NumberAccumulator(16);
    chunk_space_ = false;
    remaining_ = 0;
  } else if (length_ > 0) {
    state_ = State::Body;
    remaining_ = length_;
  } else {
    state_ = State::Done;
  }
  return ParseError::None;
}

bool RequestParser::request_line_done(ParseError* e) {
  // HTTP-version = "HTTP/" DIGIT "." DIGIT
  const char* v = version_;
  const bool digits =
      version_size_ == 8 && v[5] >= '0' && v[5] <= '9' && v[6] == '.' && v[7] >= '0' && v[7] <= '9';
  if (!digits || __builtin_memcmp(v, "HTTP/", 5) != 0) {
    *e = ParseError::BadVersion;
    return false;
  }
  if (v[5] != '1') {
    *e = ParseError::UnsupportedVersion;
    return false;
  }
  // A later minor version is answered as the highest this server speaks (RFC 9110 2.5).
  request_.minor_version = v[7] == '0' ? 0 : 1;
  request_.target = target_;
  state_ = State::FieldStart;
  header_bytes_ = 0;
  return true;
}

// One byte of the head or of the chunked framing. Returns the event it completes, NeedMore
// if none.
RequestParser::Status RequestParser::step(uint8_t c) {
  switch (state_) {
    case State::LineStart:
      // Empty lines before a request line are ignored (RFC 9112 2.2), within the limit.
      if (++line_bytes_ > kMaxRequestLine) return fail(ParseError::BadRequestLine);
      if (c == '\r') {
        state_ = State::LineStartLf;
      } else if (c == '\n') {
      } else if (is_tchar(c)) {
        started_ = true;
        line_bytes_ = 1;
        method_[0] = static_cast<char>(c);
        method_size_ = 1;
        state_ = State::Method;
      } else {
        return fail(ParseError::BadRequestLine);
      }
      return Status::NeedMore;
    case State::LineStartLf:
      if (c != '\n') return fail(ParseError::BadRequestLine);
      state_ = State::LineStart;
      return Status::NeedMore;

    case State::Method:
      ++line_bytes_;
      if (c == ' ') {
        const char* m = method_;
        if (method_size_ == 3 && __builtin_memcmp(m, "GET", 3) == 0) request_.method = Method::Get;
        if (method_size_ == 4 && __builtin_memcmp(m, "HEAD", 4) == 0) {
          request_.method = Method::Head;
        }
        state_ = State::Target;
        return Status::NeedMore;
      }
      if (!is_tchar(c)) return fail(ParseError::BadRequestLine);
      if (method_size_ == kMaxMethod) return fail(ParseError::MethodTooLong);
      method_[method_size_++] = static_cast<char>(c);
      return Status::NeedMore;

    case State::Target:
      if (++line_bytes_ > kMaxRequestLine) return fail(ParseError::TargetTooLong);
      if (c == ' ') {
        if (request_.target_size == 0) return fail(ParseError::BadRequestLine);
        state_ = State::Version;
        return Status::NeedMore;
      }
      if (c < 0x21 || c > 0x7e) return fail(ParseError::BadRequestLine);
      target_[request_.target_size++] = static_cast<char>(c);
      return Status::NeedMore;

    case State::Version: {
      if (c == '\r' || c == '\n') {
        ParseError e = ParseError::None;
        if (!request_line_done(&e)) return fail(e);
        if (c == '\r') state_ = State::RequestLineLf;
        return Status::NeedMore;
      }
      if (++line_bytes_ > kMaxRequestLine) return fail(ParseError::BadVersion);
      if (version_size_ == sizeof(version_)) return fail(ParseError::BadVersion);
      version_[version_size_++] = static_cast<char>(c);
      return Status::NeedMore;
    }
    case State::RequestLineLf:
      if (c != '\n') return fail(ParseError::BadRequestLine);
      state_ = State::FieldStart;
      return Status::NeedMore;

    case State::FieldStart:
    case State::FieldName:
    case State::FieldValue:
    case State::FieldLf:
    case State::HeadEndLf:
      if (++header_bytes_ > kMaxHeaderBytes) return fail(ParseError::HeadersTooLarge);
      return field_byte(c);

    case State::ChunkSize:
    case State::ChunkExtension:
    case State::ChunkSizeLf:
      if (++line_bytes_ > kMaxChunkLine) return fail(ParseError::BadChunk);
      return chunk_line_byte(c);

    case State::ChunkDataCr:
      if (c == '\r') {
        state_ = State::ChunkDataLf;
        return Status::NeedMore;
      }
      [[fallthrough]];
    case State::ChunkDataLf:
      if (c != '\n') return fail(ParseError::BadChunk);
      state_ = State::ChunkSize;
      line_bytes_ = 0;
      chunk_size_ = lib::NumberAccumulator(16);
      chunk_space_ = false;
      remaining_ = 0;
      return Status::NeedMore;

    case State::Body:
    case State::ChunkData:  // taken in bulk by feed()
    case State::Done: return Status::Done;
    case State::Failed: return Status::Error;
  }
  return Status::NeedMore;
}

// A byte of the header section, or of the trailer section after a chunked body.
RequestParser::Status RequestParser::field_byte(uint8_t c) {
  switch (state_) {
    case State::FieldStart:
      if (c == '\r') {
        state_ = State::HeadEndLf;
        return Status::NeedMore;
      }
      if (c == '\n') return section_done();
      if (is_space(c)) {
        // A line that begins with whitespace continues the previous one (obs-fold), or,
        // before any field, hides a field from some readers: both refused (RFC 9112 5.2).
        return fail(fields_ > 0 ? ParseError::ObsFold : ParseError::BadHeader);
      }
      if (!is_tchar(c)) return fail(ParseError::BadHeader);
      name_size_ = 0;
      state_ = State::FieldName;
      [[fallthrough]];
    case State::FieldName:
      if (c == ':') {
        field_name_done();
        state_ = State::FieldValue;
        return Status::NeedMore;
      }
      // No whitespace between the name and the colon (RFC 9112 5.1).
      if (!is_tchar(c)) return fail(ParseError::BadHeader);
      if (name_size_ < sizeof(name_)) {
        name_[name_size_++] = to_lower(static_cast<char>(c));
      } else {
        name_size_ = sizeof(name_) + 1;  // too long to be a name that matters
      }
      return Status::NeedMore;
    case State::FieldValue:
      if (c == '\r' || c == '\n') {
        field_done();
        state_ = c == '\r' ? State::FieldLf : State::FieldStart;
        return Status::NeedMore;
      }
      if (!is_field_byte(c)) return fail(ParseError::BadHeader);
      if (field_ == Field::ContentLength || field_ == Field::TransferEncoding ||
          field_ == Field::Connection) {
        element_byte(c);
      }
      return Status::NeedMore;
    case State::FieldLf:
      if (c != '\n') return fail(ParseError::BadHeader);
      state_ = State::FieldStart;
      return Status::NeedMore;
    case State::HeadEndLf:
      if (c != '\n') return fail(ParseError::BadHeader);
      return section_done();
    default: return fail(ParseError::BadHeader);
  }
}

// The empty line that ends the header section, or the trailers.
RequestParser::Status RequestParser::section_done() {
  if (trailers_) {
    state_ = State::Done;
    return Status::Done;
  }
  const ParseError e = head_done();
  if (e != ParseError::None) return fail(e);
  return Status::Head;
}

// A byte of a chunk's size line: chunk-size [ BWS ";" extensions ] CRLF (RFC 9112 7.1).
RequestParser::Status RequestParser::chunk_line_byte(uint8_t c) {
  if (state_ == State::ChunkSizeLf) {
    if (c != '\n') return fail(ParseError::BadChunk);
    return chunk_line_done();
  }
  if (c == '\r' || c == '\n') {
    if (chunk_size_.digits() == 0) return fail(ParseError::BadChunk);
    if (c == '\n') return chunk_line_done();
    state_ = State::ChunkSizeLf;
    return Status::NeedMore;
  }
  if (state_ == State::ChunkExtension) {
    if (!is_field_byte(c)) return fail(ParseError::BadChunk);
    return Status::NeedMore;
  }
  const int digit = hex_value(c);
  if (digit >= 0 && !chunk_space_) {
    if (!chunk_size_.push(static_cast<unsigned>(digit))) return fail(ParseError::BadChunk);
    return Status::NeedMore;
  }
  if (chunk_size_.digits() == 0) return fail(ParseError::BadChunk);
  if (is_space(c)) {
    chunk_space_ = true;
    return Status::NeedMore;
  }
  if (c != ';') return fail(ParseError::BadChunk);
  state_ = State::ChunkExtension;
  return Status::NeedMore;
}

RequestParser::Status RequestParser::chunk_line_done() {
  remaining_ = chunk_size_.value();
  if (remaining_ == 0) {  // the last chunk: the trailer section follows
    trailers_ = true;
    fields_ = 0;
    header_bytes_ = 0;
    state_ = State::FieldStart;
    return Status::NeedMore;
  }
  if (remaining_ > kMaxBody - body_bytes_) return fail(ParseError::BodyTooLarge);
  state_ = State::ChunkData;
  return Status::NeedMore;
}

RequestParser::Status RequestParser::feed(const uint8_t* data, size_t size, size_t* consumed) {
  size_t i = 0;
  Status status = Status::NeedMore;
  while (status == Status::NeedMore) {
    if (state_ == State::Done) {
      status = Status::Done;
      break;
    }
    if (state_ == State::Failed) {
      status = Status::Error;
      break;
    }
    if (state_ == State::Body || state_ == State::ChunkData) {
      const uint64_t n = remaining_ < size - i ? remaining_ : size - i;
      i += n;
      remaining_ -= n;
      body_bytes_ += n;
      if (remaining_ == 0) {
        if (state_ == State::Body) {
          state_ = State::Done;
          continue;
        }
        state_ = State::ChunkDataCr;
      }
      if (i == size) break;
      continue;
    }
    if (i == size) break;
    status = step(data[i++]);
  }
  *consumed = i;
  return status;
}

}  // namespace httpd
