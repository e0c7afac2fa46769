#include "servers/tcpip/stack/dhcp.h"

namespace tcpip {
namespace {

constexpr uint8_t kBootRequest = 1, kBootReply = 2;
constexpr uint8_t kCookie[4] = {99, 130, 83, 99};
// Options (RFC 2132).
constexpr uint8_t kOptionPad = 0, kOptionNetmask = 1, kOptionRouter = 3, kOptionDns = 6,
                  kOptionRequestedAddress = 50, kOptionLease = 51, kOptionMessageType = 53,
                  kOptionServer = 54, kOptionParameters = 55, kOptionMaxSize = 57, kOptionT1 = 58,
                  kOptionT2 = 59, kOptionClientId = 61, kOptionEnd = 255;
// BOOTP relays and some servers ignore requests shorter than a BOOTP message (RFC 1542).
constexpr size_t kMinimumMessage = 300;
constexpr size_t kMaxMessage = 576 - kIpv4Header - kUdpHeader;

// A netmask for an address when the server gives none: its old class's (RFC 1122 3.3.1.3
// asks for a mask; the class is the best guess).
Ipv4 default_netmask(Ipv4 address) {
  const uint32_t top = address.value >> 24;
  if (top < 128) return Ipv4{0xff000000};
  if (top < 192) return Ipv4{0xffff0000};
  return Ipv4{0xffffff00};
}

}  // namespace

bool parse_dhcp_reply(const uint8_t* message, size_t size, DhcpReply& out) {
  if (size < kDhcpFixed || message[0] != kBootReply || message[1] != 1 || message[2] != 6 ||
      __builtin_memcmp(message + 236, kCookie, 4) != 0)
    return false;
  out = {};
  out.xid = load32(message + 4);
  out.your_address = Ipv4{load32(message + 16)};
  __builtin_memcpy(out.client.bytes, message + 28, 6);
  bool typed = false;
  size_t at = kDhcpFixed;
  while (at < size) {
    const uint8_t code = message[at];
    if (code == kOptionPad) {
      ++at;
      continue;
    }
    if (code == kOptionEnd) break;
    if (size - at < 2 || size - at - 2 < message[at + 1]) return false;
    const uint8_t length = message[at + 1];
    const uint8_t* value = message + at + 2;
    at += 2 + size_t{length};
    // Fixed-size options must have their size; lists of addresses take the first.
    const bool one_address = length == 4;
    const bool addresses = length >= 4 && length % 4 == 0;
    switch (code) {
      case kOptionMessageType:
        if (length != 1) return false;
        out.type = static_cast<DhcpMessageType>(value[0]);
        typed = true;
        break;
      case kOptionNetmask:
        if (!one_address) return false;
        out.netmask = Ipv4{load32(value)};
        break;
      case kOptionRouter:
        if (!addresses) return false;
        out.router = Ipv4{load32(value)};
        break;
      case kOptionDns:
        if (!addresses) return false;
        out.dns = Ipv4{load32(value)};
        break;
      case kOptionServer:
        if (!one_address) return false;
        out.server = Ipv4{load32(value)};
        break;
      case kOptionLease:
      case kOptionT1:
      case kOptionT2: {
        if (length != 4) return false;
        const uint32_t seconds = load32(value);
        (code == kOptionLease ? out.lease_s : code == kOptionT1 ? out.t1_s : out.t2_s) = seconds;
        break;
      }
      default: break;  // options we do not use
    }
  }
  return typed;
}

lib::Result<void> DhcpClient::start(uint64_t now_ms) {
  if (!udp_.bound(kDhcpClientPort)) TRY(udp_.bind(kDhcpClientPort, *this));
  discover(now_ms);
  return {};
}

void DhcpClient::stop() {
  if (state_ != DhcpState::Stopped) udp_.unbind(kDhcpClientPort);
  state_ = DhcpState::Stopped;
}

void DhcpClient::discover(uint64_t now_ms) {
  state_ = DhcpState::Selecting;
  xid_ = random_.next();
  started_ms_ = now_ms;
  offered_ = server_ = Ipv4{};
  tries_ = 0;
  send(DhcpMessageType::Discover, now_ms);
  deadline_ = now_ms + backoff();
}

// The wait before the next retransmission of a DISCOVER or a REQUEST after an OFFER.
uint64_t DhcpClient::backoff() const {
  uint64_t timeout = kDhcpFirstTimeoutMs;
  for (uint8_t i = 1; i < tries_ && timeout < kDhcpMaxTimeoutMs; ++i) timeout *= 2;
  return timeout < kDhcpMaxTimeoutMs ? timeout : kDhcpMaxTimeoutMs;
}

void DhcpClient::send(DhcpMessageType type, uint64_t now_ms) {
  uint8_t m[kMaxMessage] = {};
  m[0] = kBootRequest;
  m[1] = 1;  // Ethernet
  m[2] = 6;
  store32(m + 4, xid_);
  const uint64_t secs = (now_ms - started_ms_) / 1000;
  store16(m + 8, static_cast<uint16_t>(secs > 0xffff ? 0xffff : secs));
  // Renewing and rebinding say who we are in ciaddr; selecting asks in option 50.
  const bool renewing = state_ == DhcpState::Renewing || state_ == DhcpState::Rebinding;
  if (renewing) store32(m + 12, config_.address.value);
  __builtin_memcpy(m + 28, mac_.bytes, 6);
  __builtin_memcpy(m + 236, kCookie, 4);
  size_t at = kDhcpFixed;
  const auto option = [&](uint8_t code, const uint8_t* value, uint8_t length) {
    m[at] = code;
    m[at + 1] = length;
    __builtin_memcpy(m + at + 2, value, length);
    at += 2 + size_t{length};
  };
  const auto address_option = [&](uint8_t code, Ipv4 address) {
    uint8_t value[4];
    store32(value, address.value);
    option(code, value, 4);
  };
  const uint8_t message_type = static_cast<uint8_t>(type);
  option(kOptionMessageType, &message_type, 1);
  uint8_t client_id[7] = {1};  // hardware type 1, then the address
  __builtin_memcpy(client_id + 1, mac_.bytes, 6);
  option(kOptionClientId, client_id, sizeof(client_id));
  if (type == DhcpMessageType::Request && !renewing) {
    address_option(kOptionRequestedAddress, offered_);
    address_option(kOptionServer, server_);
  }
  uint8_t max_size[2];
  store16(max_size, kMaxMessage + kIpv4Header + kUdpHeader);
  option(kOptionMaxSize, max_size, 2);
  const uint8_t parameters[] = {kOptionNetmask, kOptionRouter, kOptionDns,
                                kOptionLease,   kOptionT1,     kOptionT2};
  option(kOptionParameters, parameters, sizeof(parameters));
  m[at++] = kOptionEnd;
  const size_t size = at < kMinimumMessage ? kMinimumMessage : at;
  const Ipv4 to = state_ == DhcpState::Renewing ? server_ : Ipv4::of(255, 255, 255, 255);
  ++tries_;
  // A send that fails (no route yet, a full ARP queue) is retried like a lost one.
  (void)udp_.send(kDhcpClientPort, to, kDhcpServerPort, m, size, now_ms);
}

void DhcpClient::on_datagram(uint16_t, Ipv4, uint16_t source_port, Ipv4, const uint8_t* data,
                             size_t size, uint64_t now_ms) {
  DhcpReply reply;
  if (!parse_dhcp_reply(data, size, reply)) return counters_.count(Drop::DhcpMalformed);
  if (source_port != kDhcpServerPort || reply.xid != xid_ || reply.client != mac_)
    return counters_.count(Drop::DhcpUnexpected);
  const bool from_server = server_.any() || reply.server.any() || reply.server == server_;
  switch (state_) {
    case DhcpState::Selecting:
      if (reply.type != DhcpMessageType::Offer || reply.your_address.any() ||
          reply.your_address.broadcast() || reply.server.any())
        break;
      offered_ = reply.your_address;
      server_ = reply.server;
      state_ = DhcpState::Requesting;
      tries_ = 0;
      send(DhcpMessageType::Request, now_ms);
      deadline_ = now_ms + backoff();
      return;
    case DhcpState::Requesting:
    case DhcpState::Renewing:
    case DhcpState::Rebinding:
      if (!from_server && state_ != DhcpState::Rebinding) break;
      if (reply.type == DhcpMessageType::Ack && !reply.your_address.any()) {
        bind(reply, now_ms);
        return;
      }
      if (reply.type == DhcpMessageType::Nak) {
        if (state_ != DhcpState::Requesting) lose();
        discover(now_ms);
        return;
      }
      break;
    case DhcpState::Stopped:
    case DhcpState::Bound: break;
  }
  counters_.count(Drop::DhcpUnexpected);
}

void DhcpClient::bind(const DhcpReply& reply, uint64_t now_ms) {
  Config config;
  config.address = reply.your_address;
  config.netmask = reply.netmask.any() ? default_netmask(reply.your_address) : reply.netmask;
  config.gateway = reply.router;
  config.dns = reply.dns;
  if (!reply.server.any()) server_ = reply.server;
  // A server must give an ACK a lease time; an hour if it did not.
  lease_s_ = reply.lease_s ? reply.lease_s : 3600;
  state_ = DhcpState::Bound;
  if (lease_s_ != kDhcpInfiniteLease) {
    const uint64_t lease_ms = uint64_t{lease_s_} * 1000;
    uint64_t t1 = reply.t1_s ? uint64_t{reply.t1_s} * 1000 : lease_ms / 2;
    uint64_t t2 = reply.t2_s ? uint64_t{reply.t2_s} * 1000 : lease_ms / 8 * 7;
    if (t2 > lease_ms) t2 = lease_ms;
    if (t1 > t2) t1 = t2;
    t1_ms_ = now_ms + t1;
    t2_ms_ = now_ms + t2;
    expiry_ms_ = now_ms + lease_ms;
  }
  if (config != config_) {
    config_ = config;
    listener_.on_dhcp_config(config_);
  }
}

void DhcpClient::lose() {
  config_ = {};
  lease_s_ = 0;
  listener_.on_dhcp_config(config_);
}

void DhcpClient::poll(uint64_t now_ms) {
  switch (state_) {
    case DhcpState::Stopped: return;
    case DhcpState::Selecting:
      if (now_ms < deadline_) return;
      send(DhcpMessageType::Discover, now_ms);
      deadline_ = now_ms + backoff();
      return;
    case DhcpState::Requesting:
      if (now_ms < deadline_) return;
      if (tries_ >= kDhcpRequestTries) return discover(now_ms);
      send(DhcpMessageType::Request, now_ms);
      deadline_ = now_ms + backoff();
      return;
    case DhcpState::Bound:
    case DhcpState::Renewing:
    case DhcpState::Rebinding: break;
  }
  if (lease_s_ == kDhcpInfiniteLease) return;
  if (now_ms >= expiry_ms_) {
    lose();
    return discover(now_ms);
  }
  // Renewing retries at half the time left until T2, rebinding until the lease's end, at
  // least a minute apart (RFC 2131 4.4.5).
  const auto retry = [&](uint64_t end) {
    const uint64_t half = (end - now_ms) / 2;
    deadline_ = now_ms + (half > kDhcpMinRenewRetryMs ? half : kDhcpMinRenewRetryMs);
  };
  if (now_ms >= t2_ms_ && state_ != DhcpState::Rebinding) {
    state_ = DhcpState::Rebinding;
    xid_ = random_.next();
    started_ms_ = now_ms;
    send(DhcpMessageType::Request, now_ms);
    retry(expiry_ms_);
  } else if (now_ms >= t1_ms_ && state_ == DhcpState::Bound) {
    state_ = DhcpState::Renewing;
    xid_ = random_.next();
    started_ms_ = now_ms;
    send(DhcpMessageType::Request, now_ms);
    retry(t2_ms_);
  } else if (state_ != DhcpState::Bound && now_ms >= deadline_) {
    send(DhcpMessageType::Request, now_ms);
    retry(state_ == DhcpState::Renewing ? t2_ms_ : expiry_ms_);
  }
}

}  // namespace tcpip
