// term's remote terminals (servers/term/remote.h): telnet and WebSocket from the first byte,
// the password, the delays and timeouts, the output's encoding, the refusals.
#include "servers/term/remote.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using term::RemoteTerminal;
using State = RemoteTerminal::State;

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kTimeout = 60 * kS;
constexpr char kIac = '\xff';

struct Owner final : term::RemoteOwner {
  std::string wire;   // all that was sent
  std::string typed;  // what went to the shell
  std::string checked;
  int logins = 0, closes = 0, sends = 0;

  void remote_send(const uint8_t* d, size_t n) override {
    EXPECT_EQ(closes, 0) << "sent after the close";
    ++sends;
    wire.append(reinterpret_cast<const char*>(d), n);
  }
  void remote_typed(const uint8_t* d, size_t n) override {
    typed.append(reinterpret_cast<const char*>(d), n);
  }
  bool remote_check(lib::StringView p) override {
    checked += std::string(p.data(), p.size()) + "|";
    return p == "secret";
  }
  void remote_login() override { ++logins; }
  void remote_close() override { ++closes; }

  std::string take() {
    std::string w = wire;
    wire.clear();
    return w;
  }
};

void feed(RemoteTerminal& t, const std::string& s, uint64_t now = 0) {
  t.receive(reinterpret_cast<const uint8_t*>(s.data()), s.size(), now);
}

// --- Telnet ---

TEST(RemoteTelnet, OffersThenAsksForThePassword) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Telnet, 0, kTimeout);
  t.start();
  EXPECT_EQ(o.take(), std::string("\xff\xfb\x01\xff\xfb\x03\xff\xfd\x1f", 9) + "Password: ");
  EXPECT_EQ(t.state(), State::Password);
  // The client's acknowledgements call for no answer.
  feed(t, "\xff\xfd\x01\xff\xfd\x03\xff\xfb\x1f");
  EXPECT_EQ(o.take(), "");
}

TEST(RemoteTelnet, RightPasswordStartsTheShellWithTheWindow) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Telnet, 0, kTimeout);
  t.start();
  o.take();
  EXPECT_EQ(t.columns(), 80);
  EXPECT_EQ(t.rows(), 24);
  feed(t, std::string("\xff\xfb\x1f\xff\xfa\x1f\x00\x64\x00\x1e\xff\xf0", 12));
  // Typed with a mistake, then CR NUL (what a telnet client sends for Return), then more:
  // not echoed.
  feed(t, std::string("sx\x7f"
                      "ecret\r\0ls\r",
                      13));
  EXPECT_EQ(o.checked, "secret|");
  EXPECT_EQ(o.logins, 1);
  EXPECT_EQ(t.state(), State::Shell);
  EXPECT_EQ(t.columns(), 100);
  EXPECT_EQ(t.rows(), 30);
  EXPECT_EQ(o.take(), "\r\n");  // the line ends; nothing of the password shows
  EXPECT_EQ(o.typed, "ls\r");   // typed ahead: for the shell
  EXPECT_EQ(t.deadline(), UINT64_MAX);
  // Interrupt Process is Ctrl-C.
  o.typed.clear();
  feed(t, "\xff\xf4");
  EXPECT_EQ(o.typed, "\x03");
}

TEST(RemoteTelnet, WrongPasswordsThenTheDelayThenTheClose) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Telnet, 0, kTimeout);
  t.start();
  o.take();
  feed(t, "guess\r\n", 1 * kS);
  EXPECT_EQ(o.take(), "\r\nLogin incorrect.\r\n");
  EXPECT_EQ(t.state(), State::Delay);
  EXPECT_EQ(t.deadline(), 1 * kS + RemoteTerminal::kFailDelayNs);
  feed(t, "secret\r", 2 * kS);  // typed during the delay: dropped
  EXPECT_EQ(o.logins, 0);
  t.tick(2 * kS);
  EXPECT_EQ(o.take(), "");
  t.tick(3 * kS);
  EXPECT_EQ(o.take(), "Password: ");
  feed(t,
       "\x15"
       "again\n",
       4 * kS);  // Ctrl-U; a bare LF ends the line too
  EXPECT_EQ(o.take(), "\r\nLogin incorrect.\r\n");
  t.tick(6 * kS);
  o.take();
  feed(t, "Secret\r", 7 * kS);
  EXPECT_EQ(o.take(), "\r\nLogin incorrect.\r\nToo many failures.\r\n");
  EXPECT_EQ(o.checked, "guess|again|Secret|");
  EXPECT_EQ(t.state(), State::Closed);
  EXPECT_EQ(o.closes, 1);
  feed(t, "secret\r", 8 * kS);
  EXPECT_EQ(o.logins, 0);
}

TEST(RemoteTelnet, LoginTimesOut) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Telnet, 5 * kS, kTimeout);
  t.start();
  o.take();
  feed(t, "secr", 6 * kS);
  EXPECT_EQ(t.deadline(), 5 * kS + kTimeout);
  t.tick(5 * kS + kTimeout - 1);
  EXPECT_EQ(o.closes, 0);
  t.tick(5 * kS + kTimeout);
  EXPECT_EQ(o.take(), "\r\nLogin timed out.\r\n");
  EXPECT_EQ(o.closes, 1);
}

TEST(RemoteTelnet, TooLongAPasswordIsWrongAndCtrlDCloses) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Telnet, 0, kTimeout);
  t.start();
  o.take();
  feed(t, "secret" + std::string(RemoteTerminal::kMaxPassword, 'x') + "\r");
  EXPECT_EQ(o.checked, "");  // not even checked
  EXPECT_EQ(o.take(), "\r\nLogin incorrect.\r\n");
  t.tick(RemoteTerminal::kFailDelayNs);
  o.take();
  feed(t, "\x03");
  EXPECT_EQ(o.take(), "^C\r\nPassword: ");
  feed(t, "\x04");
  EXPECT_EQ(o.closes, 1);
}

TEST(RemoteTelnet, OutputIsEncoded) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Telnet, 0, kTimeout);
  t.start();
  feed(t, "secret\r");
  o.take();
  t.output(
      "a\nb\xff"
      "c\r\nd\re");
  EXPECT_EQ(o.take(), std::string("a\r\nb\xff\xff"
                                  "c\r\nd\r\0e",
                                  13));
  // A long output whose pieces meet at a CR LF: no CR NUL between them.
  std::string long_text(1023, 'x');
  long_text += "\r\ny";
  t.output(lib::StringView(long_text.data(), long_text.size()));
  EXPECT_EQ(o.take(), long_text);
}

TEST(RemoteTelnet, Refused) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Telnet, 0, kTimeout);
  t.refuse("Too many sessions.\n");
  t.start();
  EXPECT_EQ(o.take(), "Too many sessions.\r\n");
  EXPECT_EQ(o.closes, 1);
  EXPECT_EQ(o.logins, 0);
}

// --- WebSocket ---

constexpr char kRequest[] =
    "GET /terminal/ws?cols=120&rows=40 HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Origin: http://127.0.0.1:8080\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
constexpr char kSwitching[] =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

// A client's frame (masked).
std::string client_frame(uint8_t opcode, const std::string& payload) {
  const uint8_t mask[4] = {0x12, 0x34, 0x56, 0x78};
  std::string f;
  f += static_cast<char>(0x80 | opcode);
  f += static_cast<char>(0x80 | payload.size());  // short payloads only
  for (const uint8_t m : mask) f += static_cast<char>(m);
  for (size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  return f;
}

// The server's frames in wire: "OPCODE:payload" each, or "?" for a malformed rest.
std::string frames(const std::string& wire) {
  std::string out;
  for (size_t at = 0; at < wire.size();) {
    if (wire.size() - at < 2) return out + "?";
    const auto b0 = static_cast<uint8_t>(wire[at]), b1 = static_cast<uint8_t>(wire[at + 1]);
    if (!(b0 & 0x80) || (b1 & 0x80)) return out + "?";  // unfinished, or masked
    size_t n = b1 & 0x7f, h = 2;
    if (n == 126) {
      n = static_cast<uint8_t>(wire[at + 2]) << 8 | static_cast<uint8_t>(wire[at + 3]);
      h = 4;
    }
    if (wire.size() - at < h + n) return out + "?";
    out += std::to_string(b0 & 0x0f) + ":" + wire.substr(at + h, n) + "|";
    at += h + n;
  }
  return out;
}

TEST(RemoteWeb, HandshakeInPiecesThenLogin) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Web, 0, kTimeout);
  t.start();
  EXPECT_EQ(t.state(), State::Request);
  const std::string request = kRequest;
  feed(t, request.substr(0, 30));
  EXPECT_EQ(o.take(), "");
  // The rest, with the client's first frame right behind it.
  feed(t, request.substr(30) + client_frame(1, "sec"));
  const std::string wire = o.take();
  ASSERT_EQ(wire.substr(0, sizeof(kSwitching) - 1), kSwitching);
  EXPECT_EQ(frames(wire.substr(sizeof(kSwitching) - 1)), "2:Password: |");
  EXPECT_EQ(t.columns(), 120);
  EXPECT_EQ(t.rows(), 40);
  feed(t, client_frame(2, "ret\rpwd\r"));  // binary frames are typed too
  EXPECT_EQ(o.logins, 1);
  EXPECT_EQ(o.typed, "pwd\r");
  EXPECT_EQ(frames(o.take()), "2:\r\n|");
  t.output("one\ntwo\r\n");
  EXPECT_EQ(frames(o.take()), "2:one\r\ntwo\r\n|");
  // A ping is answered; the client's close is answered and ends the terminal.
  feed(t, client_frame(9, "hi"));
  EXPECT_EQ(frames(o.take()), "10:hi|");
  feed(t, client_frame(8, "\x03\xe8"));
  EXPECT_EQ(frames(o.take()), std::string("8:\x03\xe8|"));
  EXPECT_EQ(o.closes, 1);
}

TEST(RemoteWeb, FinishSendsTheTextAndACloseFrame) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Web, 0, kTimeout);
  feed(t, kRequest);
  o.take();
  feed(t, client_frame(1, "secret\r"));
  o.take();
  std::string big(3000, 'x');
  t.output(lib::StringView(big.data(), big.size()));  // several frames
  EXPECT_EQ(frames(o.take()), "2:" + big.substr(0, 1024) + "|2:" + big.substr(1024, 1024) +
                                  "|2:" + big.substr(2048) + "|");
  t.finish("bye\n");
  EXPECT_EQ(frames(o.take()), std::string("2:bye\r\n|8:\x03\xe8|"));
  EXPECT_EQ(o.closes, 1);
}

TEST(RemoteWeb, LoginTimesOutBeforeTheRequestEnds) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Web, 0, 5 * kS);
  feed(t, "GET /terminal/ws HTTP/1.1\r\n");
  t.tick(5 * kS);
  EXPECT_EQ(o.take(), "");  // no WebSocket yet: nothing to say it in
  EXPECT_EQ(o.closes, 1);
}

std::string answer_to(const std::string& request) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Web, 0, kTimeout);
  feed(t, request);
  EXPECT_EQ(o.closes, 1) << request;
  const std::string wire = o.take();
  return wire.substr(0, wire.find("\r\n"));
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(RemoteWeb, BadRequestsAreRefused) {
  const std::string r = kRequest;
  EXPECT_EQ(answer_to(replaced(r, "Upgrade: websocket\r\n", "")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(answer_to(replaced(r, "GET", "POST")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(answer_to(replaced(r, "Version: 13", "Version: 8")), "HTTP/1.1 426 Upgrade Required");
  EXPECT_EQ(answer_to(replaced(r, "/terminal/ws", "/other")), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(answer_to(replaced(r, "Origin: http://127.0.0.1:8080", "Origin: http://evil.example")),
            "HTTP/1.1 403 Forbidden");
  EXPECT_EQ(answer_to("nonsense\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(answer_to("GET /terminal/ws HTTP/1.1\r\n" + std::string(5000, 'a')),
            "HTTP/1.1 431 Request Header Fields Too Large");
  // Without an Origin (not a browser) the request is taken.
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Web, 0, kTimeout);
  feed(t, replaced(r, "Origin: http://127.0.0.1:8080\r\n", ""));
  EXPECT_EQ(t.state(), State::Password);
}

TEST(RemoteWeb, RefusedAfterTheHandshake) {
  Owner o;
  RemoteTerminal t(o, RemoteTerminal::Kind::Web, 0, kTimeout);
  t.refuse("Too many sessions.\n");
  t.start();
  feed(t, kRequest);
  const std::string wire = o.take();
  ASSERT_EQ(wire.substr(0, sizeof(kSwitching) - 1), kSwitching);
  EXPECT_EQ(frames(wire.substr(sizeof(kSwitching) - 1)),
            std::string("2:Too many sessions.\r\n|8:\x03\xe8|"));
  EXPECT_EQ(o.closes, 1);
}

TEST(RemoteRequest, Parse) {
  term::ParsedRequest r;
  ASSERT_TRUE(term::parse_request(
      "GET /terminal/ws?rows=9999&cols=81&x=1 HTTP/1.1\r\nHOST:  a:1 \r\nupgrade: WebSocket\r\n"
      "Sec-WebSocket-Key:\tk\r\n\r\n",
      &r));
  EXPECT_TRUE(r.websocket.is_get);
  EXPECT_TRUE(r.websocket.http_1_1);
  EXPECT_TRUE(r.host == "a:1");
  EXPECT_TRUE(r.websocket.upgrade == "WebSocket");
  EXPECT_TRUE(r.websocket.key == "k");
  EXPECT_EQ(r.columns, 81);
  EXPECT_EQ(r.rows, 0);  // out of range: unknown
  EXPECT_TRUE(term::parse_request("GET / HTTP/1.0\r\n\r\n", &r));
  EXPECT_FALSE(r.websocket.http_1_1);
  EXPECT_FALSE(term::parse_request("GET /\r\n\r\n", &r));
  EXPECT_FALSE(term::parse_request("GET / HTTP/1.1\r\nno colon\r\n\r\n", &r));
  EXPECT_FALSE(term::parse_request("GET  HTTP/1.1\r\n\r\n", &r));
}

// The window's dimensions at their boundaries: 1..1000, else unknown (never wrapped).
TEST(RemoteRequest, WindowSizeBoundaries) {
  const std::pair<const char*, uint16_t> cases[] = {{"0", 0},
                                                    {"1", 1},
                                                    {"1000", 1000},
                                                    {"1001", 0},
                                                    {"0080", 80},
                                                    {"000000000080", 80},
                                                    {"65616", 0},
                                                    {"4294967376", 0},
                                                    {"18446744073709551616", 0},
                                                    {"18446744073709551620", 0},
                                                    {"-80", 0},
                                                    {"+80", 0},
                                                    {" 80", 0},
                                                    {"80 ", 0},
                                                    {"", 0},
                                                    {"8x", 0}};
  for (const auto& [value, expected] : cases) {
    term::ParsedRequest r;
    const std::string head = std::string("GET /terminal/ws?cols=") + value + " HTTP/1.1\r\n\r\n";
    if (!term::parse_request(lib::StringView(head.data(), head.size()), &r)) {
      EXPECT_EQ(expected, 0) << value;  // a space ends the target: not a request
      continue;
    }
    EXPECT_EQ(r.columns, expected) << "'" << value << "'";
  }
}

TEST(RemoteRequest, Origin) {
  EXPECT_TRUE(term::origin_matches("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(term::origin_matches("https://Stellina.local", "stellina.local"));
  EXPECT_FALSE(term::origin_matches("http://127.0.0.1:8081", "127.0.0.1:8080"));
  EXPECT_FALSE(term::origin_matches("null", "127.0.0.1:8080"));
  EXPECT_FALSE(term::origin_matches("http://a", ""));
}

}  // namespace
