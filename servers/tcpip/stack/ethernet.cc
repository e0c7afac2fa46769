#include "servers/tcpip/stack/ethernet.h"

namespace tcpip {

bool parse_ethernet(const uint8_t* frame, size_t size, EthernetHeader& out) {
  if (size < kEthernetHeader) return false;
  __builtin_memcpy(out.destination.bytes, frame, 6);
  __builtin_memcpy(out.source.bytes, frame + 6, 6);
  out.type = load16(frame + 12);
  return true;
}

void write_ethernet(uint8_t* out, const EthernetHeader& header) {
  __builtin_memcpy(out, header.destination.bytes, 6);
  __builtin_memcpy(out + 6, header.source.bytes, 6);
  store16(out + 12, header.type);
}

}  // namespace tcpip
