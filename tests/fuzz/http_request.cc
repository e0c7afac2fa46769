// httpd's request parser (apps/httpd/request_parser.cc) on any byte stream, fed in pieces
// whose size the first byte chooses (a request split anywhere must parse as a whole one),
// through pipelined requests. The parser must keep its contract: NeedMore takes every byte,
// the other results make progress or stop, a head's target lies in the parser and a body
// never passes kMaxBody.
#include <cstdlib>

#include "apps/httpd/request_parser.h"

namespace {

void check(bool holds) {
  if (!holds) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = data[0] % 64 + 1;
  ++data;
  --size;
  httpd::RequestParser parser;
  size_t at = 0;
  // Each turn takes at least one byte or ends a request, so 2 * size + 2 turns are enough.
  for (size_t turns = 0; turns < 2 * size + 2; ++turns) {
    const size_t given = size - at < piece ? size - at : piece;
    size_t consumed = ~size_t{0};
    const auto status = parser.feed(data + at, given, &consumed);
    check(consumed <= given);
    at += consumed;
    check(parser.body_bytes() <= httpd::kMaxBody);
    switch (status) {
      case httpd::RequestParser::Status::NeedMore:
        check(consumed == given);
        if (at == size) return 0;
        break;
      case httpd::RequestParser::Status::Head: {
        const httpd::Request& r = parser.request();
        check(r.target != nullptr && r.target_size <= httpd::kMaxRequestLine);
        unsigned sum = 0;
        for (size_t i = 0; i < r.target_size; ++i) sum += static_cast<uint8_t>(r.target[i]);
        check(sum != ~0u);
        break;
      }
      case httpd::RequestParser::Status::Done: parser.reset(); break;
      case httpd::RequestParser::Status::Error:
        check(parser.error() != httpd::ParseError::None);
        check(httpd::error_status(parser.error()) >= 400);
        return 0;
    }
  }
  std::abort();  // no progress: the parser loops
}
