#include <lib/websocket.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using Op = lib::WebSocketOpcode;
namespace status = lib::websocket_status;

struct Recorder final : lib::WebSocketHandler {
  std::string log;  // data, message ends and closes in order
  std::string data;
  std::string sent;
  int messages = 0;
  int closes = 0;
  uint16_t close_code = 0;

  void websocket_data(bool text, const uint8_t* d, size_t n) override {
    data.append(reinterpret_cast<const char*>(d), n);
    log += text ? "t:" : "b:";
    log.append(reinterpret_cast<const char*>(d), n);
    log += "|";
  }
  void websocket_message_end(bool text) override {
    ++messages;
    log += text ? "<end text>" : "<end binary>";
  }
  void websocket_send(const uint8_t* d, size_t n) override {
    sent.append(reinterpret_cast<const char*>(d), n);
  }
  void websocket_closed(uint16_t code) override {
    ++closes;
    close_code = code;
    log += "<closed " + std::to_string(code) + ">";
  }
};

enum class Length { Shortest, Force16, Force64 };

// A client's frame: masked with `mask` unless masked is false.
std::string frame(Op op, const std::string& payload, bool fin = true, bool masked = true,
                  Length form = Length::Shortest, uint32_t mask = 0x37fa213d, uint8_t rsv = 0) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | rsv | static_cast<uint8_t>(op));
  const uint8_t m = masked ? 0x80 : 0;
  const uint64_t n = payload.size();
  if (form == Length::Shortest && n < 126) {
    f += static_cast<char>(m | n);
  } else if (form != Length::Force64 && n <= 0xffff) {
    f += static_cast<char>(m | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n);
  } else {
    f += static_cast<char>(m | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>(n >> (8 * i));
  }
  const uint8_t key[4] = {static_cast<uint8_t>(mask >> 24), static_cast<uint8_t>(mask >> 16),
                          static_cast<uint8_t>(mask >> 8), static_cast<uint8_t>(mask)};
  if (masked) f.append(reinterpret_cast<const char*>(key), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    f += static_cast<char>(payload[i] ^ (masked ? key[i & 3] : 0));
  }
  return f;
}

std::string close_payload(uint16_t code, const std::string& reason = "") {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code);
  return p + reason;
}

// The server's (unmasked) close frame with a code.
std::string server_close(uint16_t code) {
  std::string f = "\x88\x02";
  return f + close_payload(code);
}

void feed(lib::WebSocketReceiver& r, const std::string& bytes) {
  r.receive(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Feeds the bytes whole and one at a time; both must agree. Returns the whole run's recorder.
Recorder run(const std::string& bytes, uint64_t max = lib::WebSocketReceiver::kDefaultMaxMessage) {
  Recorder whole, single;
  lib::WebSocketReceiver a(whole, max), b(single, max);
  feed(a, bytes);
  for (char c : bytes) feed(b, std::string(1, c));
  EXPECT_EQ(whole.data, single.data);
  EXPECT_EQ(whole.sent, single.sent);
  EXPECT_EQ(whole.messages, single.messages);
  EXPECT_EQ(whole.close_code, single.close_code);
  return whole;
}

// --- The handshake ---

TEST(WebSocketHandshake, Rfc6455Example) {
  char accept[lib::kWebSocketAcceptSize];
  lib::websocket_accept("dGhlIHNhbXBsZSBub25jZQ==", accept);
  EXPECT_EQ(std::string(accept, sizeof accept), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  lib::websocket_accept(" dGhlIHNhbXBsZSBub25jZQ==\t", accept);
  EXPECT_EQ(std::string(accept, sizeof accept), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, Response) {
  char out[200];
  auto n = lib::websocket_handshake_response("dGhlIHNhbXBsZSBub25jZQ==", out, sizeof out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(out, n.value()),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
  EXPECT_EQ(
      lib::websocket_handshake_response("dGhlIHNhbXBsZSBub25jZQ==", out, n.value() - 1).error(),
      lib::Error::BufferTooSmall);
}

TEST(WebSocketHandshake, CheckRequest) {
  lib::WebSocketRequest good;
  good.is_get = true;
  good.http_1_1 = true;
  good.upgrade = "websocket";
  good.connection = "Upgrade";
  good.version = "13";
  good.key = "dGhlIHNhbXBsZSBub25jZQ==";
  EXPECT_TRUE(lib::websocket_check_request(good).ok());

  auto with = [&](auto change) {
    lib::WebSocketRequest r = good;
    change(r);
    auto result = lib::websocket_check_request(r);
    return result.ok() ? std::string("ok") : lib::error_name(result.error());
  };
  // What browsers send: Firefox's "keep-alive, Upgrade", other cases.
  EXPECT_EQ(with([](auto& r) { r.connection = "keep-alive, Upgrade"; }), "ok");
  EXPECT_EQ(with([](auto& r) { r.connection = "upgrade"; }), "ok");
  EXPECT_EQ(with([](auto& r) { r.upgrade = " WebSocket "; }), "ok");
  EXPECT_EQ(with([](auto& r) { r.version = " 13"; }), "ok");

  EXPECT_EQ(with([](auto& r) { r.is_get = false; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.http_1_1 = false; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.upgrade = ""; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.upgrade = "h2c"; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.upgrade = "websockets"; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.connection = "keep-alive"; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.connection = "Upgraded"; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.key = ""; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.key = "dGhlIHNhbXBsZSBub25jZQ"; }), "invalid argument");
  EXPECT_EQ(with([](auto& r) { r.key = "c2hvcnQ="; }), "invalid argument");  // 5 bytes
  EXPECT_EQ(with([](auto& r) { r.version = "8"; }), "not supported");
  EXPECT_EQ(with([](auto& r) { r.version = ""; }), "not supported");
}

// --- Frames from the server ---

TEST(WebSocketEncode, HeaderSizes) {
  uint8_t h[lib::kWebSocketMaxHeader];
  EXPECT_EQ(lib::websocket_frame_header(Op::Text, true, 125, h), 2u);
  EXPECT_EQ(h[0], 0x81);
  EXPECT_EQ(h[1], 125);
  EXPECT_EQ(lib::websocket_frame_header(Op::Binary, false, 126, h), 4u);
  EXPECT_EQ(term_test::hex(h, 4), "027e007e");
  EXPECT_EQ(lib::websocket_frame_header(Op::Binary, true, 65535, h), 4u);
  EXPECT_EQ(term_test::hex(h, 4), "827effff");
  EXPECT_EQ(lib::websocket_frame_header(Op::Continuation, true, 65536, h), 10u);
  EXPECT_EQ(term_test::hex(h, 10), "807f0000000000010000");
}

TEST(WebSocketEncode, Frames) {
  uint8_t out[200];
  // RFC 6455 5.7: a single-frame unmasked text message.
  auto n = lib::websocket_encode_frame(Op::Text, true, "Hello", 5, out, sizeof out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(term_test::hex(out, n.value()), "810548656c6c6f");
  EXPECT_EQ(lib::websocket_encode_frame(Op::Text, true, "Hello", 5, out, 6).error(),
            lib::Error::BufferTooSmall);
  std::string big(126, 'x');
  EXPECT_EQ(
      lib::websocket_encode_frame(Op::Ping, true, big.data(), big.size(), out, sizeof out).error(),
      lib::Error::InvalidArgument);
  EXPECT_EQ(lib::websocket_encode_frame(Op::Ping, false, "", 0, out, sizeof out).error(),
            lib::Error::InvalidArgument);
}

// --- Frames from the client ---

TEST(WebSocketReceive, Rfc6455MaskedHello) {
  const std::string f = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";  // RFC 6455 5.7
  EXPECT_EQ(frame(Op::Text, "Hello"), f);
  Recorder r = run(f);
  EXPECT_EQ(r.data, "Hello");
  EXPECT_EQ(r.messages, 1);
  EXPECT_EQ(r.sent, "");
  EXPECT_EQ(r.closes, 0);
}

TEST(WebSocketReceive, UnmaskedFrameIsAProtocolError) {
  Recorder r = run(frame(Op::Text, "Hello", true, false) + frame(Op::Text, "more"));
  EXPECT_EQ(r.data, "");
  EXPECT_EQ(r.sent, server_close(status::kProtocolError));
  EXPECT_EQ(r.close_code, status::kProtocolError);
  EXPECT_EQ(r.closes, 1);
}

TEST(WebSocketReceive, FragmentsWithAPingBetween) {
  Recorder r = run(frame(Op::Text, "Hel", false) + frame(Op::Ping, "are you there") +
                   frame(Op::Continuation, "", false) + frame(Op::Continuation, "lo") +
                   frame(Op::Binary, std::string("\x00\xff", 2)));
  EXPECT_EQ(r.log, "t:Hel|t:lo|<end text>b:" + std::string("\x00\xff", 2) + "|<end binary>");
  EXPECT_EQ(r.sent,
            "\x8a\x0d"
            "are you there");
  EXPECT_EQ(r.messages, 2);
}

TEST(WebSocketReceive, EmptyMessagesAndPings) {
  Recorder r = run(frame(Op::Text, "") + frame(Op::Ping, "") + frame(Op::Pong, "x"));
  EXPECT_EQ(r.log, "<end text>");
  EXPECT_EQ(r.sent, std::string("\x8a\x00", 2));
}

TEST(WebSocketReceive, ExtendedLengths) {
  std::mt19937 rng(5);
  for (size_t size : {125u, 126u, 1000u, 65535u, 65536u, 70000u}) {
    std::string payload(size, '\0');
    for (auto& c : payload) c = static_cast<char>(rng());
    for (Length form : {Length::Shortest, Length::Force16, Length::Force64}) {
      if (form == Length::Force16 && size > 0xffff) continue;
      const std::string f = frame(Op::Binary, payload, true, true, form, rng());
      Recorder r;
      lib::WebSocketReceiver rx(r);
      size_t at = 0;
      for (size_t n : term_test::random_cuts(rng, f.size(), 3000)) {
        feed(rx, f.substr(at, n));
        at += n;
      }
      EXPECT_EQ(r.data, payload) << size;
      EXPECT_EQ(r.messages, 1);
      EXPECT_EQ(r.closes, 0);
    }
  }
}

TEST(WebSocketReceive, CloseHandshakeFromTheClient) {
  Recorder r = run(frame(Op::Close, close_payload(1000, "bye")) + frame(Op::Text, "late"));
  EXPECT_EQ(r.sent, server_close(1000));
  EXPECT_EQ(r.close_code, 1000);
  EXPECT_EQ(r.data, "");
  Recorder empty = run(frame(Op::Close, ""));
  EXPECT_EQ(empty.sent, std::string("\x88\x00", 2));
  EXPECT_EQ(empty.close_code, status::kNoStatus);
  Recorder app = run(frame(Op::Close, close_payload(4000)));
  EXPECT_EQ(app.sent, server_close(4000));
}

TEST(WebSocketReceive, BadCloseFrames) {
  EXPECT_EQ(run(frame(Op::Close, "x")).close_code, status::kProtocolError);
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    Recorder r = run(frame(Op::Close, close_payload(code)));
    EXPECT_EQ(r.close_code, status::kProtocolError) << code;
    EXPECT_EQ(r.sent, server_close(status::kProtocolError));
  }
  Recorder r = run(frame(Op::Close, close_payload(1000, "\xff")));
  EXPECT_EQ(r.close_code, status::kInvalidPayload);
}

TEST(WebSocketReceive, CloseHandshakeFromTheServer) {
  Recorder r;
  lib::WebSocketReceiver rx(r);
  rx.close(status::kGoingAway, "shutdown");
  EXPECT_EQ(r.sent, "\x88\x0a" + close_payload(status::kGoingAway, "shutdown"));
  r.sent.clear();
  // Messages and pings that cross our close are dropped; the client's close ends it all.
  feed(rx,
       frame(Op::Text, "in flight") + frame(Op::Ping, "p") + frame(Op::Close, close_payload(1001)));
  EXPECT_EQ(r.data, "");
  EXPECT_EQ(r.sent, "");
  EXPECT_EQ(r.close_code, 1001);
  EXPECT_TRUE(rx.closed());
  rx.close(1000);  // too late: nothing is sent
  EXPECT_EQ(r.sent, "");
}

TEST(WebSocketReceive, ProtocolErrors) {
  const std::string reason = "expected 1002";
  std::vector<std::string> cases = {
      frame(Op::Text, "x", true, true, Length::Shortest, 1, 0x40),  // RSV1 without an extension
      frame(Op::Text, "x", true, true, Length::Shortest, 1, 0x10),
      frame(static_cast<Op>(3), "x"),
      frame(static_cast<Op>(7), "x"),
      frame(static_cast<Op>(0xb), "x"),
      frame(static_cast<Op>(0xf), "x"),
      frame(Op::Continuation, "x"),                        // nothing to continue
      frame(Op::Text, "a", false) + frame(Op::Text, "b"),  // a new message inside one
      frame(Op::Text, "a", false) + frame(Op::Binary, "b"),
      frame(Op::Ping, "x", false),             // a fragmented control frame
      frame(Op::Ping, std::string(126, 'x')),  // a control frame too long
      frame(Op::Close, std::string(126, 'x'), true, true, Length::Force16),
      frame(Op::Pong, "x", true, false),  // unmasked control frame
  };
  // A 64-bit length with its most significant bit set.
  std::string huge = "\x82\xff\x80";
  huge += std::string(7, '\0') + "MASK";
  cases.push_back(huge);
  for (const std::string& c : cases) {
    Recorder r = run(c + frame(Op::Text, "after"));
    EXPECT_EQ(r.close_code, status::kProtocolError) << term_test::hex(
        reinterpret_cast<const uint8_t*>(c.data()), c.size() < 16 ? c.size() : 16);
    EXPECT_EQ(r.closes, 1);
    EXPECT_EQ(r.sent, server_close(status::kProtocolError));
    EXPECT_EQ(r.data.find("after"), std::string::npos);
  }
}

TEST(WebSocketReceive, MessageSizeLimit) {
  // At the limit, in one frame or several.
  Recorder at = run(frame(Op::Binary, std::string(100, 'a')), 100);
  EXPECT_EQ(at.messages, 1);
  EXPECT_EQ(at.closes, 0);
  Recorder split = run(
      frame(Op::Text, std::string(60, 'a'), false) + frame(Op::Continuation, std::string(40, 'b')),
      100);
  EXPECT_EQ(split.messages, 1);
  // One past it: refused at the header, before any of the payload arrives.
  Recorder over = run(frame(Op::Binary, std::string(101, 'a')), 100);
  EXPECT_EQ(over.close_code, status::kMessageTooBig);
  EXPECT_EQ(over.data, "");
  EXPECT_EQ(over.sent, server_close(status::kMessageTooBig));
  Recorder over_split = run(
      frame(Op::Text, std::string(60, 'a'), false) + frame(Op::Continuation, std::string(41, 'b')),
      100);
  EXPECT_EQ(over_split.close_code, status::kMessageTooBig);
  EXPECT_EQ(over_split.data, std::string(60, 'a'));
  // Control frames do not count towards it; a following message starts from zero.
  Recorder two = run(frame(Op::Binary, std::string(100, 'a')) + frame(Op::Ping, "p") +
                         frame(Op::Binary, std::string(100, 'b')),
                     100);
  EXPECT_EQ(two.messages, 2);
  // A 64-bit length near 2^63 (no overflow in the sum) with the default limit.
  std::string huge = "\x82\xff\x7f";
  huge += std::string(7, '\xff') + "MASK";
  EXPECT_EQ(run(huge).close_code, status::kMessageTooBig);
  Recorder after_first = run(frame(Op::Text, "a", false) + huge.replace(0, 1, "\x00", 1));
  EXPECT_EQ(after_first.close_code, status::kMessageTooBig);
}

TEST(WebSocketReceive, TextMustBeUtf8) {
  // A character cut between fragments is fine.
  Recorder cut = run(frame(Op::Text, "\xe2\x82", false) + frame(Op::Continuation, "\xac!"));
  EXPECT_EQ(cut.data, "\xe2\x82\xac!");
  EXPECT_EQ(cut.messages, 1);
  // Invalid bytes, or a message that ends inside a character, fail the connection.
  for (const std::string& bad : {std::string("ok\xff"), std::string("\xed\xa0\x80"),
                                 std::string("\xc0\xaf"), std::string("end\xe2\x82")}) {
    Recorder r = run(frame(Op::Text, bad));
    EXPECT_EQ(r.close_code, status::kInvalidPayload);
    EXPECT_EQ(r.sent, server_close(status::kInvalidPayload));
    EXPECT_EQ(r.messages, 0);
  }
  // Binary is not checked.
  EXPECT_EQ(run(frame(Op::Binary, "\xff\xfe")).messages, 1);
}

// Server frames, masked as a client would, come back through the receiver.
TEST(WebSocketReceive, EncodedFramesRoundTrip) {
  std::mt19937 rng(9);
  for (int round = 0; round < 100; ++round) {
    std::string payload(rng() % 300, '\0');
    for (auto& c : payload) c = static_cast<char>('a' + rng() % 26);
    std::vector<uint8_t> out(payload.size() + lib::kWebSocketMaxHeader);
    auto n = lib::websocket_encode_frame(Op::Text, true, payload.data(), payload.size(), out.data(),
                                         out.size());
    ASSERT_TRUE(n.ok());
    // Set the mask bit and insert a zero mask (which leaves the payload as it is).
    std::string f(reinterpret_cast<char*>(out.data()), n.value());
    const size_t header = n.value() - payload.size();
    f[1] = static_cast<char>(f[1] | 0x80);
    f.insert(header, std::string(4, '\0'));
    Recorder r = run(f);
    EXPECT_EQ(r.data, payload);
    EXPECT_EQ(r.messages, 1);
  }
}

// Random frames (valid and not) and random bytes in random pieces: no crash, no overflow, and
// the same events whatever the cuts.
TEST(WebSocketReceive, RandomInputAnySplit) {
  std::mt19937 rng(13);
  const Op ops[] = {Op::Continuation, Op::Text, Op::Binary, Op::Close, Op::Ping, Op::Pong};
  for (int round = 0; round < 1500; ++round) {
    std::string in;
    const int frames = static_cast<int>(rng() % 6);
    for (int i = 0; i < frames; ++i) {
      std::string payload(rng() % 200, '\0');
      for (auto& c : payload) c = static_cast<char>(rng() % 3 ? 'a' + rng() % 26 : rng());
      const Op op = ops[rng() % 6];
      if ((static_cast<uint8_t>(op) & 8) && payload.size() > 125) payload.resize(rng() % 126);
      if (op == Op::Close && rng() % 2) payload = close_payload(1000 + rng() % 20) + "r";
      in += frame(op, payload, rng() % 4 != 0, rng() % 20 != 0, static_cast<Length>(rng() % 3),
                  rng(), rng() % 30 == 0 ? 0x40 : 0);
    }
    if (rng() % 3 == 0) {
      std::string noise(rng() % 64, '\0');
      for (auto& c : noise) c = static_cast<char>(rng());
      in.insert(rng() % (in.size() + 1), noise);
    }
    const uint64_t max = rng() % 2 ? 150 : lib::WebSocketReceiver::kDefaultMaxMessage;
    Recorder whole, cut;
    lib::WebSocketReceiver a(whole, max), b(cut, max);
    feed(a, in);
    size_t at = 0;
    for (size_t n : term_test::random_cuts(rng, in.size(), 17)) {
      feed(b, in.substr(at, n));
      at += n;
    }
    EXPECT_EQ(whole.data, cut.data);
    EXPECT_EQ(whole.sent, cut.sent);
    EXPECT_EQ(whole.messages, cut.messages);
    EXPECT_EQ(whole.close_code, cut.close_code);
    EXPECT_LE(whole.closes, 1);
  }
}

}  // namespace
