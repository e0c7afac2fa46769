#include "servers/tcpip/stack/dhcp.h"

#include <gtest/gtest.h>

#include "servers/tcpip/stack/stack.h"
#include "tests/unit/net/packets.h"

namespace {

using namespace nettest;
using tcpip::DhcpMessageType;
using tcpip::DhcpState;
using tcpip::Drop;

const Ipv4 kServerIp = Ipv4::of(10, 0, 2, 2);
const Ipv4 kDnsIp = Ipv4::of(10, 0, 2, 3);
const Ipv4 kNetmask = Ipv4::of(255, 255, 255, 0);
const Ipv4 kBroadcast = Ipv4::of(255, 255, 255, 255);

// A client message as a server sees it.
struct ClientMessage {
  Mac to;
  Ipv4 source, destination;
  DhcpMessageType type{};
  uint32_t xid = 0;
  uint16_t secs = 0;
  Ipv4 ciaddr, requested, server;
  Mac chaddr;
  size_t size = 0;
};

bool parse_client_message(const Bytes& f, ClientMessage& out) {
  if (f.size() < 42 + tcpip::kDhcpFixed || tcpip::load16(&f[12]) != 0x0800 || f[23] != 17 ||
      tcpip::load16(&f[36]) != 67)
    return false;
  const uint8_t* m = &f[42];
  const size_t size = f.size() - 42;
  EXPECT_EQ(m[0], 1);  // BOOTREQUEST
  EXPECT_EQ(tcpip::load16(&f[34]), 68);
  out = {};
  std::copy(f.begin(), f.begin() + 6, out.to.bytes);
  out.source = Ipv4{tcpip::load32(&f[26])};
  out.destination = Ipv4{tcpip::load32(&f[30])};
  out.xid = tcpip::load32(m + 4);
  out.secs = tcpip::load16(m + 8);
  out.ciaddr = Ipv4{tcpip::load32(m + 12)};
  std::copy(m + 28, m + 34, out.chaddr.bytes);
  out.size = size;
  for (size_t at = tcpip::kDhcpFixed; at + 1 < size && m[at] != 255;) {
    if (m[at] == 0) {
      ++at;
      continue;
    }
    const uint8_t code = m[at], length = m[at + 1];
    const uint8_t* value = m + at + 2;
    if (code == 53) out.type = static_cast<DhcpMessageType>(value[0]);
    if (code == 50) out.requested = Ipv4{tcpip::load32(value)};
    if (code == 54) out.server = Ipv4{tcpip::load32(value)};
    at += 2 + length;
  }
  return true;
}

struct ReplyOptions {
  uint32_t lease_s = 86400;
  uint32_t t1_s = 0, t2_s = 0;
  bool netmask = true;
};

// A server's reply, as QEMU's user network sends it: broadcast, from 10.0.2.2.
Bytes server_reply(DhcpMessageType type, uint32_t xid, Mac client, Ipv4 yours,
                   ReplyOptions options = {}) {
  Bytes m(tcpip::kDhcpFixed);
  m[0] = 2;
  m[1] = 1;
  m[2] = 6;
  tcpip::store32(&m[4], xid);
  tcpip::store32(&m[16], yours.value);
  tcpip::store32(&m[20], kServerIp.value);
  std::copy(client.bytes, client.bytes + 6, &m[28]);
  const uint8_t cookie[] = {99, 130, 83, 99};
  std::copy(cookie, cookie + 4, &m[236]);
  const auto option = [&](uint8_t code, Bytes value) {
    m.push_back(code);
    m.push_back(static_cast<uint8_t>(value.size()));
    m.insert(m.end(), value.begin(), value.end());
  };
  const auto u32 = [](uint32_t v) {
    Bytes b(4);
    tcpip::store32(b.data(), v);
    return b;
  };
  option(53, {static_cast<uint8_t>(type)});
  option(54, u32(kServerIp.value));
  if (type != DhcpMessageType::Nak) {
    option(51, u32(options.lease_s));
    if (options.t1_s) option(58, u32(options.t1_s));
    if (options.t2_s) option(59, u32(options.t2_s));
    if (options.netmask) option(1, u32(kNetmask.value));
    option(3, concat(u32(kServerIp.value), u32(Ipv4::of(10, 0, 2, 9).value)));
    option(6, u32(kDnsIp.value));
  }
  m.push_back(255);
  m.resize(300);
  return ethernet(Mac::broadcast(), kPeerMac, 0x0800,
                  ipv4(kServerIp, kBroadcast, 17, udp(kServerIp, 67, kBroadcast, 68, m)));
}

// A DHCP server on the simulated link, which can lose OFFERs or refuse REQUESTs.
class FakeServer {
 public:
  int offers_to_lose = 0;
  int requests_to_refuse = 0;
  int requests_to_ignore = 0;
  ReplyOptions options;
  std::vector<ClientMessage> seen;

  // Answers what the client sent since the last call.
  void serve(tcpip::Stack& stack, RecordingLink& link, uint64_t now) {
    for (; next_ < link.frames.size(); ++next_) {
      const Bytes& f = link.frames[next_];
      // The server is also the gateway, and answers ARP for its address.
      if (f.size() >= 42 && tcpip::load16(&f[12]) == 0x0806 && tcpip::load16(&f[20]) == 1 &&
          tcpip::load32(&f[38]) == kServerIp.value) {
        Mac asker;
        std::copy(&f[22], &f[28], asker.bytes);
        const Bytes reply = ethernet(
            asker, kPeerMac, 0x0806,
            arp_packet(tcpip::kArpReply, kPeerMac, kServerIp, asker, Ipv4{tcpip::load32(&f[28])}));
        stack.receive_frame(reply.data(), reply.size(), now);
        continue;
      }
      ClientMessage c;
      if (!parse_client_message(f, c)) continue;
      seen.push_back(c);
      Bytes reply;
      if (c.type == DhcpMessageType::Discover) {
        if (offers_to_lose > 0 && offers_to_lose--) continue;
        reply = server_reply(DhcpMessageType::Offer, c.xid, c.chaddr, kOurIp, options);
      } else if (c.type == DhcpMessageType::Request) {
        if (requests_to_ignore > 0 && requests_to_ignore--) continue;
        const bool refuse = requests_to_refuse > 0 && requests_to_refuse--;
        reply = server_reply(refuse ? DhcpMessageType::Nak : DhcpMessageType::Ack, c.xid, c.chaddr,
                             refuse ? Ipv4{} : kOurIp, options);
      } else {
        continue;
      }
      stack.receive_frame(reply.data(), reply.size(), now);
    }
  }

  std::vector<DhcpMessageType> types() const {
    std::vector<DhcpMessageType> t;
    for (const auto& c : seen) t.push_back(c.type);
    return t;
  }

 private:
  size_t next_ = 0;
};

class DhcpTest : public ::testing::Test {
 protected:
  DhcpTest() { EXPECT_TRUE(stack.start_dhcp(0).ok()); }

  // Advances the clock to `until` in steps of a quarter second, polling and serving.
  void run_until(uint64_t until) {
    for (; now <= until; now += 250) {
      stack.poll(now);
      server.serve(stack, link, now);
    }
  }

  const tcpip::Config kQemuConfig{kOurIp, kNetmask, kServerIp, kDnsIp};
  RecordingLink link;
  tcpip::Stack stack{link, kOurMac, 1234};
  FakeServer server;
  uint64_t now = 0;
};

using Types = std::vector<DhcpMessageType>;
constexpr auto kDiscover = DhcpMessageType::Discover;
constexpr auto kRequest = DhcpMessageType::Request;

TEST_F(DhcpTest, ConfiguresFromAFullExchange) {
  run_until(0);
  EXPECT_EQ(server.types(), (Types{kDiscover, kRequest}));
  const ClientMessage& discover = server.seen[0];
  EXPECT_EQ(discover.to, Mac::broadcast());
  EXPECT_EQ(discover.source, Ipv4{});
  EXPECT_EQ(discover.destination, kBroadcast);
  EXPECT_EQ(discover.chaddr, kOurMac);
  EXPECT_GE(discover.size, 300u);
  const ClientMessage& request = server.seen[1];
  EXPECT_EQ(request.xid, discover.xid);
  EXPECT_EQ(request.requested, kOurIp);
  EXPECT_EQ(request.server, kServerIp);
  EXPECT_EQ(request.destination, kBroadcast);
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Bound);
  EXPECT_EQ(stack.config(), kQemuConfig);
  EXPECT_EQ(stack.dhcp().lease_s(), 86400u);
  // It announced its new address with a gratuitous ARP.
  const Bytes& last = link.frames.back();
  EXPECT_EQ(last, ethernet(Mac::broadcast(), kOurMac, 0x0806,
                           arp_packet(tcpip::kArpRequest, kOurMac, kOurIp, Mac{}, kOurIp)));
  EXPECT_EQ(stack.counters().dropped_total(), 0u);
}

TEST_F(DhcpTest, RetransmitsAfterALostOffer) {
  server.offers_to_lose = 2;
  run_until(tcpip::kDhcpFirstTimeoutMs - 250);
  EXPECT_EQ(server.types(), (Types{kDiscover}));
  run_until(tcpip::kDhcpFirstTimeoutMs);
  EXPECT_EQ(server.types(), (Types{kDiscover, kDiscover}));
  EXPECT_EQ(server.seen[1].secs, 4);
  // The second wait is twice as long.
  run_until(3 * tcpip::kDhcpFirstTimeoutMs - 250);
  EXPECT_EQ(server.seen.size(), 2u);
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Selecting);
  run_until(3 * tcpip::kDhcpFirstTimeoutMs);
  EXPECT_EQ(server.types(), (Types{kDiscover, kDiscover, kDiscover, kRequest}));
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Bound);
  EXPECT_EQ(stack.config(), kQemuConfig);
}

TEST_F(DhcpTest, ANakSendsItBackToDiscover) {
  server.requests_to_refuse = 1;
  run_until(0);
  EXPECT_EQ(server.types(), (Types{kDiscover, kRequest, kDiscover, kRequest}));
  EXPECT_NE(server.seen[2].xid, server.seen[0].xid);  // a new transaction
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Bound);
  EXPECT_EQ(stack.config(), kQemuConfig);
}

TEST_F(DhcpTest, UnansweredRequestsStartAgain) {
  server.requests_to_ignore = tcpip::kDhcpRequestTries;
  run_until(60'000);
  const Types expected{kDiscover, kRequest, kRequest, kRequest, kRequest, kDiscover, kRequest};
  EXPECT_EQ(server.types(), expected);
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Bound);
}

TEST_F(DhcpTest, RenewsAtT1RebindsAtT2AndStartsOverAtExpiry) {
  server.options.lease_s = 1000;
  run_until(0);
  ASSERT_EQ(stack.dhcp().state(), DhcpState::Bound);
  server.requests_to_ignore = 1000;
  run_until(499'750);
  EXPECT_EQ(server.seen.size(), 2u);
  run_until(500'000);  // T1: half the lease
  ASSERT_EQ(server.seen.size(), 3u);
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Renewing);
  const ClientMessage& renew = server.seen[2];
  EXPECT_EQ(renew.type, kRequest);
  EXPECT_EQ(renew.destination, kServerIp);  // unicast
  EXPECT_EQ(renew.to, kPeerMac);
  EXPECT_EQ(renew.source, kOurIp);
  EXPECT_EQ(renew.ciaddr, kOurIp);
  EXPECT_EQ(renew.requested, Ipv4{});  // not in renewing (RFC 2131 4.3.2)
  run_until(875'000);                  // T2: seven eighths
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Rebinding);
  EXPECT_EQ(server.seen.back().destination, kBroadcast);
  EXPECT_EQ(server.seen.back().ciaddr, kOurIp);
  EXPECT_EQ(stack.config(), kQemuConfig);
  run_until(1'000'000);  // the lease is over
  EXPECT_EQ(stack.config(), tcpip::Config{});
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Requesting);  // the new DISCOVER was answered
  EXPECT_EQ(server.seen.back().type, kRequest);
}

TEST_F(DhcpTest, ARenewalExtendsTheLease) {
  server.options = {.lease_s = 1000, .t1_s = 400, .t2_s = 800, .netmask = false};
  run_until(400'000);
  ASSERT_EQ(server.seen.size(), 3u);  // DISCOVER, REQUEST, then the renewal's REQUEST
  EXPECT_EQ(server.seen[2].ciaddr, kOurIp);
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Bound);
  EXPECT_EQ(stack.config().netmask, Ipv4::of(255, 0, 0, 0));  // 10/8 when none is given
  run_until(799'750);
  EXPECT_EQ(server.seen.size(), 3u);  // the next T1 is 400 s after the renewal
  run_until(800'000);
  EXPECT_EQ(server.seen.size(), 4u);
}

TEST_F(DhcpTest, IgnoresRepliesForOthers) {
  run_until(0);
  const uint32_t xid = server.seen[0].xid;
  const auto receive = [&](const Bytes& f) { stack.receive_frame(f.data(), f.size(), now); };
  stack.configure({});
  ASSERT_TRUE(stack.start_dhcp(now).ok());  // a new DISCOVER, not answered by the server
  ClientMessage c;
  ASSERT_TRUE(parse_client_message(link.frames.back(), c));
  receive(server_reply(DhcpMessageType::Offer, xid, kOurMac, kOurIp));     // an old transaction
  receive(server_reply(DhcpMessageType::Offer, c.xid, kPeerMac, kOurIp));  // another client
  receive(server_reply(DhcpMessageType::Ack, c.xid, kOurMac, kOurIp));     // out of turn
  EXPECT_EQ(stack.counters().dropped(Drop::DhcpUnexpected), 3u);
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Selecting);
  receive(server_reply(DhcpMessageType::Offer, c.xid, kOurMac, kOurIp));
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Requesting);
}

TEST_F(DhcpTest, SurvivesEveryTruncationAndRandomReplies) {
  ClientMessage c;
  ASSERT_TRUE(parse_client_message(link.frames.at(0), c));
  const Bytes offer = server_reply(DhcpMessageType::Offer, c.xid, kOurMac, kOurIp);
  // Cut the DHCP message (keeping the UDP and IPv4 lengths consistent).
  const size_t headers = 14 + 20 + 8;
  for (size_t size = 0; size < tcpip::kDhcpFixed + 3; ++size) {
    Bytes m(offer.begin() + headers, offer.begin() + static_cast<ptrdiff_t>(headers + size));
    const Bytes f =
        ethernet(Mac::broadcast(), kPeerMac, 0x0800,
                 ipv4(kServerIp, kBroadcast, 17, udp(kServerIp, 67, kBroadcast, 68, m)));
    stack.receive_frame(f.data(), f.size(), 0);
  }
  EXPECT_EQ(stack.counters().dropped(Drop::DhcpMalformed), tcpip::kDhcpFixed + 3);
  EXPECT_EQ(stack.dhcp().state(), DhcpState::Selecting);
  std::mt19937 rng(2131);
  for (int i = 0; i < 5000; ++i) {
    Bytes m(offer.begin() + headers, offer.end());
    for (int k = 0; k < 4; ++k)
      m[tcpip::kDhcpFixed + rng() % (m.size() - tcpip::kDhcpFixed)] = static_cast<uint8_t>(rng());
    m.resize(tcpip::kDhcpFixed + rng() % (m.size() - tcpip::kDhcpFixed));
    if (i % 4 == 0) m = random_bytes(rng, rng() % 400);
    const Bytes f =
        ethernet(Mac::broadcast(), kPeerMac, 0x0800,
                 ipv4(kServerIp, kBroadcast, 17, udp(kServerIp, 67, kBroadcast, 68, m)));
    stack.receive_frame(f.data(), f.size(), 0);
  }
  EXPECT_GT(stack.counters().dropped(Drop::DhcpMalformed), tcpip::kDhcpFixed + 3);
}

TEST(DhcpParse, ReadsTheOptionsItUses) {
  const Bytes f = server_reply(DhcpMessageType::Ack, 0xabcdef01, kOurMac, kOurIp,
                               {.lease_s = 600, .t1_s = 100, .t2_s = 200});
  tcpip::DhcpReply r;
  ASSERT_TRUE(tcpip::parse_dhcp_reply(&f[42], f.size() - 42, r));
  EXPECT_EQ(r.type, DhcpMessageType::Ack);
  EXPECT_EQ(r.xid, 0xabcdef01u);
  EXPECT_EQ(r.client, kOurMac);
  EXPECT_EQ(r.your_address, kOurIp);
  EXPECT_EQ(r.server, kServerIp);
  EXPECT_EQ(r.netmask, kNetmask);
  EXPECT_EQ(r.router, kServerIp);  // the first of two
  EXPECT_EQ(r.dns, kDnsIp);
  EXPECT_EQ(r.lease_s, 600u);
  EXPECT_EQ(r.t1_s, 100u);
  EXPECT_EQ(r.t2_s, 200u);
}

TEST(DhcpParse, RefusesOptionsOfTheWrongSize) {
  Bytes f = server_reply(DhcpMessageType::Ack, 1, kOurMac, kOurIp);
  Bytes m(f.begin() + 42, f.end());
  tcpip::DhcpReply r;
  ASSERT_TRUE(tcpip::parse_dhcp_reply(m.data(), m.size(), r));
  // The options start with 53 (1 byte), then 54 (4 bytes).
  Bytes bad = m;
  bad[tcpip::kDhcpFixed + 1] = 2;
  EXPECT_FALSE(tcpip::parse_dhcp_reply(bad.data(), bad.size(), r));
  bad = m;
  bad[tcpip::kDhcpFixed + 4] = 3;
  EXPECT_FALSE(tcpip::parse_dhcp_reply(bad.data(), bad.size(), r));
  bad = m;
  bad[236] = 0;  // the cookie
  EXPECT_FALSE(tcpip::parse_dhcp_reply(bad.data(), bad.size(), r));
  bad = m;
  bad[0] = 1;  // a request
  EXPECT_FALSE(tcpip::parse_dhcp_reply(bad.data(), bad.size(), r));
}

}  // namespace
