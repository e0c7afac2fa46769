#include "servers/tcpip/stack/arp.h"

namespace tcpip {
namespace {

constexpr bool is_multicast(Mac mac) { return mac.bytes[0] & 1; }
// Broadcast and multicast (224.0.0.0/4) cannot be a neighbour's address.
constexpr bool can_be_neighbour(Ipv4 ip) { return !ip.broadcast() && (ip.value >> 28) != 0xe; }

}  // namespace

void Arp::receive(const uint8_t* packet, size_t size, uint64_t now_ms) {
  if (size < kArpPacket || load16(packet) != 1 || load16(packet + 2) != kEtherTypeIpv4 ||
      packet[4] != 6 || packet[5] != 4) {
    counters_.count(Drop::ArpMalformed);
    return;
  }
  const uint16_t op = load16(packet + 6);
  Mac sender_mac;
  __builtin_memcpy(sender_mac.bytes, packet + 8, 6);
  const Ipv4 sender_ip{load32(packet + 14)};
  const Ipv4 target_ip{load32(packet + 24)};
  if ((op != kArpRequest && op != kArpReply) || is_multicast(sender_mac) ||
      !can_be_neighbour(sender_ip)) {
    counters_.count(Drop::ArpMalformed);
    return;
  }
  // An address probe (sender 0.0.0.0) teaches nothing, and one claiming our own address is
  // not believed.
  const bool learn = !sender_ip.any() && sender_ip != address_;
  // RFC 826's merge: a sender we know is updated whatever the target (this is how a
  // gratuitous ARP moves an address); one we do not know is added only if it asked us.
  bool merged = false;
  if (learn) {
    if (Entry* entry = find(sender_ip)) {
      confirm(*entry, sender_mac, now_ms);
      merged = true;
    }
  }
  if (address_.any() || target_ip != address_) return;
  if (learn && !merged) {
    if (Entry* entry = allocate()) {
      entry->ip = sender_ip;
      confirm(*entry, sender_mac, now_ms);
    }
  }
  if (op == kArpRequest) {
    send_arp(kArpReply, sender_mac, sender_mac, sender_ip);
    ++counters_.arp_requests_answered;
  }
}

lib::Result<void> Arp::send_ipv4(Ipv4 next_hop, uint8_t* frame, size_t size, uint64_t now_ms) {
  if (size < kEthernetHeader || size > kEthernetMaxFrame) return lib::Error::OutOfRange;
  if (next_hop.broadcast()) {
    transmit(Mac::broadcast(), frame, size);
    return {};
  }
  Entry* entry = find(next_hop);
  if (entry && entry->state == State::Resolved && now_ms < entry->deadline) {
    transmit(entry->mac, frame, size);
    return {};
  }
  if (!entry) entry = allocate();
  if (!entry) {
    counters_.count(Drop::ArpTableFull);
    return lib::Error::NoResources;
  }
  if (entry->state != State::Resolving) {
    entry->state = State::Resolving;
    entry->ip = next_hop;
    entry->tries = 1;
    entry->deadline = now_ms + kArpRetryMs;
    send_arp(kArpRequest, Mac::broadcast(), Mac{}, next_hop);
  }
  for (Held& held : held_) {
    if (held.used) continue;
    held.used = true;
    held.next_hop = next_hop;
    held.order = next_order_++;
    held.size = static_cast<uint16_t>(size);
    __builtin_memcpy(held.frame, frame, size);
    return {};
  }
  counters_.count(Drop::ArpQueueFull);
  return lib::Error::NoResources;
}

void Arp::poll(uint64_t now_ms) {
  for (Entry& entry : entries_) {
    if (entry.state == State::Free || now_ms < entry.deadline) continue;
    if (entry.state == State::Resolved) {
      entry.state = State::Free;
    } else if (entry.tries < kArpTries) {
      ++entry.tries;
      entry.deadline = now_ms + kArpRetryMs;
      send_arp(kArpRequest, Mac::broadcast(), Mac{}, entry.ip);
    } else {
      entry.state = State::Free;
      drop_held(entry.ip);
    }
  }
}

void Arp::announce() {
  if (!address_.any()) send_arp(kArpRequest, Mac::broadcast(), Mac{}, address_);
}

bool Arp::lookup(Ipv4 ip, Mac& out) const {
  for (const Entry& entry : entries_) {
    if (entry.state == State::Resolved && entry.ip == ip) {
      out = entry.mac;
      return true;
    }
  }
  return false;
}

void Arp::clear() {
  for (Entry& entry : entries_) entry.state = State::Free;
  for (Held& held : held_) {
    if (!held.used) continue;
    held.used = false;
    counters_.count(Drop::ArpUnresolved);
  }
}

size_t Arp::held() const {
  size_t count = 0;
  for (const Held& held : held_) count += held.used ? 1 : 0;
  return count;
}

Arp::Entry* Arp::find(Ipv4 ip) {
  for (Entry& entry : entries_) {
    if (entry.state != State::Free && entry.ip == ip) return &entry;
  }
  return nullptr;
}

// A free entry, or else the resolved one closest to expiry. Entries being resolved are not
// taken: their held packets wait on them.
Arp::Entry* Arp::allocate() {
  Entry* oldest = nullptr;
  for (Entry& entry : entries_) {
    if (entry.state == State::Free) return &entry;
    if (entry.state == State::Resolved && (!oldest || entry.deadline < oldest->deadline))
      oldest = &entry;
  }
  if (oldest) oldest->state = State::Free;
  return oldest;
}

// Marks an entry resolved at `mac` and sends what was held for it, in the order it came.
void Arp::confirm(Entry& entry, Mac mac, uint64_t now_ms) {
  entry.state = State::Resolved;
  entry.mac = mac;
  entry.deadline = now_ms + kArpLifetimeMs;
  for (;;) {
    Held* first = nullptr;
    for (Held& held : held_) {
      if (held.used && held.next_hop == entry.ip && (!first || held.order < first->order))
        first = &held;
    }
    if (!first) return;
    first->used = false;
    transmit(mac, first->frame, first->size);
  }
}

void Arp::send_arp(uint16_t op, Mac destination, Mac target_mac, Ipv4 target_ip) {
  uint8_t frame[kEthernetHeader + kArpPacket];
  uint8_t* packet = frame + kEthernetHeader;
  store16(packet, 1);  // Ethernet
  store16(packet + 2, kEtherTypeIpv4);
  packet[4] = 6;
  packet[5] = 4;
  store16(packet + 6, op);
  __builtin_memcpy(packet + 8, mac_.bytes, 6);
  store32(packet + 14, address_.value);
  __builtin_memcpy(packet + 18, target_mac.bytes, 6);
  store32(packet + 24, target_ip.value);
  write_ethernet(frame, {destination, mac_, kEtherTypeArp});
  link_.send_frame(frame, sizeof(frame));
  ++counters_.frames_out;
  counters_.bytes_out += sizeof(frame);
}

void Arp::transmit(Mac destination, uint8_t* frame, size_t size) {
  write_ethernet(frame, {destination, mac_, kEtherTypeIpv4});
  link_.send_frame(frame, size);
  ++counters_.frames_out;
  counters_.bytes_out += size;
}

void Arp::drop_held(Ipv4 next_hop) {
  for (Held& held : held_) {
    if (!held.used || held.next_hop != next_hop) continue;
    held.used = false;
    counters_.count(Drop::ArpUnresolved);
  }
}

}  // namespace tcpip
