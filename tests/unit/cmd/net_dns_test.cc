// DNS queries and answers (programs/lib/net_dns.h), against hostile answers.
#include "programs/lib/net_dns.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace cmd::net {
namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put_name(Bytes& b, const std::string& name) {
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    b.push_back(static_cast<uint8_t>(dot - start));
    for (size_t i = start; i < dot; ++i) b.push_back(static_cast<uint8_t>(name[i]));
    start = dot + 1;
  }
  b.push_back(0);
}
// A header and the question for name (A, IN), as a server echoes it.
Bytes answer_head(uint16_t id, uint16_t answers, const std::string& name = "example.org",
                  uint8_t flags = 0x81, uint8_t rcode_byte = 0x80) {
  Bytes b;
  put16(b, id);
  b.push_back(flags);
  b.push_back(rcode_byte);
  put16(b, 1);
  put16(b, answers);
  put16(b, 0);
  put16(b, 0);
  put_name(b, name);
  put16(b, kDnsTypeA);
  put16(b, kDnsClassIn);
  return b;
}
void put_record_head(Bytes& b, uint16_t type, uint32_t ttl, uint16_t length) {
  put16(b, type);
  put16(b, kDnsClassIn);
  put16(b, static_cast<uint16_t>(ttl >> 16));
  put16(b, static_cast<uint16_t>(ttl));
  put16(b, length);
}
void put_a(Bytes& b, std::initializer_list<uint8_t> address, uint32_t ttl = 300) {
  b.push_back(0xc0);  // the question's name
  b.push_back(12);
  put_record_head(b, kDnsTypeA, ttl, 4);
  for (uint8_t x : address) b.push_back(x);
}

DnsStatus parse(const Bytes& m, DnsAnswer& a, uint16_t id = 0x1234,
                const char* name = "example.org") {
  return dns_parse_answer(m.data(), m.size(), id, name, kDnsTypeA, &a);
}

TEST(NetDns, QueryForAName) {
  uint8_t out[kDnsMaxMessage];
  const size_t n = dns_build_query("Example.org.", 0xbeef, kDnsTypeA, out, sizeof(out));
  const Bytes expect = {0xbe, 0xef, 0x01, 0x00, 0,   1, 0,   0,   0,   0, 0, 0, 7, 'E', 'x',
                        'a',  'm',  'p',  'l',  'e', 3, 'o', 'r', 'g', 0, 0, 1, 0, 1};
  EXPECT_EQ(Bytes(out, out + n), expect);
}

TEST(NetDns, QueryRefusesWhatIsNotAName) {
  uint8_t out[kDnsMaxMessage];
  const std::string label64(64, 'a');
  std::string long_name;
  while (long_name.size() < 254) long_name += "abcdefg.";
  long_name.pop_back();
  for (const std::string& bad :
       {std::string(""), std::string("."), std::string("a..b"), std::string(".a"), label64 + ".org",
        long_name, std::string("a b"), std::string("a\x01z"), std::string("a\x80z")}) {
    EXPECT_EQ(
        dns_build_query(lib::StringView(bad.data(), bad.size()), 1, kDnsTypeA, out, sizeof(out)),
        0u)
        << bad;
  }
  const std::string longest = std::string(63, 'a') + ".org";
  EXPECT_NE(dns_build_query(lib::StringView(longest.data(), longest.size()), 1, kDnsTypeA, out,
                            sizeof(out)),
            0u);
  EXPECT_EQ(dns_build_query("example.org", 1, kDnsTypeA, out, 20), 0u);  // no room
}

TEST(NetDns, AnAnswerWithAddresses) {
  Bytes m = answer_head(0x1234, 2);
  put_a(m, {93, 184, 216, 34}, 86400);
  put_a(m, {10, 0, 0, 1});
  DnsAnswer a;
  ASSERT_EQ(parse(m, a), DnsStatus::Ok);
  ASSERT_EQ(a.count, 2u);
  EXPECT_FALSE(a.authoritative);
  EXPECT_STREQ(a.records[0].name, "example.org");
  EXPECT_EQ(a.records[0].ttl, 86400u);
  EXPECT_EQ(a.records[0].address[0], 93);
  EXPECT_EQ(a.records[1].address[3], 1);
  uint8_t address[4];
  lib::StringView canonical;
  ASSERT_TRUE(dns_find_address(a, "EXAMPLE.org.", address, &canonical));
  EXPECT_EQ(address[1], 184);
}

TEST(NetDns, CnameChainsAreFollowed) {
  Bytes m = answer_head(0x1234, 2, "www.example.org");
  // www.example.org CNAME web.example.org (a pointer to "example.org" inside the question)
  m.push_back(0xc0);
  m.push_back(12);
  put_record_head(m, kDnsTypeCname, 60, 6);
  const size_t target = m.size();
  m.insert(m.end(), {3, 'w', 'e', 'b', 0xc0, 16});
  // web.example.org A 1.2.3.4, its name a pointer to the CNAME's target.
  m.push_back(0xc0);
  m.push_back(static_cast<uint8_t>(target));
  put_record_head(m, kDnsTypeA, 60, 4);
  m.insert(m.end(), {1, 2, 3, 4});
  DnsAnswer a;
  ASSERT_EQ(parse(m, a, 0x1234, "www.example.org"), DnsStatus::Ok);
  ASSERT_EQ(a.count, 2u);
  EXPECT_STREQ(a.records[0].target, "web.example.org");
  EXPECT_STREQ(a.records[1].name, "web.example.org");
  uint8_t address[4];
  lib::StringView canonical;
  ASSERT_TRUE(dns_find_address(a, "www.example.org", address, &canonical));
  EXPECT_EQ(std::string(canonical.data(), canonical.size()), "web.example.org");
  EXPECT_EQ(address[3], 4);
}

TEST(NetDns, CnameLoopsEndWithoutAnAddress) {
  DnsAnswer a;
  a.count = 2;
  a.records[0].type = kDnsTypeCname;
  strcpy(a.records[0].name, "a.org");
  strcpy(a.records[0].target, "b.org");
  a.records[1].type = kDnsTypeCname;
  strcpy(a.records[1].name, "b.org");
  strcpy(a.records[1].target, "a.org");
  uint8_t address[4];
  EXPECT_FALSE(dns_find_address(a, "a.org", address, nullptr));
}

TEST(NetDns, ErrorsByRcode) {
  DnsAnswer a;
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x81, 0x83), a), DnsStatus::NameError);
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x81, 0x82), a), DnsStatus::ServerFailure);
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x81, 0x85), a), DnsStatus::Refused);
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x81, 0x84), a), DnsStatus::OtherError);
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x83, 0x80), a), DnsStatus::Truncated);
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x85, 0x80), a), DnsStatus::Ok);
  EXPECT_TRUE(a.authoritative);
  EXPECT_EQ(a.count, 0u);
}

TEST(NetDns, NotAnAnswerToOurQuestion) {
  DnsAnswer a;
  EXPECT_EQ(parse(answer_head(0x1235, 0), a), DnsStatus::Malformed);  // id
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x01), a),
            DnsStatus::Malformed);  // a query
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.org", 0x89), a), DnsStatus::Malformed);  // opcode
  EXPECT_EQ(parse(answer_head(0x1234, 0, "example.com"), a), DnsStatus::Malformed);
  Bytes two = answer_head(0x1234, 0);
  two[5] = 2;  // two questions
  EXPECT_EQ(parse(two, a), DnsStatus::Malformed);
}

TEST(NetDns, EveryTruncationIsRefused) {
  Bytes m = answer_head(0x1234, 1);
  put_a(m, {1, 2, 3, 4});
  DnsAnswer a;
  ASSERT_EQ(parse(m, a), DnsStatus::Ok);
  for (size_t n = 0; n < m.size(); ++n) {
    const Bytes cut(m.begin(), m.begin() + static_cast<long>(n));
    EXPECT_EQ(parse(cut, a), DnsStatus::Malformed) << n;
  }
}

TEST(NetDns, LengthsPastTheEnd) {
  Bytes m = answer_head(0x1234, 1);
  m.push_back(0xc0);
  m.push_back(12);
  put_record_head(m, kDnsTypeA, 1, 0xffff);  // rdlength far past the end
  m.insert(m.end(), {1, 2, 3, 4});
  DnsAnswer a;
  EXPECT_EQ(parse(m, a), DnsStatus::Malformed);
  Bytes label = answer_head(0x1234, 1);
  label.push_back(63);  // a label longer than what is left
  label.push_back('a');
  EXPECT_EQ(parse(label, a), DnsStatus::Malformed);
  Bytes wrong_a = answer_head(0x1234, 1);
  wrong_a.push_back(0xc0);
  wrong_a.push_back(12);
  put_record_head(wrong_a, kDnsTypeA, 1, 5);  // an A record of 5 bytes
  wrong_a.insert(wrong_a.end(), {1, 2, 3, 4, 5});
  EXPECT_EQ(parse(wrong_a, a), DnsStatus::Malformed);
  Bytes counts = answer_head(0x1234, 0xffff);  // answers the message does not hold
  EXPECT_EQ(parse(counts, a), DnsStatus::Malformed);
}

TEST(NetDns, CompressionLoopsAndForwardPointers) {
  DnsAnswer a;
  // A record's name that points at itself.
  Bytes self = answer_head(0x1234, 1);
  const size_t at = self.size();
  self.push_back(0xc0);
  self.push_back(static_cast<uint8_t>(at));
  put_record_head(self, kDnsTypeA, 1, 4);
  self.insert(self.end(), {1, 2, 3, 4});
  EXPECT_EQ(parse(self, a), DnsStatus::Malformed);
  // A label, then a pointer back to that label: a name without end.
  Bytes loop = answer_head(0x1234, 1);
  const size_t label = loop.size();
  loop.insert(loop.end(), {1, 'a', 0xc0, static_cast<uint8_t>(label)});
  put_record_head(loop, kDnsTypeA, 1, 4);
  loop.insert(loop.end(), {1, 2, 3, 4});
  EXPECT_EQ(parse(loop, a), DnsStatus::Malformed);
  // Two pointers pointing at each other (the second forward).
  Bytes pair = answer_head(0x1234, 1);
  const size_t p = pair.size();
  pair.insert(pair.end(), {0xc0, static_cast<uint8_t>(p + 2), 0xc0, static_cast<uint8_t>(p)});
  put_record_head(pair, kDnsTypeA, 1, 4);
  pair.insert(pair.end(), {1, 2, 3, 4});
  EXPECT_EQ(parse(pair, a), DnsStatus::Malformed);
  // A pointer past the end, and a reserved label type.
  Bytes far = answer_head(0x1234, 1);
  far.insert(far.end(), {0xff, 0xff});
  put_record_head(far, kDnsTypeA, 1, 4);
  far.insert(far.end(), {1, 2, 3, 4});
  EXPECT_EQ(parse(far, a), DnsStatus::Malformed);
  Bytes reserved = answer_head(0x1234, 1);
  reserved.insert(reserved.end(), {0x41, 0});
  EXPECT_EQ(parse(reserved, a), DnsStatus::Malformed);
}

TEST(NetDns, ALongChainOfPointersWithinTheLimits) {
  // Names that point back to one another, each a label before the last: legal, and bounded.
  Bytes m = answer_head(0x1234, 1, "x.org");
  size_t previous = 12;
  for (int i = 0; i < 20; ++i) {
    const size_t here = m.size();
    m.insert(m.end(), {1, 'x', 0xc0, static_cast<uint8_t>(previous)});
    previous = here;
  }
  m.push_back(0xc0);
  m.push_back(static_cast<uint8_t>(previous));
  put_record_head(m, kDnsTypeA, 1, 4);
  m.insert(m.end(), {1, 2, 3, 4});
  DnsAnswer a;
  EXPECT_EQ(parse(m, a, 0x1234, "x.org"), DnsStatus::Malformed);  // past kDnsMaxJumps
}

TEST(NetDns, NamesPastTheLimitOrWithUnprintableBytes) {
  DnsAnswer a;
  Bytes m = answer_head(0x1234, 1);
  for (int i = 0; i < 5; ++i) {  // 5 labels of 63: past 255 on the wire
    m.push_back(63);
    for (int j = 0; j < 63; ++j) m.push_back('a');
  }
  m.push_back(0);
  put_record_head(m, kDnsTypeA, 1, 4);
  m.insert(m.end(), {1, 2, 3, 4});
  EXPECT_EQ(parse(m, a), DnsStatus::Malformed);
  Bytes escape = answer_head(0x1234, 1);
  escape.insert(escape.end(), {3, 'a', 0x1b, 'b', 0});
  put_record_head(escape, kDnsTypeA, 1, 4);
  escape.insert(escape.end(), {1, 2, 3, 4});
  EXPECT_EQ(parse(escape, a), DnsStatus::Malformed);
}

TEST(NetDns, OtherRecordsAreSkippedAndManyAreBounded) {
  Bytes m = answer_head(0x1234, 40);
  for (int i = 0; i < 20; ++i) {  // AAAA records: checked, not kept
    m.push_back(0xc0);
    m.push_back(12);
    put_record_head(m, 28, 1, 16);
    for (int j = 0; j < 16; ++j) m.push_back(0);
  }
  for (int i = 0; i < 20; ++i) put_a(m, {10, 0, 0, static_cast<uint8_t>(i)});
  DnsAnswer a;
  ASSERT_EQ(parse(m, a), DnsStatus::Ok);
  EXPECT_EQ(a.count, kDnsMaxRecords);
  EXPECT_EQ(a.records[0].address[3], 0);
}

TEST(NetDns, RandomBytesNeverCrash) {
  uint64_t x = 88172645463325252ull;
  DnsAnswer a;
  for (int round = 0; round < 20000; ++round) {
    Bytes m = answer_head(0x1234, 3);
    const size_t extra = x % 64;
    for (size_t i = 0; i < extra; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      m.push_back(static_cast<uint8_t>(x));
    }
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    m[12 + x % (m.size() - 12)] = static_cast<uint8_t>(x >> 8);
    (void)parse(m, a);
  }
}

}  // namespace
}  // namespace cmd::net
