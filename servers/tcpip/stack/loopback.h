#pragma once
// The loopback queue: IPv4 packets this host sends to itself (to 127.0.0.0/8 or its own
// address), held whole until the owner delivers them, so that a transport's send never
// re-enters the stack's receive path. A fixed ring of kLoopbackPackets packets of at most
// kEthernetMtu bytes; a full ring refuses the next packet (the sender counts it lost, as
// on a wire). Nothing here allocates: a packet is written in place (reserve, then commit).

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/ethernet.h"

namespace tcpip {

// A TCP window of 64 KiB is 45 full segments: the ring holds one in flight whole.
constexpr size_t kLoopbackPackets = 64;

class LoopbackQueue {
 public:
  // Room for the next packet (kEthernetMtu bytes), or null while the ring is full.
  uint8_t* reserve() { return count_ == kLoopbackPackets ? nullptr : slots_[index(count_)]; }
  // Queues the packet written at reserve()'s room.
  void commit(size_t size) { sizes_[index(count_++)] = static_cast<uint16_t>(size); }

  size_t size() const { return count_; }
  // The oldest packet; valid until pop() (packets queued meanwhile go behind it).
  const uint8_t* front() const { return slots_[first_]; }
  size_t front_size() const { return sizes_[first_]; }
  void pop() {
    first_ = index(1);
    --count_;
  }

 private:
  size_t index(size_t n) const { return (first_ + n) % kLoopbackPackets; }

  size_t first_ = 0, count_ = 0;
  uint16_t sizes_[kLoopbackPackets];
  // No initializer: an owner in static storage touches these pages only once it loops back.
  uint8_t slots_[kLoopbackPackets][kEthernetMtu];
};

}  // namespace tcpip
