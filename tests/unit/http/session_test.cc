#include "apps/httpd/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/http/http_client.h"

namespace {

using httpd::BodyKind;
using httpd::Method;
using httpd::Response;
using httpd::Session;
using httptest::read_replies;
using httptest::Reply;

// Answers /text with a fixed body, /gen/N with a generated body of N pieces ("piece K\n",
// padded to vary in size), /pattern/N with the byte pattern, and anything else with 404;
// counts what it holds.
class FakeResponder final : public httpd::Responder {
 public:
  void respond(Method method, const char* path, size_t size, Response& out) override {
    const std::string p(path, size);
    paths.push_back(p);
    out = Response{};
    out.content_type = "text/plain";
    if (p == "/text") {
      out.data = reinterpret_cast<const uint8_t*>(kText);
      out.size = sizeof(kText) - 1;
    } else if (p.rfind("/gen/", 0) == 0) {
      out.body = BodyKind::Generated;
      out.context = static_cast<uint32_t>(strtoul(p.c_str() + 5, nullptr, 10) % 1000);
      ++held;
    } else if (p.rfind("/pattern/", 0) == 0) {
      out.body = BodyKind::Pattern;
      out.size = strtoull(p.c_str() + 9, nullptr, 10) % 100000;
    } else {
      out.status = 404;
      out.data = reinterpret_cast<const uint8_t*>("none");
      out.size = 4;
    }
  }
  size_t generate(const Response& r, uint32_t* cursor, char* out, size_t capacity,
                  bool* done) override {
    ++generate_calls;
    size_t n = 0;
    *done = false;
    while (*cursor < r.context) {
      const std::string piece = piece_text(*cursor);
      if (piece.size() > capacity - n) return n;
      std::copy(piece.begin(), piece.end(), out + n);
      n += piece.size();
      ++*cursor;
    }
    *done = true;
    return n;
  }
  void release(const Response& r) override {
    if (r.body == BodyKind::Generated) --held;
    ++released;
  }
  static std::string piece_text(uint32_t i) {
    return "piece " + std::to_string(i) + std::string(i * 37 % 900, '.') + "\n";
  }
  static std::string generated(uint32_t pieces) {
    std::string s;
    for (uint32_t i = 0; i < pieces; ++i) s += piece_text(i);
    return s;
  }

  static constexpr char kText[] = "hello, world\n";
  std::vector<std::string> paths;
  int held = 0;
  int released = 0;
  int generate_calls = 0;
};

struct Harness {
  FakeResponder responder;
  httpd::SessionCounters counters;
  Session session;
  std::vector<size_t> message_sizes;
  Harness() { session.start(&responder, &counters); }

  // Sends every message the session has, as a channel that always takes them would.
  std::string drain(size_t capacity = 4096) {
    std::string out;
    std::vector<uint8_t> buffer(capacity);
    while (session.has_output()) {
      const size_t n = session.peek(buffer.data(), capacity);
      EXPECT_GT(n, 0u);
      EXPECT_LE(n, capacity);
      out.append(reinterpret_cast<char*>(buffer.data()), n);
      message_sizes.push_back(n);
      session.commit();
    }
    return out;
  }
  // Gives text in pieces of `piece` bytes, draining after each, as the component does.
  std::string exchange(const std::string& text, size_t piece = 4096) {
    std::string out;
    for (size_t at = 0; at < text.size(); at += piece) {
      const std::string part = text.substr(at, piece);
      EXPECT_TRUE(session.wants_input() || session.closing());
      EXPECT_TRUE(session.receive(reinterpret_cast<const uint8_t*>(part.data()), part.size()));
      out += drain();
    }
    return out;
  }
};

TEST(HttpSession, OneRequest) {
  Harness h;
  const std::string out = h.exchange("GET /text HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::vector<Reply> r = read_replies(out);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[0].reason, "OK");
  EXPECT_EQ(r[0].field("server"), "Stellina");
  EXPECT_EQ(r[0].field("content-type"), "text/plain");
  EXPECT_EQ(r[0].field("content-length"), "13");
  EXPECT_FALSE(r[0].has("connection"));
  EXPECT_EQ(r[0].body, "hello, world\n");
  EXPECT_TRUE(h.session.wants_input());
  EXPECT_TRUE(h.session.idle());
  EXPECT_FALSE(h.session.closing());
  EXPECT_EQ(h.counters.requests, 1u);
  EXPECT_EQ(h.counters.responses[2], 1u);
  EXPECT_EQ(h.counters.bytes_out, out.size());
}

TEST(HttpSession, PipelinedRequestsAreAnsweredInOrder) {
  Harness h;
  const std::string text =
      "GET /text HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /gen/5 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD /text HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /pattern/300 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
      "GET /never HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string out = h.exchange(text);
  const std::vector<Reply> r = read_replies(out, {false, false, false, true, false});
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].body, "hello, world\n");
  EXPECT_TRUE(r[1].chunked);
  EXPECT_EQ(r[1].body, FakeResponder::generated(5));
  EXPECT_EQ(r[2].status, 404);
  EXPECT_EQ(r[3].field("content-length"), "13");  // as for GET, without the body
  EXPECT_EQ(r[4].body.size(), 300u);
  EXPECT_EQ(r[4].field("connection"), "close");
  EXPECT_EQ(h.responder.paths,
            (std::vector<std::string>{"/text", "/gen/5", "/missing", "/text", "/pattern/300"}));
  EXPECT_TRUE(h.session.closing());  // the request after Connection: close is never read
  EXPECT_EQ(h.responder.held, 0);
  EXPECT_EQ(h.counters.body_bytes, 3u);
}

// However the bytes arrive, the same responses go out.
TEST(HttpSession, AnySplitGivesTheSameResponses) {
  const std::string text =
      "GET /gen/40 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /text?q=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
      "chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n"
      "GET http://example/pattern/5000 HTTP/1.1\r\nHost: x\r\n\r\n";
  Harness whole;
  const std::string expected = whole.exchange(text);
  const std::vector<Reply> r = read_replies(expected);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].body, FakeResponder::generated(40));
  EXPECT_GT(r[0].chunk_sizes.size(), 1u);  // more than one message's worth
  EXPECT_EQ(r[1].body, "hello, world\n");
  ASSERT_EQ(r[2].body.size(), 5000u);
  for (size_t i = 0; i < 5000; ++i) ASSERT_EQ(static_cast<uint8_t>(r[2].body[i]), i % 251) << i;
  for (size_t piece = 1; piece < 64; ++piece) {
    Harness h;
    EXPECT_EQ(h.exchange(text, piece), expected) << "pieces of " << piece;
  }
}

// A message that could not be sent is peeked again, byte for byte, and nothing else is read
// meanwhile.
TEST(HttpSession, BackPressure) {
  Harness h;
  const std::string text =
      "GET /gen/60 HTTP/1.1\r\nHost: x\r\n\r\nGET /pattern/20000 HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(h.session.receive(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  std::string out;
  std::vector<uint8_t> a(4096), b(4096);
  std::mt19937 random(3);
  int refused = 0;
  while (h.session.has_output()) {
    EXPECT_FALSE(h.session.wants_input());
    const size_t n = h.session.peek(a.data(), a.size());
    if (random() % 3 == 0) {  // the channel is full: the same message later
      ++refused;
      const size_t again = h.session.peek(b.data(), b.size());
      ASSERT_EQ(again, n);
      ASSERT_EQ(memcmp(a.data(), b.data(), n), 0);
      continue;
    }
    out.append(reinterpret_cast<char*>(a.data()), n);
    h.session.commit();
  }
  EXPECT_GT(refused, 0);
  const std::vector<Reply> r = read_replies(out);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].body, FakeResponder::generated(60));
  EXPECT_EQ(r[1].body.size(), 20000u);
  EXPECT_TRUE(h.session.wants_input());
}

TEST(HttpSession, InputWaitsWhileAResponseIsPending) {
  Harness h;
  const std::string first = "GET /pattern/100000 HTTP/1.1\r\nHost: x\r\n\r\nGET /te";
  ASSERT_TRUE(h.session.receive(reinterpret_cast<const uint8_t*>(first.data()), first.size()));
  EXPECT_FALSE(h.session.wants_input());
  // What comes meanwhile is kept while it fits, and refused beyond.
  const std::string rest = "xt HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(h.session.receive(reinterpret_cast<const uint8_t*>(rest.data()), rest.size()));
  const std::string big(Session::kInputCapacity, 'x');
  EXPECT_FALSE(h.session.receive(reinterpret_cast<const uint8_t*>(big.data()), big.size()));
  const std::vector<Reply> r = read_replies(h.drain());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].body, "hello, world\n");
}

TEST(HttpSession, ErrorsCloseTheConnection) {
  struct Case {
    std::string request;
    int status;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505},
      {"GET /" + std::string(3000, 'a') + " HTTP/1.1\r\n", 414},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET ftp://host/ HTTP/1.1\r\nHost: x\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    Harness h;
    const std::string out = h.exchange(c.request + "GET /text HTTP/1.1\r\nHost: x\r\n\r\n", 1000);
    const std::vector<Reply> r = read_replies(out);
    ASSERT_EQ(r.size(), 1u) << c.request.substr(0, 60);
    EXPECT_EQ(r[0].status, c.status) << c.request.substr(0, 60);
    EXPECT_EQ(r[0].field("connection"), "close");
    EXPECT_EQ(r[0].field("content-type"), "text/plain; charset=utf-8");
    EXPECT_FALSE(r[0].body.empty());
    EXPECT_TRUE(h.session.closing());
    EXPECT_FALSE(h.session.wants_input());
    EXPECT_TRUE(h.responder.paths.empty());
    EXPECT_EQ(h.counters.responses[c.status / 100], 1u);
  }
}

TEST(HttpSession, MethodNotAllowed) {
  Harness h;
  // Refused at the end of the head, without reading the body.
  const std::string out =
      h.exchange("POST /text HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
  const std::vector<Reply> r = read_replies(out);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 405);
  EXPECT_EQ(r[0].reason, "Method Not Allowed");
  EXPECT_EQ(r[0].field("allow"), "GET, HEAD");
  EXPECT_EQ(r[0].field("connection"), "close");
  EXPECT_TRUE(h.session.closing());
  EXPECT_EQ(h.counters.method_not_allowed, 1u);
}

TEST(HttpSession, HeadHasNoBody) {
  Harness h;
  const std::string out = h.exchange(
      "HEAD /gen/3 HTTP/1.1\r\nHost: x\r\n\r\nHEAD /pattern/99 HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD / HTTP/2.0\r\n\r\n");
  const std::vector<Reply> r = read_replies(out, {true, true, true});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].field("transfer-encoding"), "chunked");
  EXPECT_EQ(r[1].field("content-length"), "99");
  EXPECT_EQ(r[2].status, 505);
  EXPECT_EQ(h.responder.generate_calls, 0);
  EXPECT_EQ(h.responder.held, 0);  // released without rendering
  // Nothing follows the heads: the stream ends right after the third.
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(HttpSession, Http10) {
  Harness h;
  // Without keep-alive the connection closes after the response.
  std::vector<Reply> r = read_replies(h.exchange("GET /text HTTP/1.0\r\n\r\n"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].field("connection"), "close");
  EXPECT_TRUE(h.session.closing());

  // With keep-alive it stays, and says so; a generated body has no chunked coding in 1.0:
  // it ends with the connection.
  Harness k;
  const std::string out = k.exchange(
      "GET /text HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
      "GET /gen/4 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  r = read_replies(out);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].field("connection"), "keep-alive");
  EXPECT_FALSE(r[1].has("transfer-encoding"));
  EXPECT_FALSE(r[1].has("content-length"));
  EXPECT_EQ(r[1].field("connection"), "close");
  EXPECT_EQ(r[1].body, FakeResponder::generated(4));
  EXPECT_TRUE(k.session.closing());
}

TEST(HttpSession, EndOfInput) {
  Harness h;
  const std::string text = "GET /text HTTP/1.1\r\nHost: x\r\n\r\nGET /text HTTP/1.1\r\nHo";
  ASSERT_TRUE(h.session.receive(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  h.session.receive_end();
  EXPECT_EQ(read_replies(h.drain()).size(), 1u);
  EXPECT_TRUE(h.session.closing());
  EXPECT_EQ(h.counters.incomplete, 1u);

  Harness clean;
  clean.session.receive_end();
  EXPECT_TRUE(clean.session.closing());
  EXPECT_EQ(clean.counters.incomplete, 0u);
}

TEST(HttpSession, EndReleasesTheResponse) {
  Harness h;
  const std::string text = "GET /gen/200 HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(h.session.receive(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  std::vector<uint8_t> buffer(4096);
  h.session.peek(buffer.data(), buffer.size());
  h.session.commit();
  EXPECT_EQ(h.responder.held, 1);
  h.session.end();  // the client went away
  EXPECT_EQ(h.responder.held, 0);
  EXPECT_FALSE(h.session.has_output());
}

TEST(HttpSession, TargetPaths) {
  size_t offset = 0, size = 0;
  auto path = [&](const std::string& t) {
    if (!httpd::target_path(t.data(), t.size(), &offset, &size)) return std::string("!");
    return t.substr(offset, size);
  };
  EXPECT_EQ(path("/a/b?c=d"), "/a/b");
  EXPECT_EQ(path("/"), "/");
  EXPECT_EQ(path("http://host:80/x?y"), "/x");
  EXPECT_EQ(path("HTTP://host"), "");
  EXPECT_EQ(path("https://host?q"), "");
  EXPECT_EQ(path("http:///x"), "!");
  EXPECT_EQ(path("http:/x"), "!");
  EXPECT_EQ(path("*"), "!");
  EXPECT_EQ(path("host:80"), "!");
  EXPECT_EQ(path("x"), "!");
}

// Random bytes: every answer the session gives is a well-formed response, and it never
// asks for more input after deciding to close.
TEST(HttpSession, RandomInput) {
  std::mt19937 random(5);
  const std::string valid = "GET /gen/3 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab";
  for (int round = 0; round < 1000; ++round) {
    std::string text = valid + valid;
    for (int e = 0; e < 3; ++e) text[random() % text.size()] = static_cast<char>(random() % 256);
    Harness h;
    std::string out;
    for (size_t at = 0; at < text.size() && !h.session.closing();) {
      const size_t n = std::min<size_t>(1 + random() % 40, text.size() - at);
      ASSERT_TRUE(h.session.receive(reinterpret_cast<const uint8_t*>(text.data() + at), n));
      at += n;
      out += h.drain();
    }
    const std::vector<Reply> r = read_replies(out);
    for (const Reply& reply : r) EXPECT_TRUE(reply.status == 200 || reply.status >= 400);
    h.session.end();
    EXPECT_EQ(h.responder.held, 0);
  }
}

}  // namespace
