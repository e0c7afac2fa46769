// The DNS stub resolver (servers/tcpip/stack/dns.cc) on any answers: the answer parser on the
// input as it is (the query id its first two bytes, so it matches), then the resolver itself:
// a query goes out, and each message of the script comes back from the server to the
// query's own port with the query's id (which a fuzzer could not guess). Compression loops,
// CNAME chains, truncation, lengths past the end: each must end in a status, never a crash.
#include "servers/tcpip/stack/dns.h"

#include <cstring>

#include "tests/fuzz/net_harness.h"

namespace {

constexpr const char* kName = "www.stellina.test";
constexpr size_t kUdp = 14 + 20;  // the UDP header in a frame the resolver sends

class Listener final : public tcpip::DnsListener {
 public:
  void on_resolved(uint16_t, tcpip::DnsStatus status, const tcpip::DnsAnswer&) override {
    fuzz::check(tcpip::dns_status_name(status) != nullptr);
    ++answers;
  }
  size_t answers = 0;
};

// An ARP reply from the DNS server, so the query leaves at once.
void learn_server(fuzz::NetHarness& net) {
  uint8_t frame[42] = {};
  std::memcpy(frame, fuzz::kOurMac.bytes, 6);
  std::memcpy(frame + 6, fuzz::kPeerMac.bytes, 6);
  const uint8_t arp[] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 2};
  std::memcpy(frame + 12, arp, sizeof(arp));
  std::memcpy(frame + 22, fuzz::kPeerMac.bytes, 6);
  const uint32_t server = fuzz::kDnsIp.value, us = fuzz::kOurIp.value;
  for (int i = 0; i < 4; ++i) frame[28 + i] = static_cast<uint8_t>(server >> (24 - 8 * i));
  std::memcpy(frame + 32, fuzz::kOurMac.bytes, 6);
  for (int i = 0; i < 4; ++i) frame[38 + i] = static_cast<uint8_t>(us >> (24 - 8 * i));
  net.receive(frame, sizeof(frame));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 2) {
    tcpip::DnsAnswer answer;
    const auto id = static_cast<uint16_t>(data[0] << 8 | data[1]);
    (void)tcpip::parse_dns_answer(data, size, id, kName, answer);
  }

  fuzz::FreshNet net;
  net->configure();
  learn_server(*net);
  Listener listener;
  fuzz::Script s(data, size);
  uint8_t message[tcpip::kDnsMaxMessage + 64];
  while (!s.done()) {
    const uint8_t op = s.byte();
    if (op >= 0xf0) {
      net->advance(uint64_t{s.u16()} * (op - 0xef));
      continue;
    }
    if (op < 0x10) (void)net->stack().dns().resolve(op % 2 ? kName : "a.b", listener, net->now());
    const std::vector<uint8_t>& query = net->wire().last;
    if (query.size() < kUdp + 8 + 12 || query[kUdp + 3] != tcpip::kDnsPort) continue;
    const auto port = static_cast<uint16_t>(query[kUdp] << 8 | query[kUdp + 1]);
    size_t got = 0;
    const uint8_t* bytes = s.take(s.u16() % sizeof(message), &got);
    std::memcpy(message, bytes, got);
    if (got >= 2) std::memcpy(message, query.data() + kUdp + 8, 2);  // the query's id
    net->stack().dns().on_datagram(port, fuzz::kDnsIp, tcpip::kDnsPort, fuzz::kOurIp, message, got,
                                   net->now());
  }
  net->advance(600000);
  return 0;
}
