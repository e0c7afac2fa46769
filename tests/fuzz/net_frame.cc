// The network stack (servers/tcpip/stack) on any Ethernet frames: ARP, IPv4 with options and
// fragments, ICMP, UDP, TCP to a listening port, in any order, with time passing between
// them. The input is a script: a byte chooses a frame (its length, then its bytes) or a
// pause. Nothing may crash or trip a sanitizer, and every frame the stack sends in answer
// must be a frame (net_harness.h).
#include "tests/fuzz/net_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FreshNet net;
  net->configure();
  fuzz::Script s(data, size);
  while (!s.done()) {
    const uint8_t op = s.byte();
    if (op < 0xf0) {
      size_t got = 0;
      const uint8_t* frame = s.take(s.u16() % 1600, &got);
      net->receive(frame, got);
    } else {
      net->advance(op == 0xff ? uint64_t{s.u16()} * 100 : op - 0xef);
    }
  }
  net->advance(600000);
  return 0;
}
