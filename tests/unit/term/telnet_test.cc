#include <lib/telnet.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

using namespace lib::telnet;

// Records what the parser hands on; `log` keeps the order of data and events.
struct Recorder final : lib::TelnetHandler {
  std::string data;
  std::string sent;
  std::string log;
  std::vector<std::pair<uint16_t, uint16_t>> sizes;
  std::vector<uint8_t> commands;

  void telnet_data(const uint8_t* d, size_t n) override {
    data.append(reinterpret_cast<const char*>(d), n);
    log.append(reinterpret_cast<const char*>(d), n);
  }
  void telnet_send(const uint8_t* d, size_t n) override {
    sent.append(reinterpret_cast<const char*>(d), n);
  }
  void telnet_window_size(uint16_t c, uint16_t r) override {
    sizes.emplace_back(c, r);
    log += "<size " + std::to_string(c) + "x" + std::to_string(r) + ">";
  }
  void telnet_command(uint8_t c) override {
    commands.push_back(c);
    log += "<cmd " + std::to_string(c) + ">";
  }
};

std::string s(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out += static_cast<char>(b);
  return out;
}

void feed(lib::TelnetServer& t, const std::string& bytes) {
  t.receive(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Feeds every byte alone, then the whole in one piece, and checks both give the same log.
std::string parse_split_and_whole(const std::string& bytes, std::string* sent = nullptr) {
  Recorder whole, single;
  lib::TelnetServer a(whole), b(single);
  feed(a, bytes);
  for (char c : bytes) feed(b, std::string(1, c));
  EXPECT_EQ(whole.log, single.log);
  EXPECT_EQ(whole.sent, single.sent);
  if (sent) *sent = whole.sent;
  return whole.log;
}

TEST(Telnet, OpeningOffer) {
  Recorder r;
  lib::TelnetServer t(r);
  t.start();
  EXPECT_EQ(r.sent, s({kIac, kWill, kOptionEcho, kIac, kWill, kOptionSuppressGoAhead, kIac, kDo,
                       kOptionWindowSize}));
  EXPECT_FALSE(t.local_enabled(kOptionEcho));  // offered, not yet accepted
}

// What GNU telnet answers to the offer: DO ECHO, DO SGA, WILL NAWS and then the size. The
// answers to our own requests get no reply.
TEST(Telnet, TypicalClientAcceptsWithoutLoop) {
  Recorder r;
  lib::TelnetServer t(r);
  t.start();
  r.sent.clear();
  feed(t, s({kIac, kDo, kOptionEcho, kIac, kDo, kOptionSuppressGoAhead, kIac, kWill,
             kOptionWindowSize, kIac, kSb, kOptionWindowSize, 0, 80, 0, 24, kIac, kSe}));
  EXPECT_EQ(r.sent, "");
  EXPECT_TRUE(t.local_enabled(kOptionEcho));
  EXPECT_TRUE(t.local_enabled(kOptionSuppressGoAhead));
  EXPECT_TRUE(t.remote_enabled(kOptionWindowSize));
  ASSERT_EQ(r.sizes.size(), 1u);
  EXPECT_EQ(r.sizes[0], std::make_pair(uint16_t{80}, uint16_t{24}));
  // The client also offers to suppress go-ahead on its side: accepted once.
  feed(t, s({kIac, kWill, kOptionSuppressGoAhead}));
  EXPECT_EQ(r.sent, s({kIac, kDo, kOptionSuppressGoAhead}));
  feed(t, s({kIac, kWill, kOptionSuppressGoAhead}));  // already on: no reply
  EXPECT_EQ(r.sent, s({kIac, kDo, kOptionSuppressGoAhead}));
}

TEST(Telnet, UnsupportedOptionsAreRefusedOnce) {
  Recorder r;
  lib::TelnetServer t(r);
  feed(t,
       s({kIac, kWill, kOptionTerminalType, kIac, kDo, kOptionLinemode, kIac, kWill, kOptionEcho}));
  EXPECT_EQ(r.sent, s({kIac, kDont, kOptionTerminalType, kIac, kWont, kOptionLinemode, kIac, kDont,
                       kOptionEcho}));
  r.sent.clear();
  // Refusals of refusals, and DONT/WONT for what is off, get no answer.
  feed(t, s({kIac, kWont, kOptionTerminalType, kIac, kDont, kOptionLinemode, kIac, kDont,
             kOptionEcho, kIac, kWont, kOptionWindowSize}));
  EXPECT_EQ(r.sent, "");
}

TEST(Telnet, ClientRefusesTheOffer) {
  Recorder r;
  lib::TelnetServer t(r);
  t.start();
  r.sent.clear();
  feed(t, s({kIac, kDont, kOptionEcho, kIac, kWont, kOptionWindowSize}));
  EXPECT_EQ(r.sent, "");  // a refusal of our request is final
  EXPECT_FALSE(t.local_enabled(kOptionEcho));
  EXPECT_FALSE(t.remote_enabled(kOptionWindowSize));
  // Later the client asks after all: now it is a request, answered.
  feed(t, s({kIac, kDo, kOptionEcho}));
  EXPECT_EQ(r.sent, s({kIac, kWill, kOptionEcho}));
}

TEST(Telnet, DisablingAnEnabledOptionIsAcknowledged) {
  Recorder r;
  lib::TelnetServer t(r);
  t.start();
  feed(t, s({kIac, kDo, kOptionEcho, kIac, kWill, kOptionWindowSize}));
  r.sent.clear();
  feed(t, s({kIac, kDont, kOptionEcho, kIac, kWont, kOptionWindowSize}));
  EXPECT_EQ(r.sent, s({kIac, kWont, kOptionEcho, kIac, kDont, kOptionWindowSize}));
  EXPECT_FALSE(t.local_enabled(kOptionEcho));
}

// Two servers wired to each other (each other's client) settle: no endless exchange.
TEST(Telnet, TwoPartiesSettle) {
  struct Wire final : lib::TelnetHandler {
    std::string out;
    void telnet_data(const uint8_t*, size_t) override {}
    void telnet_send(const uint8_t* d, size_t n) override {
      out.append(reinterpret_cast<const char*>(d), n);
    }
  };
  Wire wa, wb;
  lib::TelnetServer a(wa), b(wb);
  a.start();
  b.start();
  int rounds = 0;
  while ((!wa.out.empty() || !wb.out.empty()) && rounds < 100) {
    std::string to_b = std::move(wa.out), to_a = std::move(wb.out);
    wa.out.clear();
    wb.out.clear();
    feed(b, to_b);
    feed(a, to_a);
    ++rounds;
  }
  EXPECT_LT(rounds, 5);
  // Each refuses the other's ECHO (a server does not let its client echo); both agree on
  // suppressing go-ahead, each way.
  EXPECT_FALSE(a.local_enabled(kOptionEcho));
  EXPECT_TRUE(a.local_enabled(kOptionSuppressGoAhead));
  EXPECT_TRUE(a.remote_enabled(kOptionSuppressGoAhead));
  EXPECT_TRUE(b.remote_enabled(kOptionSuppressGoAhead));
}

TEST(Telnet, IacEscapingAndCommands) {
  EXPECT_EQ(parse_split_and_whole(s({'a', kIac, kIac, 'b'})), s({'a', 0xff, 'b'}));
  EXPECT_EQ(
      parse_split_and_whole(s({'x', kIac, kInterruptProcess, 'y', kIac, kNop, kIac, kAreYouThere})),
      "x<cmd 244>y<cmd 246>");
  // SE outside a subnegotiation, and a byte after IAC that is no command, are ignored.
  EXPECT_EQ(parse_split_and_whole(s({'a', kIac, kSe, 'b', kIac, 17, 'c'})), "abc");
}

TEST(Telnet, CarriageReturns) {
  EXPECT_EQ(parse_split_and_whole(s({'l', 's', '\r', 0})), "ls\r");
  EXPECT_EQ(parse_split_and_whole("ls\r\n"), "ls\r");
  EXPECT_EQ(parse_split_and_whole("ls\n"), "ls\n");  // netcat: a bare LF stays
  EXPECT_EQ(parse_split_and_whole("a\rb"), "a\rb");  // not RFC 854, taken as is
  EXPECT_EQ(parse_split_and_whole("a\r\r\n"), "a\r\r");
  EXPECT_EQ(parse_split_and_whole(s({'a', '\r', 0, 0})), s({'a', '\r', 0}));
  EXPECT_EQ(parse_split_and_whole("\r\n\r\n"), "\r\r");
  // The CR reaches the handler at once, before the NUL or LF that follows it arrives.
  Recorder r;
  lib::TelnetServer t(r);
  feed(t, "ls\r");
  EXPECT_EQ(r.data, "ls\r");
  feed(t, "\n");
  EXPECT_EQ(r.data, "ls\r");
}

TEST(Telnet, WindowSizes) {
  EXPECT_EQ(
      parse_split_and_whole(s({'a', kIac, kSb, kOptionWindowSize, 0, 132, 0, 50, kIac, kSe, 'b'})),
      "a<size 132x50>b");
  // 255 in a size is sent doubled.
  EXPECT_EQ(
      parse_split_and_whole(s({kIac, kSb, kOptionWindowSize, 0, kIac, kIac, 1, 0, kIac, kSe})),
      "<size 255x256>");
  // Wrong lengths and unknown options are dropped.
  Recorder r;
  lib::TelnetServer t(r);
  feed(t, s({kIac,
             kSb,
             kOptionWindowSize,
             0,
             80,
             0,
             kIac,
             kSe,
             kIac,
             kSb,
             kOptionWindowSize,
             0,
             80,
             0,
             24,
             0,
             kIac,
             kSe,
             kIac,
             kSb,
             kOptionTerminalType,
             0,
             'x',
             kIac,
             kSe,
             'z'}));
  EXPECT_TRUE(r.sizes.empty());
  EXPECT_EQ(r.data, "z");
  EXPECT_EQ(t.dropped_subnegotiations(), 3u);
}

TEST(Telnet, OversizedAndCutSubnegotiations) {
  Recorder r;
  lib::TelnetServer t(r);
  std::string big = s({kIac, kSb, kOptionWindowSize});
  big += std::string(lib::TelnetServer::kMaxSubnegotiation * 3, 'q');
  big += s({kIac, kSe});
  feed(t, big + "after");
  EXPECT_EQ(r.data, "after");
  EXPECT_EQ(t.dropped_subnegotiations(), 1u);
  // Exactly at the limit is kept (and dropped only for not being NAWS).
  std::string at = s({kIac, kSb, kOptionTerminalType});
  at += std::string(lib::TelnetServer::kMaxSubnegotiation, 'q');
  feed(t, at + s({kIac, kSe}) + "x");
  EXPECT_EQ(r.data, "afterx");
  // An unterminated subnegotiation ends at the next command, which is obeyed.
  feed(t, s({kIac, kSb, kOptionWindowSize, 1, 2, kIac, kDo, kOptionLinemode}) + "data");
  EXPECT_EQ(r.data, "afterxdata");
  EXPECT_EQ(r.sent, s({kIac, kWont, kOptionLinemode}));
  EXPECT_EQ(t.dropped_subnegotiations(), 3u);
}

TEST(Telnet, EncodeEscapesAndLineEnds) {
  auto encode = [](const std::string& in) {
    std::vector<uint8_t> out(in.size() * lib::kTelnetMaxExpansion);
    auto r = lib::telnet_encode(reinterpret_cast<const uint8_t*>(in.data()), in.size(), out.data(),
                                out.size());
    EXPECT_EQ(r.consumed, in.size());
    return std::string(reinterpret_cast<char*>(out.data()), r.written);
  };
  EXPECT_EQ(encode("ls\n"), "ls\r\n");
  EXPECT_EQ(encode("a\r\nb"), "a\r\nb");
  EXPECT_EQ(encode("a\rb"), s({'a', '\r', 0, 'b'}));
  EXPECT_EQ(encode("a\r"), s({'a', '\r', 0}));
  EXPECT_EQ(encode(s({0xff, 'x', 0xff})), s({0xff, 0xff, 'x', 0xff, 0xff}));
  EXPECT_EQ(encode(""), "");
}

TEST(Telnet, EncodeStopsAtWholeBytes) {
  const std::string in = s({'a', 0xff, '\n', 'b'});
  uint8_t out[8];
  for (size_t cap = 0; cap <= 8; ++cap) {
    std::string got;
    size_t at = 0;
    // Drain through a buffer of `cap` bytes; a byte never splits.
    for (int guard = 0; at < in.size() && guard < 20; ++guard) {
      auto r = lib::telnet_encode(reinterpret_cast<const uint8_t*>(in.data()) + at, in.size() - at,
                                  out, cap);
      ASSERT_LE(r.written, cap);
      if (cap < 2 && r.consumed == 0) break;
      got.append(reinterpret_cast<char*>(out), r.written);
      at += r.consumed;
    }
    if (cap >= 2) EXPECT_EQ(got, s({'a', 0xff, 0xff, '\r', '\n', 'b'})) << cap;
  }
}

// Encoded output, parsed back, is the output (with its line ends as a terminal types them).
TEST(Telnet, EncodeThenParseRoundTrips) {
  std::mt19937 rng(3);
  for (int round = 0; round < 300; ++round) {
    std::string in(rng() % 100, '\0');
    for (auto& c : in) {
      c = static_cast<char>(rng() % 4 == 0 ? "\r\n\xff"[rng() % 3] : 'a' + rng() % 26);
    }
    std::vector<uint8_t> wire(in.size() * 2);
    auto e = lib::telnet_encode(reinterpret_cast<const uint8_t*>(in.data()), in.size(), wire.data(),
                                wire.size());
    ASSERT_EQ(e.consumed, in.size());
    Recorder r;
    lib::TelnetServer t(r);
    size_t at = 0;
    for (size_t n : term_test::random_cuts(rng, e.written, 7)) {
      t.receive(wire.data() + at, n);
      at += n;
    }
    // The parser turns CR LF back into CR, and LF was sent as CR LF: both come back as CR.
    std::string expect;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') {
        expect += '\r';
        ++i;
      } else if (in[i] == '\n') {
        expect += '\r';
      } else {
        expect += in[i];
      }
    }
    EXPECT_EQ(r.data, expect);
  }
}

// Random bytes, biased towards IAC and commands, in random pieces: no crash, no overflow (the
// sanitizers watch), and the same result whatever the cuts.
TEST(Telnet, RandomInputAnySplit) {
  std::mt19937 rng(11);
  for (int round = 0; round < 500; ++round) {
    std::string in(rng() % 400, '\0');
    for (auto& c : in) {
      const uint32_t k = rng() % 8;
      c = static_cast<char>(k == 0   ? 0xff
                            : k == 1 ? 240 + rng() % 16
                            : k == 2 ? rng() % 40
                                     : rng());
    }
    Recorder whole, cut;
    lib::TelnetServer a(whole), b(cut);
    a.start();
    b.start();
    feed(a, in);
    size_t at = 0;
    for (size_t n : term_test::random_cuts(rng, in.size(), 9)) {
      feed(b, in.substr(at, n));
      at += n;
    }
    EXPECT_EQ(whole.log, cut.log);
    EXPECT_EQ(whole.sent, cut.sent);
    // Every reply is a whole three-byte negotiation, at most one per three input bytes.
    EXPECT_EQ(whole.sent.size() % 3, 0u);
    EXPECT_LE(whole.sent.size(), 9 + in.size());
  }
}

}  // namespace
