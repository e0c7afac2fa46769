#pragma once
// The Ethernet service: what a network driver (drivers/virtio-net, drivers/e1000) exports as
// "ethernet". Frames travel in batches. A Data message holds an EthernetBatch followed by
// `count` frames, packed, each a uint16_t length and then that many bytes (from the
// destination address, without the frame check sequence). A client sends Frames batches to
// transmit; the driver sends every connected client Frames batches of what it received.
// Nothing is acknowledged: a frame that finds no room (a full transmit ring, a client's full
// queue) is dropped and counted, as on a wire. A batch that does not parse (truncated, a
// count the bytes do not hold, bytes after the last frame, a frame shorter than
// kEthernetMinFrame or longer than kEthernetMaxFrame) is dropped whole and counted in
// `malformed`; lib/ethernet_batch.h reads and writes batches by these rules.
//
// A Data message holding only EthernetBatch{Info, 0} is answered, with the same call id, by
// EthernetBatch{Info, 0} followed by an EthernetInfo.

#include <stdint.h>

namespace stellina::abi {

constexpr uint32_t kEthernetMaxFrame = 1514;  // 14 bytes of header and an MTU of 1500
constexpr uint32_t kEthernetMinFrame = 14;

enum class EthernetOp : uint32_t {
  Frames = 0,
  Info = 1,
};

struct EthernetBatch {
  EthernetOp op;
  uint32_t count;  // Frames: how many frames follow
};

struct EthernetInfo {
  uint8_t mac[6];
  uint16_t mtu;
  uint32_t link_up;  // 1 if the link is up
  uint32_t reserved;
  uint64_t rx_frames, tx_frames;
  uint64_t rx_dropped;  // no client, a client's queue was full, or the device reported a
                        // length that cannot be a frame
  uint64_t tx_dropped;  // the transmit ring was full
  uint64_t malformed;   // batches from clients that did not parse (each counts once)
};

}  // namespace stellina::abi
