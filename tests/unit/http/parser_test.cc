#include "apps/httpd/request_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using namespace std::string_literals;
using httpd::Method;
using httpd::ParseError;
using httpd::RequestParser;
using Status = RequestParser::Status;

// What feeding a stream to a parser gave, request by request.
struct Outcome {
  std::vector<std::string> targets;
  std::vector<bool> keep_alive;
  std::vector<Method> methods;
  std::vector<uint64_t> bodies;
  ParseError error = ParseError::None;
  size_t error_at = 0;  // bytes consumed when it failed
  bool idle_at_end = false;
};

// Feeds text in pieces of the given sizes (the last piece takes the rest), resetting the
// parser after each request as the server does.
Outcome run(const std::string& text, const std::vector<size_t>& splits = {}) {
  RequestParser p;
  Outcome out;
  size_t at = 0, split = 0;
  bool pending_head = false;
  while (at < text.size() || pending_head) {
    size_t piece = text.size() - at;
    if (split < splits.size() && splits[split] < piece) piece = splits[split];
    ++split;
    size_t offset = 0;
    do {
      size_t used = 0;
      const auto* data = reinterpret_cast<const uint8_t*>(text.data() + at + offset);
      const Status s = p.feed(data, piece - offset, &used);
      offset += used;
      pending_head = false;
      if (s == Status::Head) {
        const httpd::Request& r = p.request();
        out.targets.emplace_back(r.target, r.target_size);
        out.keep_alive.push_back(r.keep_alive);
        out.methods.push_back(r.method);
        pending_head = true;
      } else if (s == Status::Done) {
        out.bodies.push_back(p.body_bytes());
        p.reset();
      } else if (s == Status::Error) {
        out.error = p.error();
        out.error_at = at + offset;
        return out;
      } else {
        break;
      }
    } while (offset < piece || pending_head);
    at += piece;
  }
  out.idle_at_end = p.idle();
  return out;
}

ParseError error_of(const std::string& text) { return run(text).error; }

TEST(HttpParser, SimpleGet) {
  const Outcome o = run("GET /index.html HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n");
  ASSERT_EQ(o.error, ParseError::None);
  ASSERT_EQ(o.targets.size(), 1u);
  EXPECT_EQ(o.targets[0], "/index.html");
  EXPECT_EQ(o.methods[0], Method::Get);
  EXPECT_TRUE(o.keep_alive[0]);
  ASSERT_EQ(o.bodies.size(), 1u);
  EXPECT_EQ(o.bodies[0], 0u);
  EXPECT_TRUE(o.idle_at_end);
}

TEST(HttpParser, MethodsAreCaseSensitive) {
  EXPECT_EQ(run("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").methods.at(0), Method::Head);
  EXPECT_EQ(run("get / HTTP/1.1\r\nHost: a\r\n\r\n").methods.at(0), Method::Other);
  EXPECT_EQ(run("POST / HTTP/1.1\r\nHost: a\r\n\r\n").methods.at(0), Method::Other);
  EXPECT_EQ(run("GETS / HTTP/1.1\r\nHost: a\r\n\r\n").methods.at(0), Method::Other);
}

TEST(HttpParser, KeepAliveRules) {
  EXPECT_TRUE(run("GET / HTTP/1.1\r\nHost: a\r\n\r\n").keep_alive.at(0));
  EXPECT_FALSE(run("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keep_alive.at(0));
  EXPECT_FALSE(
      run("GET / HTTP/1.1\r\nHost: a\r\nconnection: Upgrade, CLOSE\r\n\r\n").keep_alive.at(0));
  EXPECT_FALSE(run("GET / HTTP/1.0\r\n\r\n").keep_alive.at(0));
  EXPECT_TRUE(run("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive.at(0));
  EXPECT_FALSE(run("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keep_alive.at(0));
  // A token that only contains the word is not the word.
  EXPECT_TRUE(run("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n").keep_alive.at(0));
  // A later minor version is served as 1.1.
  EXPECT_TRUE(run("GET / HTTP/1.7\r\nHost: a\r\n\r\n").keep_alive.at(0));
}

TEST(HttpParser, HeaderNamesAreCaseInsensitive) {
  const Outcome o = run("GET / HTTP/1.1\r\nhOsT: a\r\nCONTENT-length: 3\r\n\r\nabc");
  ASSERT_EQ(o.error, ParseError::None);
  EXPECT_EQ(o.bodies.at(0), 3u);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHOST: a\r\nhost: b\r\n\r\n"), ParseError::DuplicateHost);
}

TEST(HttpParser, EmptyLinesBeforeTheRequestAndBareLineFeeds) {
  const Outcome o = run("\r\n\nGET /a HTTP/1.1\nHost: x\n\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(o.error, ParseError::None);
  ASSERT_EQ(o.targets.size(), 2u);
  EXPECT_EQ(o.targets[1], "/b");
}

TEST(HttpParser, PipelinedRequestsInOneBuffer) {
  const std::string text =
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
      "GET /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;name=value\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n\r\n"
      "HEAD /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  const Outcome o = run(text);
  ASSERT_EQ(o.error, ParseError::None);
  ASSERT_EQ(o.targets, (std::vector<std::string>{"/1", "/2", "/3", "/4"}));
  EXPECT_EQ(o.bodies, (std::vector<uint64_t>{0, 5, 19, 0}));
  EXPECT_EQ(o.keep_alive, (std::vector<bool>{true, true, true, false}));
  EXPECT_TRUE(o.idle_at_end);
}

// The same stream cut every possible way gives the same requests.
TEST(HttpParser, EverySplitGivesTheSameResult) {
  const std::string text =
      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody"
      "GET /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nhi\r\n0\r\n\r\n"
      "GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  const Outcome whole = run(text);
  ASSERT_EQ(whole.error, ParseError::None);
  ASSERT_EQ(whole.targets.size(), 3u);
  for (size_t cut = 1; cut < text.size(); ++cut) {
    const Outcome o = run(text, {cut});
    EXPECT_EQ(o.targets, whole.targets) << "cut at " << cut;
    EXPECT_EQ(o.bodies, whole.bodies) << "cut at " << cut;
    EXPECT_EQ(o.keep_alive, whole.keep_alive) << "cut at " << cut;
  }
  std::vector<size_t> bytes(text.size(), 1);
  const Outcome one_by_one = run(text, bytes);
  EXPECT_EQ(one_by_one.targets, whole.targets);
  EXPECT_EQ(one_by_one.bodies, whole.bodies);
  std::mt19937 random(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<size_t> splits;
    for (size_t n = 0; n < text.size();) {
      splits.push_back(1 + random() % 17);
      n += splits.back();
    }
    const Outcome o = run(text, splits);
    EXPECT_EQ(o.targets, whole.targets);
    EXPECT_EQ(o.bodies, whole.bodies);
  }
}

TEST(HttpParser, MalformedRequestLines) {
  EXPECT_EQ(error_of("GET  / HTTP/1.1\r\n\r\n"), ParseError::BadRequestLine);
  EXPECT_EQ(error_of("GET / HTTP/1.1 \r\n\r\n"), ParseError::BadVersion);
  EXPECT_EQ(error_of(" GET / HTTP/1.1\r\n\r\n"), ParseError::BadRequestLine);
  EXPECT_EQ(error_of("GET /\r\n\r\n"), ParseError::BadRequestLine);
  EXPECT_EQ(error_of("GET /a\tb HTTP/1.1\r\n\r\n"), ParseError::BadRequestLine);
  EXPECT_EQ(error_of("GET /\x80 HTTP/1.1\r\n\r\n"), ParseError::BadRequestLine);
  EXPECT_EQ(error_of("G(T / HTTP/1.1\r\n\r\n"), ParseError::BadRequestLine);
  EXPECT_EQ(error_of("GET / HTTP/1.1\rX"), ParseError::BadRequestLine);
  EXPECT_EQ(error_of("GET / http/1.1\r\n\r\n"), ParseError::BadVersion);
  EXPECT_EQ(error_of("GET / HTTP/1.10\r\n\r\n"), ParseError::BadVersion);
  EXPECT_EQ(error_of("GET / HTTP/1\r\n\r\n"), ParseError::BadVersion);
  EXPECT_EQ(error_of("GET / HTTP/2.0\r\n\r\n"), ParseError::UnsupportedVersion);
  EXPECT_EQ(error_of("GET / HTTP/0.9\r\n\r\n"), ParseError::UnsupportedVersion);
  EXPECT_EQ(httpd::error_status(ParseError::UnsupportedVersion), 505);
  EXPECT_EQ(error_of(std::string(33, 'M') + " / HTTP/1.1\r\n\r\n"), ParseError::MethodTooLong);
  EXPECT_EQ(httpd::error_status(ParseError::MethodTooLong), 501);
  EXPECT_EQ(error_of(std::string(3000, '\n')), ParseError::BadRequestLine);
}

TEST(HttpParser, RequestLineLimit) {
  // "GET " + target + " HTTP/1.1" is exactly the limit: accepted; one byte more: 414.
  const size_t target = httpd::kMaxRequestLine - 4 - 9;
  const std::string fits = "GET /" + std::string(target - 1, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(error_of(fits), ParseError::None);
  const std::string over = "GET /" + std::string(target + 8, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(error_of(over), ParseError::TargetTooLong);
  EXPECT_EQ(httpd::error_status(ParseError::TargetTooLong), 414);
  // The parser refuses as soon as the limit passes, without waiting for the line's end.
  const Outcome o = run("GET /" + std::string(5000, 'a'));
  EXPECT_EQ(o.error, ParseError::TargetTooLong);
  EXPECT_EQ(o.error_at, httpd::kMaxRequestLine + 1);
}

TEST(HttpParser, HeaderSectionLimit) {
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
  std::string fits = head, over = head;
  // Host line (9) + fields + final CRLF (2) == 8192.
  const std::string field = "X-Fill: " + std::string(8192 - 9 - 2 - 8 - 2, 'v') + "\r\n";
  fits += field + "\r\n";
  EXPECT_EQ(error_of(fits), ParseError::None);
  over += "X-Fill: " + std::string(8192 - 9 - 2 - 8 - 2 + 1, 'v') + "\r\n\r\n";
  EXPECT_EQ(error_of(over), ParseError::HeadersTooLarge);
  EXPECT_EQ(httpd::error_status(ParseError::HeadersTooLarge), 431);
  // Many small fields count together.
  std::string many = head;
  for (int i = 0; i < 2000; ++i) many += "A: b\r\n";
  EXPECT_EQ(error_of(many + "\r\n"), ParseError::HeadersTooLarge);
}

TEST(HttpParser, MalformedFields) {
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n continued\r\n\r\n"),
            ParseError::ObsFold);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tcontinued\r\n\r\n"),
            ParseError::ObsFold);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), ParseError::BadHeader);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), ParseError::BadHeader);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost a\r\n\r\n"), ParseError::BadHeader);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\n: a\r\n\r\n"), ParseError::BadHeader);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"s), ParseError::BadHeader);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n"), ParseError::BadHeader);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), ParseError::BadHeader);
  // obs-text and tabs are fine in values; an empty value too.
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\tok\r\nY:\r\n\r\n"),
            ParseError::None);
}

TEST(HttpParser, Host) {
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\n\r\n"), ParseError::MissingHost);
  EXPECT_EQ(httpd::error_status(ParseError::MissingHost), 400);
  EXPECT_EQ(error_of("GET / HTTP/1.0\r\n\r\n"), ParseError::None);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost:\r\n\r\n"), ParseError::None);  // empty is allowed
}

TEST(HttpParser, ContentLength) {
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n12345").bodies.at(0), 5u);
  EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab")
                .bodies.at(0),
            2u);
  for (const char* bad : {"abc", "-1", "+1", "1 2", "5, 6", "", " ", "1.0", "0x10", ","}) {
    const std::string text =
        std::string("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: ") + bad + "\r\n\r\n";
    EXPECT_EQ(error_of(text), ParseError::BadContentLength) << "'" << bad << "'";
  }
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            ParseError::BadContentLength);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 65537\r\n\r\n"),
            ParseError::BodyTooLarge);
  // A number, however large, is too large; past 2^64 - 1 it is no number at all (read
  // modulo 2^64, 18446744073709551620 would be 4: a request smuggled past a proxy).
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\n"),
            ParseError::BodyTooLarge);
  for (const char* past :
       {"18446744073709551616", "18446744073709551620", "99999999999999999999999"}) {
    const std::string text =
        std::string("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: ") + past + "\r\n\r\n";
    EXPECT_EQ(error_of(text), ParseError::BadContentLength) << past;
  }
  EXPECT_EQ(
      run("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0000000000000000000000005\r\n\r\n12345")
          .bodies.at(0),
      5u);
  EXPECT_EQ(httpd::error_status(ParseError::BodyTooLarge), 413);
  const std::string limit = "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 65536\r\n\r\n";
  const Outcome o = run(limit + std::string(65536, 'b') + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(o.error, ParseError::None);
  EXPECT_EQ(o.bodies, (std::vector<uint64_t>{65536, 0}));
}

TEST(HttpParser, TransferEncoding) {
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"),
            ParseError::LengthAndChunked);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                     "Content-Length: 3\r\n\r\n"),
            ParseError::LengthAndChunked);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
            ParseError::UnknownCoding);
  EXPECT_EQ(httpd::error_status(ParseError::UnknownCoding), 501);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            ParseError::UnknownCoding);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n"),
            ParseError::UnknownCoding);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"),
            ParseError::ChunkedTwice);
  EXPECT_EQ(error_of("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            ParseError::TransferEncodingHttp10);
  EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n"),
            ParseError::BadHeader);
  // Case and list whitespace do not matter.
  EXPECT_EQ(
      run("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  , CHUNKED \r\n\r\n0\r\n\r\n").error,
      ParseError::None);
}

TEST(HttpParser, ChunkedBodies) {
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(run(head + "A\r\n0123456789\r\n0\r\n\r\n").bodies.at(0), 10u);
  EXPECT_EQ(run(head + "a ; ext=\"q\"\r\n0123456789\r\n000\r\n\r\n").bodies.at(0), 10u);
  EXPECT_EQ(run(head + "1\nx\n0\nTrailer: t\n\n").bodies.at(0), 1u);
  EXPECT_EQ(error_of(head + "g\r\n"), ParseError::BadChunk);
  EXPECT_EQ(error_of(head + "\r\n"), ParseError::BadChunk);
  EXPECT_EQ(error_of(head + "1 2\r\n"), ParseError::BadChunk);
  EXPECT_EQ(error_of(head + "1\r\nxy\r\n"), ParseError::BadChunk);  // data longer than its size
  EXPECT_EQ(error_of(head + "1;\x01\r\n"), ParseError::BadChunk);
  EXPECT_EQ(run(head + "00000000000000001\r\nx\r\n0\r\n\r\n").bodies.at(0), 1u);  // zeros
  EXPECT_EQ(error_of(head + "10000000000000000\r\n"), ParseError::BadChunk);      // 2^64
  EXPECT_EQ(error_of(head + "10000000000000004\r\n"), ParseError::BadChunk);
  EXPECT_EQ(error_of(head + "ffffffffffffffff\r\n"), ParseError::BodyTooLarge);
  EXPECT_EQ(error_of(head + "1;" + std::string(300, 'e') + "\r\n"), ParseError::BadChunk);
  EXPECT_EQ(error_of(head + "0\r\nA: b\r\n bad\r\n\r\n"), ParseError::ObsFold);
  EXPECT_EQ(error_of(head + "0\r\nno colon\r\n\r\n"), ParseError::BadHeader);
  // The body limit counts every chunk.
  std::string body;
  for (int i = 0; i < 16; ++i) body += "1000\r\n" + std::string(4096, 'z') + "\r\n";
  EXPECT_EQ(run(head + body + "0\r\n\r\n").bodies.at(0), 65536u);
  EXPECT_EQ(error_of(head + body + "1\r\n"), ParseError::BodyTooLarge);
  // Trailers cannot frame the message: a Content-Length there changes nothing.
  const Outcome o = run(head + "0\r\nContent-Length: 5\r\n\r\nGET /n HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(o.error, ParseError::None);
  EXPECT_EQ(o.targets.size(), 2u);
}

TEST(HttpParser, IdleOnlyBeforeARequest) {
  RequestParser p;
  EXPECT_TRUE(p.idle());
  size_t used = 0;
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>("\r\n"), 2, &used), Status::NeedMore);
  EXPECT_TRUE(p.idle());
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>("G"), 1, &used), Status::NeedMore);
  EXPECT_FALSE(p.idle());
  // After an error the parser stays stopped.
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>("\x01x"), 2, &used), Status::Error);
  EXPECT_EQ(p.error(), ParseError::BadRequestLine);
  EXPECT_EQ(p.feed(reinterpret_cast<const uint8_t*>("ET"), 2, &used), Status::Error);
  EXPECT_EQ(used, 0u);
}

TEST(HttpParser, ErrorNamesAndTexts) {
  for (size_t i = 1; i < static_cast<size_t>(ParseError::kCount); ++i) {
    const auto e = static_cast<ParseError>(i);
    EXPECT_GE(httpd::error_status(e), 400);
    EXPECT_NE(std::string(httpd::error_name(e)), "none");
    EXPECT_EQ(std::string(httpd::error_text(e)).back(), '\n');
  }
}

// Random bytes and mutated requests never crash the parser, and every outcome is one of
// its statuses with an error named when it fails.
TEST(HttpParser, RandomInput) {
  std::mt19937 random(11);
  const std::string seed =
      "GET /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  for (int round = 0; round < 3000; ++round) {
    std::string text = seed;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      text[random() % text.size()] = static_cast<char>(random() % 256);
    }
    if (round % 3 == 0) {
      text.resize(random() % 400);
      for (char& c : text) c = static_cast<char>(random() % 256);
    }
    const Outcome o = run(text, {1 + random() % 9, 1 + random() % 30});
    if (o.error != ParseError::None) {
      EXPECT_GE(httpd::error_status(o.error), 400);
      EXPECT_LE(o.error_at, text.size());
    }
  }
}

}  // namespace
