#include "servers/tcpip/stack/icmp.h"

#include <gtest/gtest.h>

#include "servers/tcpip/stack/stack.h"
#include "tests/unit/net/packets.h"

namespace {

using namespace nettest;
using tcpip::Drop;

struct Reply {
  Ipv4 from;
  uint16_t id, sequence;
  Bytes data;
};

class RecordingListener final : public tcpip::EchoListener {
 public:
  void on_echo_reply(Ipv4 from, uint16_t id, uint16_t sequence, const uint8_t* data, size_t size,
                     uint64_t) override {
    replies.push_back({from, id, sequence, Bytes(data, data + size)});
  }
  std::vector<Reply> replies;
};

class IcmpTest : public ::testing::Test {
 protected:
  IcmpTest() {
    stack.configure({kOurIp, Ipv4::of(255, 255, 255, 0), kPeerIp, Ipv4{}});
    stack.icmp().set_echo_listener(&listener);
    receive(ethernet(kOurMac, kPeerMac, 0x0806,
                     arp_packet(tcpip::kArpRequest, kPeerMac, kPeerIp, Mac{}, kOurIp)));
    link.frames.clear();
  }
  void receive(const Bytes& frame) { stack.receive_frame(frame.data(), frame.size(), 0); }
  void receive_icmp(const Bytes& message, Ipv4 to = kOurIp) {
    receive(ipv4_frame(ipv4(kPeerIp, to, tcpip::kProtocolIcmp, message)));
  }

  RecordingLink link;
  tcpip::Stack stack{link, kOurMac};
  RecordingListener listener;
};

TEST_F(IcmpTest, AnswersAnEchoRequestWithItsData) {
  const Bytes data = {'s', 't', 'e', 'l', 'l', 'i', 'n', 'a', 0};
  receive_icmp(icmp_echo(tcpip::kIcmpEchoRequest, 0x1234, 7, data));
  ASSERT_EQ(link.frames.size(), 1u);
  const Bytes expected = ethernet(
      kPeerMac, kOurMac, 0x0800,
      ipv4(kOurIp, kPeerIp, tcpip::kProtocolIcmp, icmp_echo(tcpip::kIcmpEchoReply, 0x1234, 7, data),
           {.ttl = tcpip::kIpv4Ttl, .id = 0, .flags_fragment = 0x4000}));
  EXPECT_EQ(link.frames[0], expected);
  EXPECT_EQ(stack.counters().echo_requests_answered, 1u);
}

TEST_F(IcmpTest, AnswersTheLargestEcho) {
  const Bytes data(tcpip::kIpv4MaxPayload - tcpip::kIcmpHeader, 0xa5);
  receive_icmp(icmp_echo(tcpip::kIcmpEchoRequest, 1, 1, data));
  ASSERT_EQ(link.frames.size(), 1u);
  EXPECT_EQ(link.frames[0].size(), tcpip::kEthernetMaxFrame);
}

TEST_F(IcmpTest, DoesNotAnswerABroadcastEcho) {
  receive_icmp(icmp_echo(tcpip::kIcmpEchoRequest, 1, 1, {}), Ipv4::of(255, 255, 255, 255));
  EXPECT_TRUE(link.frames.empty());
}

TEST_F(IcmpTest, CountsBadMessages) {
  Bytes message = icmp_echo(tcpip::kIcmpEchoRequest, 1, 1, {1, 2, 3});
  for (size_t size = 0; size < tcpip::kIcmpHeader; ++size)
    receive_icmp(Bytes(message.begin(), message.begin() + static_cast<ptrdiff_t>(size)));
  EXPECT_EQ(stack.counters().dropped(Drop::IcmpMalformed), tcpip::kIcmpHeader);
  message[9] ^= 0x40;
  receive_icmp(message);
  EXPECT_EQ(stack.counters().dropped(Drop::IcmpBadChecksum), 1u);
  Bytes unreachable = {3, 3, 0, 0, 0, 0, 0, 0};
  tcpip::store16(&unreachable[2],
                 tcpip::checksum_fold(tcpip::checksum_add(0, unreachable.data(), 8)));
  receive_icmp(unreachable);
  EXPECT_EQ(stack.counters().dropped(Drop::IcmpUnhandled), 1u);
  EXPECT_TRUE(link.frames.empty());
  EXPECT_TRUE(listener.replies.empty());
}

TEST_F(IcmpTest, SendsEchoRequestsAndReportsReplies) {
  const Bytes data = {1, 2, 3};
  ASSERT_TRUE(stack.icmp().send_echo_request(kPeerIp, 42, 9, data.data(), data.size(), 0).ok());
  ASSERT_EQ(link.frames.size(), 1u);
  const Bytes& f = link.frames[0];
  const Bytes message(f.begin() + 34, f.end());
  EXPECT_EQ(message, icmp_echo(tcpip::kIcmpEchoRequest, 42, 9, data));
  receive_icmp(icmp_echo(tcpip::kIcmpEchoReply, 42, 9, data));
  ASSERT_EQ(listener.replies.size(), 1u);
  EXPECT_EQ(listener.replies[0].from, kPeerIp);
  EXPECT_EQ(listener.replies[0].id, 42);
  EXPECT_EQ(listener.replies[0].sequence, 9);
  EXPECT_EQ(listener.replies[0].data, data);
}

TEST_F(IcmpTest, RandomMessagesNeverCrash) {
  std::mt19937 rng(792);
  for (int i = 0; i < 20000; ++i) {
    Bytes m = random_bytes(rng, rng() % 40);
    if (m.size() >= 4 && (i & 1)) {
      m[0] = (i & 2) ? 8 : 0;
      m[1] = 0;
      tcpip::store16(&m[2], 0);
      tcpip::store16(&m[2], tcpip::checksum_fold(tcpip::checksum_add(0, m.data(), m.size())));
    }
    receive_icmp(m);
  }
  EXPECT_GT(stack.counters().echo_requests_answered, 0u);
  EXPECT_GT(stack.counters().dropped(Drop::IcmpMalformed), 0u);
}

}  // namespace
