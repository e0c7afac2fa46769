#include "servers/tcpip/stack/dns.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "servers/tcpip/stack/stack.h"
#include "tests/unit/net/packets.h"

namespace {

using namespace nettest;
using tcpip::DnsAnswer;
using tcpip::DnsStatus;
using tcpip::Drop;

const Ipv4 kDnsIp = Ipv4::of(10, 0, 2, 3);
const Mac kDnsMac{{0x52, 0x55, 0x0a, 0x00, 0x02, 0x03}};
const Ipv4 kExample = Ipv4::of(93, 184, 216, 34);

// The pieces of a DNS message, written as a server would.
Bytes u16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
Bytes u32(uint32_t v) { return concat(u16(static_cast<uint16_t>(v >> 16)), u16(v & 0xffff)); }
Bytes header(uint16_t id, uint16_t flags, uint16_t questions, uint16_t answers) {
  return concat(concat(concat(u16(id), u16(flags)), concat(u16(questions), u16(answers))),
                concat(u16(0), u16(0)));
}
Bytes name(const std::string& dotted) {
  Bytes out;
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    out.push_back(static_cast<uint8_t>(dot - start));
    out.insert(out.end(), dotted.begin() + static_cast<ptrdiff_t>(start),
               dotted.begin() + static_cast<ptrdiff_t>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}
Bytes pointer(uint16_t offset) { return u16(0xc000 | offset); }
Bytes question(const Bytes& owner) { return concat(owner, concat(u16(1), u16(1))); }
Bytes record(const Bytes& owner, uint16_t type, uint32_t ttl, const Bytes& data) {
  return concat(concat(owner, concat(u16(type), u16(1))),
                concat(u32(ttl), concat(u16(static_cast<uint16_t>(data.size())), data)));
}
Bytes address(Ipv4 a) { return u32(a.value); }
Bytes join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

constexpr uint16_t kId = 0x4a1c;
constexpr uint16_t kOk = 0x8180;  // a response, recursion desired and available

// example.com. 3600 IN A 93.184.216.34, its owner a pointer to the question's name.
Bytes simple_answer() {
  return join({header(kId, kOk, 1, 1), question(name("example.com")),
               record(pointer(12), 1, 3600, address(kExample))});
}

DnsStatus parse(const Bytes& m, const char* query, DnsAnswer& out, uint16_t id = kId) {
  return tcpip::parse_dns_answer(m.data(), m.size(), id, query, out);
}

TEST(DnsQuery, IsWrittenAsRfc1035Says) {
  uint8_t out[512];
  auto size = tcpip::write_dns_query(0x1234, "Example.COM.", out, sizeof(out));
  ASSERT_TRUE(size.ok());
  const Bytes expected = join({header(0x1234, 0x0100, 1, 0), question(name("example.com"))});
  EXPECT_EQ(Bytes(out, out + size.value()), expected);
}

TEST(DnsQuery, RefusesBadNames) {
  uint8_t out[512];
  const std::string long_label(64, 'x');
  for (const char* bad : {"", ".", "a..b", ".a", long_label.c_str()}) {
    EXPECT_EQ(tcpip::write_dns_query(1, bad, out, sizeof(out)).error(), lib::Error::InvalidArgument)
        << bad;
  }
  std::string longest;  // 253 characters: 63 + 1 + 63 + 1 + 63 + 1 + 61
  for (int i = 0; i < 3; ++i) longest += std::string(63, 'a') + ".";
  longest += std::string(61, 'b');
  ASSERT_EQ(longest.size(), tcpip::kDnsMaxName);
  EXPECT_TRUE(tcpip::write_dns_query(1, longest.c_str(), out, sizeof(out)).ok());
  EXPECT_EQ(tcpip::write_dns_query(1, (longest + "b").c_str(), out, sizeof(out)).error(),
            lib::Error::InvalidArgument);
  EXPECT_EQ(tcpip::write_dns_query(1, "example.com", out, 20).error(), lib::Error::BufferTooSmall);
}

TEST(DnsParse, ReadsACompressedAnswer) {
  DnsAnswer a;
  ASSERT_EQ(parse(simple_answer(), "example.com", a), DnsStatus::Ok);
  EXPECT_EQ(a.address, kExample);
  EXPECT_EQ(a.ttl_s, 3600u);
  ASSERT_EQ(parse(simple_answer(), "EXAMPLE.com.", a), DnsStatus::Ok);  // any case
}

TEST(DnsParse, FollowsCnames) {
  // www.example.com CNAME cdn.example.net (its "example" and "net" written out, ".com" by a
  // pointer into the question), cdn.example.net CNAME edge.example.com (compressed), then
  // an unrelated A before the one that ends the chain.
  const Bytes q = question(name("www.example.com"));  // www at 12, example at 16, com at 24
  const Bytes m = join({
      header(kId, kOk, 1, 4),
      q,
      record(pointer(12), 5, 300, name("cdn.example.net")),  // its data starts at 45
      record(pointer(45), 5, 120, join({{4, 'e', 'd', 'g', 'e'}, pointer(16)})),
      record(name("other.example.org"), 1, 10, address(Ipv4::of(1, 2, 3, 4))),
      record(join({{4, 'e', 'd', 'g', 'e'}, pointer(16)}), 1, 600, address(kExample)),
  });
  DnsAnswer a;
  ASSERT_EQ(parse(m, "www.example.com", a), DnsStatus::Ok);
  EXPECT_EQ(a.address, kExample);
  EXPECT_EQ(a.ttl_s, 120u);  // the smallest along the chain
}

TEST(DnsParse, ACnameWithoutItsAddressIsNotFound) {
  const Bytes m = join({header(kId, kOk, 1, 1), question(name("www.example.com")),
                        record(pointer(12), 5, 300, name("elsewhere.example"))});
  DnsAnswer a;
  EXPECT_EQ(parse(m, "www.example.com", a), DnsStatus::NotFound);
}

TEST(DnsParse, ACnameLoopEnds) {
  const Bytes m = join({header(kId, kOk, 1, 1), question(name("loop.example")),
                        record(pointer(12), 5, 300, pointer(12))});
  DnsAnswer a;
  EXPECT_EQ(parse(m, "loop.example", a), DnsStatus::NotFound);
}

TEST(DnsParse, ReportsServerErrors) {
  DnsAnswer a;
  Bytes m = simple_answer();
  m[3] = 0x83;  // NXDOMAIN
  EXPECT_EQ(parse(m, "example.com", a), DnsStatus::NotFound);
  m[3] = 0x82;  // SERVFAIL
  EXPECT_EQ(parse(m, "example.com", a), DnsStatus::ServerFailure);
  m = join({header(kId, kOk, 1, 0), question(name("example.com"))});  // no data
  EXPECT_EQ(parse(m, "example.com", a), DnsStatus::NotFound);
}

TEST(DnsParse, RefusesTruncatedAnswers) {
  Bytes m = simple_answer();
  m[2] |= 0x02;  // TC
  DnsAnswer a;
  EXPECT_EQ(parse(m, "example.com", a), DnsStatus::Truncated);
}

TEST(DnsParse, IgnoresAnswersToOtherQueries) {
  DnsAnswer a;
  EXPECT_EQ(parse(simple_answer(), "example.com", a, kId + 1), DnsStatus::Mismatch);
  EXPECT_EQ(parse(simple_answer(), "example.org", a), DnsStatus::Mismatch);
  Bytes query = simple_answer();
  query[2] &= 0x7f;  // a query, not a response
  EXPECT_EQ(parse(query, "example.com", a), DnsStatus::Mismatch);
  Bytes aaaa = simple_answer();
  aaaa[12 + 13 + 1] = 28;  // the question asks for AAAA
  EXPECT_EQ(parse(aaaa, "example.com", a), DnsStatus::Mismatch);
}

TEST(DnsParse, EveryTruncationIsMalformed) {
  const Bytes m = simple_answer();
  for (size_t size = 0; size < m.size(); ++size) {
    DnsAnswer a;
    EXPECT_EQ(tcpip::parse_dns_answer(m.data(), size, kId, "example.com", a), DnsStatus::Malformed)
        << size;
  }
}

TEST(DnsParse, RefusesBadNamesAndPointers) {
  DnsAnswer a;
  // An owner that points at itself, one that points past the end, one with a reserved label
  // type, and an A record of 5 bytes.
  const auto answer_with = [](const Bytes& owner, const Bytes& data) {
    return join(
        {header(kId, kOk, 1, 1), question(name("example.com")), record(owner, 1, 60, data)});
  };
  EXPECT_EQ(parse(answer_with(pointer(29), address(kExample)), "example.com", a),
            DnsStatus::Malformed);
  EXPECT_EQ(parse(answer_with(pointer(500), address(kExample)), "example.com", a),
            DnsStatus::Malformed);
  EXPECT_EQ(parse(answer_with({0x40, 0}, address(kExample)), "example.com", a),
            DnsStatus::Malformed);
  EXPECT_EQ(parse(answer_with(pointer(12), concat(address(kExample), {0})), "example.com", a),
            DnsStatus::Malformed);
  // A pointer chain of 40 hops (each pointing at the one before it).
  Bytes chain = join({header(kId, kOk, 1, 1), question(name("example.com"))});
  size_t previous = 12;
  for (int i = 0; i < 40; ++i) {
    const size_t here = chain.size();
    chain = concat(chain, pointer(static_cast<uint16_t>(previous)));
    previous = here;
  }
  const Bytes long_chain =
      concat(chain, record(pointer(static_cast<uint16_t>(previous)), 1, 60, address(kExample)));
  EXPECT_EQ(parse(long_chain, "example.com", a), DnsStatus::Malformed);
}

TEST(DnsParse, RandomBytesNeverCrash) {
  std::mt19937 rng(1035);
  const Bytes good = simple_answer();
  for (int i = 0; i < 30000; ++i) {
    Bytes m;
    if (i % 3 == 0) {
      m = random_bytes(rng, rng() % 100);
    } else {
      m = good;
      for (int k = 0; k < 3; ++k) m[12 + rng() % (m.size() - 12)] = static_cast<uint8_t>(rng());
      if (i % 3 == 2) m.resize(rng() % m.size());
    }
    if (m.size() >= 2) tcpip::store16(m.data(), kId);
    DnsAnswer a;
    (void)parse(m, "example.com", a);
  }
}

struct Resolution {
  uint16_t query;
  DnsStatus status;
  DnsAnswer answer;
};

class RecordingDnsListener final : public tcpip::DnsListener {
 public:
  void on_resolved(uint16_t query, DnsStatus status, const DnsAnswer& answer) override {
    results.push_back({query, status, answer});
  }
  std::vector<Resolution> results;
};

class ResolverTest : public ::testing::Test {
 protected:
  ResolverTest() {
    stack.configure({kOurIp, Ipv4::of(255, 255, 255, 0), kPeerIp, kDnsIp});
    receive(ethernet(kOurMac, kDnsMac, 0x0806,
                     arp_packet(tcpip::kArpRequest, kDnsMac, kDnsIp, Mac{}, kOurIp)));
    link.frames.clear();
  }
  void receive(const Bytes& frame, uint64_t now = 0) {
    stack.receive_frame(frame.data(), frame.size(), now);
  }
  // The query in sent frame i: its source port and message.
  Bytes query_at(size_t i, uint16_t* port = nullptr) {
    const Bytes& f = link.frames.at(i);
    EXPECT_EQ(tcpip::load32(&f[30]), kDnsIp.value);
    EXPECT_EQ(tcpip::load16(&f[36]), 53);
    if (port) *port = tcpip::load16(&f[34]);
    return Bytes(f.begin() + 42, f.end());
  }
  // Answers a query with m, its id set to the query's.
  void answer(const Bytes& query, Bytes m, uint16_t port, Ipv4 from = kDnsIp, uint64_t now = 0) {
    m[0] = query[0];
    m[1] = query[1];
    receive(
        ethernet(kOurMac, kDnsMac, 0x0800, ipv4(from, kOurIp, 17, udp(from, 53, kOurIp, port, m))),
        now);
  }

  RecordingLink link;
  tcpip::Stack stack{link, kOurMac, 99};
  RecordingDnsListener listener;
};

TEST_F(ResolverTest, ResolvesAndCaches) {
  auto query = stack.dns().resolve("example.com", listener, 0);
  ASSERT_TRUE(query.ok());
  uint16_t port = 0;
  const Bytes q = query_at(0, &port);
  EXPECT_EQ(tcpip::load16(q.data()), query.value());
  EXPECT_EQ(Bytes(q.begin() + 2, q.end()),
            join({u16(0x0100), u16(1), u16(0), u16(0), u16(0), question(name("example.com"))}));
  answer(q, simple_answer(), port, kDnsIp, 500);
  ASSERT_EQ(listener.results.size(), 1u);
  EXPECT_EQ(listener.results[0].query, query.value());
  EXPECT_EQ(listener.results[0].status, DnsStatus::Ok);
  EXPECT_EQ(listener.results[0].answer.address, kExample);
  DnsAnswer cached;
  EXPECT_TRUE(stack.dns().cached("Example.com", 500 + 3'599'999, cached));
  EXPECT_EQ(cached.address, kExample);
  EXPECT_FALSE(stack.dns().cached("example.com", 500 + 3'600'000, cached));
  EXPECT_FALSE(stack.dns().cached("example.org", 500, cached));
  // A second answer to the same query is nobody's: its port is closed with the query.
  answer(q, simple_answer(), port);
  EXPECT_EQ(stack.counters().dropped(Drop::UdpNoPort), 1u);
  EXPECT_EQ(listener.results.size(), 1u);
}

TEST_F(ResolverTest, RetriesThenTimesOut) {
  auto query = stack.dns().resolve("example.com", listener, 0);
  ASSERT_TRUE(query.ok());
  for (uint64_t now = 0; now < tcpip::kDnsTries * tcpip::kDnsTimeoutMs; now += 250) stack.poll(now);
  EXPECT_EQ(link.frames.size(), tcpip::kDnsTries);
  for (size_t i = 1; i < tcpip::kDnsTries; ++i) EXPECT_EQ(query_at(i), query_at(0));
  EXPECT_TRUE(listener.results.empty());
  stack.poll(tcpip::kDnsTries * tcpip::kDnsTimeoutMs);
  ASSERT_EQ(listener.results.size(), 1u);
  EXPECT_EQ(listener.results[0].status, DnsStatus::TimedOut);
}

TEST_F(ResolverTest, ATruncatedOrMalformedAnswerEndsTheQuery) {
  ASSERT_TRUE(stack.dns().resolve("example.com", listener, 0).ok());
  ASSERT_TRUE(stack.dns().resolve("example.com", listener, 0).ok());
  uint16_t port0 = 0;
  uint16_t port1 = 0;
  Bytes truncated = simple_answer();
  truncated[2] |= 0x02;
  answer(query_at(0, &port0), truncated, port0);
  Bytes malformed = simple_answer();
  malformed.resize(malformed.size() - 1);
  answer(query_at(1, &port1), malformed, port1);
  ASSERT_EQ(listener.results.size(), 2u);
  EXPECT_EQ(listener.results[0].status, DnsStatus::Truncated);
  EXPECT_EQ(listener.results[1].status, DnsStatus::Malformed);
  EXPECT_EQ(stack.counters().dropped(Drop::DnsMalformed), 1u);
}

TEST_F(ResolverTest, IgnoresStrangersAndWrongIds) {
  ASSERT_TRUE(stack.dns().resolve("example.com", listener, 0).ok());
  uint16_t port = 0;
  const Bytes q = query_at(0, &port);
  answer(q, simple_answer(), port, Ipv4::of(10, 0, 2, 66));  // another server
  Bytes wrong_id = q;
  wrong_id[1] ^= 1;
  answer(wrong_id, simple_answer(), port);
  Bytes other_name = join({header(kId, kOk, 1, 1), question(name("example.org")),
                           record(pointer(12), 1, 60, address(kExample))});
  answer(q, other_name, port);
  EXPECT_EQ(stack.counters().dropped(Drop::DnsUnexpected), 3u);
  EXPECT_TRUE(listener.results.empty());
  answer(q, simple_answer(), port);
  ASSERT_EQ(listener.results.size(), 1u);
  EXPECT_EQ(listener.results[0].status, DnsStatus::Ok);
}

TEST_F(ResolverTest, EachQueryHasARandomSourcePortOfItsOwn) {
  // Queries at once each have a port; an answer must come to the port its query left from.
  std::vector<uint16_t> ports(tcpip::kDnsQueries);
  for (size_t i = 0; i < tcpip::kDnsQueries; ++i) {
    ASSERT_TRUE(stack.dns().resolve("example.com", listener, 0).ok());
    (void)query_at(i, &ports[i]);
    EXPECT_GE(ports[i], tcpip::kUdpEphemeralFirst);
    for (size_t k = 0; k < i; ++k) EXPECT_NE(ports[i], ports[k]);
  }
  answer(query_at(1), simple_answer(), ports[0]);  // query 1's id, query 0's port
  EXPECT_TRUE(listener.results.empty());
  EXPECT_EQ(stack.counters().dropped(Drop::DnsUnexpected), 1u);
  for (size_t i = 0; i < tcpip::kDnsQueries; ++i) answer(query_at(i), simple_answer(), ports[i]);
  ASSERT_EQ(listener.results.size(), tcpip::kDnsQueries);
  for (const uint16_t port : ports) EXPECT_FALSE(stack.udp().bound(port));  // released

  // One after another, the ports do not follow a sequence: of 200, nearly all differ and
  // few are one more than the last.
  link.frames.clear();
  std::set<uint16_t> seen;
  size_t consecutive = 0;
  uint16_t last = ports.back();
  for (size_t i = 0; i < 200; ++i) {
    auto query = stack.dns().resolve("example.com", listener, 0);
    ASSERT_TRUE(query.ok());
    uint16_t port = 0;
    (void)query_at(i, &port);
    seen.insert(port);
    consecutive += port == last + 1;
    last = port;
    stack.dns().cancel(query.value());
    EXPECT_FALSE(stack.udp().bound(port));
  }
  EXPECT_GT(seen.size(), 190u);
  EXPECT_LT(consecutive, 5u);
}

TEST_F(ResolverTest, RefusesWhatItCannotAsk) {
  EXPECT_EQ(stack.dns().resolve("bad..name", listener, 0).error(), lib::Error::InvalidArgument);
  for (size_t i = 0; i < tcpip::kDnsQueries; ++i)
    EXPECT_TRUE(stack.dns().resolve("example.com", listener, 0).ok());
  EXPECT_EQ(stack.dns().resolve("example.com", listener, 0).error(), lib::Error::NoResources);
  stack.configure({kOurIp, Ipv4::of(255, 255, 255, 0), kPeerIp, Ipv4{}});
  EXPECT_EQ(stack.dns().resolve("example.com", listener, 0).error(), lib::Error::NotFound);
}

TEST_F(ResolverTest, CancelledQueriesAreNotReported) {
  auto query = stack.dns().resolve("example.com", listener, 0);
  ASSERT_TRUE(query.ok());
  uint16_t port = 0;
  const Bytes q = query_at(0, &port);
  stack.dns().cancel(query.value());
  answer(q, simple_answer(), port);
  stack.poll(60'000);
  EXPECT_TRUE(listener.results.empty());
}

}  // namespace
