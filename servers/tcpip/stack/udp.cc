#include "servers/tcpip/stack/udp.h"

namespace tcpip {

lib::Result<uint16_t> Udp::bind(uint16_t port, UdpReceiver& receiver) {
  if (port != 0 && bound(port)) return lib::Error::AlreadyExists;
  Socket* free = nullptr;
  for (Socket& socket : sockets_) {
    if (socket.port == 0) {
      free = &socket;
      break;
    }
  }
  if (!free) return lib::Error::NoResources;
  if (port == 0) {
    // There are far more ephemeral ports than sockets, so one is free within kUdpSockets+1.
    for (size_t tries = 0; tries <= kUdpSockets && port == 0; ++tries) {
      const uint16_t candidate = next_ephemeral_;
      next_ephemeral_ = next_ephemeral_ == 0xffff ? kUdpEphemeralFirst : next_ephemeral_ + 1;
      if (!bound(candidate)) port = candidate;
    }
    if (port == 0) return lib::Error::NoResources;
  }
  *free = {port, &receiver};
  return port;
}

void Udp::unbind(uint16_t port) {
  for (Socket& socket : sockets_) {
    if (socket.port == port) socket = {};
  }
}

bool Udp::bound(uint16_t port) const {
  for (const Socket& socket : sockets_) {
    if (port != 0 && socket.port == port) return true;
  }
  return false;
}

lib::Result<void> Udp::send(uint16_t source_port, Ipv4 destination, uint16_t destination_port,
                            const uint8_t* data, size_t size, uint64_t now_ms) {
  if (size > kUdpMaxPayload) return lib::Error::TooLarge;
  const auto length = static_cast<uint16_t>(kUdpHeader + size);
  uint8_t header[kUdpHeader];
  store16(header, source_port);
  store16(header + 2, destination_port);
  store16(header + 4, length);
  store16(header + 6, 0);
  uint32_t sum = pseudo_header_sum(ip_.source_for(destination), destination, kProtocolUdp, length);
  sum = checksum_add(checksum_add(sum, header, kUdpHeader), data, size);
  const uint16_t checksum = checksum_fold(sum);
  store16(header + 6, checksum == 0 ? 0xffff : checksum);  // 0 would mean "none"
  TRY(ip_.send_ipv4(destination, kProtocolUdp, header, kUdpHeader, data, size, now_ms));
  ++counters_.udp_out;
  return {};
}

void Udp::receive(Ipv4 source, Ipv4 destination, const uint8_t* datagram, size_t size,
                  uint64_t now_ms) {
  if (size < kUdpHeader) return counters_.count(Drop::UdpMalformed);
  const uint16_t length = load16(datagram + 4);
  if (length < kUdpHeader || length > size) return counters_.count(Drop::UdpMalformed);
  if (load16(datagram + 6) != 0) {
    const uint32_t sum = pseudo_header_sum(source, destination, kProtocolUdp, length);
    if (checksum_fold(checksum_add(sum, datagram, length)) != 0)
      return counters_.count(Drop::UdpBadChecksum);
  }
  const uint16_t port = load16(datagram + 2);
  for (const Socket& socket : sockets_) {
    if (port == 0 || socket.port != port) continue;
    ++counters_.udp_in;
    // A copy: the receiver may unbind, and so change the table, while it runs.
    UdpReceiver* receiver = socket.receiver;
    receiver->on_datagram(port, source, load16(datagram), destination, datagram + kUdpHeader,
                          length - kUdpHeader, now_ms);
    return;
  }
  counters_.count(Drop::UdpNoPort);
}

}  // namespace tcpip
