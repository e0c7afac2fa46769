#pragma once
// Ethernet II framing: the 14-byte header (destination, source, EtherType), parsed and
// written in place, and the Link a Stack sends its frames through.

#include <stddef.h>
#include <stdint.h>

#include "servers/tcpip/stack/net.h"

namespace tcpip {

constexpr size_t kEthernetHeader = 14;
constexpr size_t kEthernetMtu = 1500;  // the largest IPv4 packet a frame carries
constexpr size_t kEthernetMaxFrame = kEthernetHeader + kEthernetMtu;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeArp = 0x0806;

// Where a Stack's frames go: the component's glue hands them to the Ethernet service, a test
// records them. send_frame must not call back into the stack that calls it; it copies the
// frame (the bytes are the stack's, and reused).
class Link {
 public:
  virtual void send_frame(const uint8_t* frame, size_t size) = 0;

 protected:
  ~Link() = default;
};

struct EthernetHeader {
  Mac destination;
  Mac source;
  uint16_t type = 0;
};

// Reads the header of frame[0..size); false if the frame is shorter than a header. The
// payload is frame + kEthernetHeader (a frame may carry padding after its packet).
bool parse_ethernet(const uint8_t* frame, size_t size, EthernetHeader& out);
// Writes the header into out[0..kEthernetHeader).
void write_ethernet(uint8_t* out, const EthernetHeader& header);

// Whether a frame to `destination` is for an interface at `ours`: unicast to us, or
// broadcast. Other multicast is not (we join no groups).
constexpr bool ethernet_accepts(Mac destination, Mac ours) {
  return destination == ours || destination == Mac::broadcast();
}

}  // namespace tcpip
