#include "servers/tcpip/stack/icmp.h"

namespace tcpip {

void Icmp::receive(Ipv4 source, Ipv4 destination, const uint8_t* message, size_t size,
                   uint64_t now_ms) {
  if (size < kIcmpHeader) return counters_.count(Drop::IcmpMalformed);
  if (checksum_fold(checksum_add(0, message, size)) != 0)
    return counters_.count(Drop::IcmpBadChecksum);
  const uint8_t type = message[0];
  const uint16_t id = load16(message + 4);
  const uint16_t sequence = load16(message + 6);
  const uint8_t* data = message + kIcmpHeader;
  const size_t data_size = size - kIcmpHeader;
  // An echo request to a broadcast address is not answered (RFC 1122 allows silence, and
  // it keeps us out of amplification attacks).
  if (type == kIcmpEchoRequest && message[1] == 0 && ip_.is_local(destination)) {
    if (send_echo(kIcmpEchoReply, destination, source, id, sequence, data, data_size, now_ms).ok())
      ++counters_.echo_requests_answered;
    return;
  }
  if (type == kIcmpEchoReply && message[1] == 0) {
    if (listener_) listener_->on_echo_reply(source, id, sequence, data, data_size, now_ms);
    return;
  }
  counters_.count(Drop::IcmpUnhandled);
}

lib::Result<void> Icmp::send_echo_request(Ipv4 destination, uint16_t id, uint16_t sequence,
                                          const uint8_t* data, size_t size, uint64_t now_ms) {
  return send_echo(kIcmpEchoRequest, ip_.source_for(destination), destination, id, sequence, data,
                   size, now_ms);
}

lib::Result<void> Icmp::send_echo(uint8_t type, Ipv4 source, Ipv4 destination, uint16_t id,
                                  uint16_t sequence, const uint8_t* data, size_t size,
                                  uint64_t now_ms) {
  uint8_t header[kIcmpHeader] = {type, 0, 0, 0};
  store16(header + 4, id);
  store16(header + 6, sequence);
  store16(header + 2,
          checksum_fold(checksum_add(checksum_add(0, header, kIcmpHeader), data, size)));
  return ip_.send_ipv4_from(source, destination, kProtocolIcmp, header, kIcmpHeader, data, size,
                            now_ms);
}

}  // namespace tcpip
