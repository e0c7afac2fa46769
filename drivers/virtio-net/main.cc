// virtio-net: the driver of a virtio network device (virtio 1.x over virtio-mmio or virtio-pci),
// exporting the Ethernet service of abi/stellina/ethernet.h. No offloads and no mergeable buffers:
// every frame travels behind a 12-byte header in one buffer of its own. The receive queue is kept
// full with kRxBuffers buffers, each put back as soon as its frame is copied out; what one
// interrupt brings goes to every client in as few Frames batches as fit. Frames to send are
// copied into one of up to kTxBuffers buffers; when none is free the frame is dropped and
// counted, as on a wire. Every client gets every frame (there is no filtering yet).
//
// The transmit buffers come in banks, made as they are needed: the first with the queues and
// the receive buffers, the others (each its own DMA folio) when a burst finds every buffer
// busy. An idle or lightly used card holds 96 KiB of DMA memory instead of 256.
#include <stellina/component.h>

#include <virtio-net_env.h>

#include "drivers/common/ethernet_port.h"
#include "drivers/common/virtio_device.h"

namespace abi = stellina::abi;

class VirtioNet final : public drivers::NetworkDriver<stellina::components::virtio_net::Env> {
  // Feature bits (5.1.3) and the status bit of the configuration (5.1.4).
  static constexpr unsigned kFeatureMac = 5, kFeatureStatus = 16;
  static constexpr uint16_t kStatusLinkUp = 1;
  static constexpr uint32_t kConfigMac = 0, kConfigStatus = 6;
  static constexpr uint16_t kRxQueue = 0, kTxQueue = 1;
  // struct virtio_net_hdr with VIRTIO_F_VERSION_1 (5.1.6): flags, gso_type, hdr_len,
  // gso_size, csum_start, csum_offset, num_buffers. All zero when sending: no offloads.
  static constexpr uint32_t kHeader = 12;
  static constexpr uint16_t kMtu = 1500;
  // DMA pages: the receive queue (0, 1), the transmit queue (2, 3), then buffers of half a
  // page each, enough for a header and the largest frame (1526 bytes; 5.1.6.3.1): the
  // receive buffers and the first transmit bank.
  static constexpr uint32_t kBufferBytes = 2048;
  static constexpr size_t kBuffersPerPage = drivers::kPage / kBufferBytes;
  static constexpr size_t kRxBuffers = 32, kTxBuffers = 88;  // bursts of several connections
  // Transmit banks, in buffers: each doubles the room until kTxBuffers. Four DMA folios in
  // all, as many as the startup server keeps for a driver.
  static constexpr size_t kTxBanks = 4;
  static constexpr size_t kTxBank[kTxBanks] = {8, 16, 32, 32};
  static_assert(kTxBank[0] + kTxBank[1] + kTxBank[2] + kTxBank[3] == kTxBuffers);
  static constexpr size_t kFirstBufferPage = 4;
  static constexpr size_t kDmaPages =
      kFirstBufferPage + (kRxBuffers + kTxBank[0]) / kBuffersPerPage;
  static_assert(kDmaPages <= drivers::DmaPages::kMaxPages);
  static_assert(kTxBank[2] / kBuffersPerPage <= drivers::DmaPages::kMaxPages);
  static constexpr unsigned kInterruptRounds = 4;

  void on_interrupt() override {
    // Work that completes while this runs raises the status again; a few rounds take it
    // without waiting for another interrupt.
    for (unsigned round = 0; round < kInterruptRounds; ++round) {
      const uint32_t why = device_.transport().interrupt_status();  // acknowledges
      // With MSI-X the status register reads 0: a configuration change is not flagged, so
      // the link is read at every interrupt (one register; logged only when it changes).
      read_link();
      reclaim_transmitted();
      receive();
      if (why == 0) break;
    }
    if (rx_.broken() || tx_.broken()) {
      log("the device broke the queue protocol; starting over");
      stop(1);  // restarted, the driver resets the device
      return;
    }
    if (!ack_interrupt().ok()) drivers::stop_driving(*this, "cannot acknowledge the interrupt");
  }

  void start_device(const stellina::Device& device) override {
    auto opened = device_.open(*this, device, kDmaPages);
    uint64_t features = 0;
    if (opened.ok()) {
      const uint64_t wanted =
          lib::virtio::feature(kFeatureMac) | lib::virtio::feature(kFeatureStatus);
      auto ready =
          lib::virtio::initialize(device_.transport(), wanted, [&](uint64_t) -> lib::Result<void> {
            TRY(lib::virtio::setup_queue(device_.transport(), kRxQueue, rx_,
                                         device_.queue_memory(0), kRxBuffers, false));
            TRY(lib::virtio::setup_queue(device_.transport(), kTxQueue, tx_,
                                         device_.queue_memory(2), 2 * kTxBuffers, false));
            return {};
          });
      if (ready.ok()) {
        features = ready.value();
      } else {
        opened = ready.error();
      }
    }
    if (opened.ok()) opened = read_mac(features & lib::virtio::feature(kFeatureMac));
    if (!opened.ok()) {
      log("cannot drive the device: {}", lib::error_name(opened.error()));
      stop(1);
      return;
    }
    has_status_ = features & lib::virtio::feature(kFeatureStatus);
    port_.info().mtu = kMtu;
    read_link();
    if (!watch_interrupt(device.interrupt).ok())
      return drivers::stop_driving(*this, "cannot watch the interrupt");
    size_t posted = 0;
    while (posted < kRxBuffers && post_receive(posted)) ++posted;
    if (rx_.notify_needed()) device_.transport().notify(kRxQueue);
    log("mac {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}{}, link {}, {} receive buffers", mac()[0],
        mac()[1], mac()[2], mac()[3], mac()[4], mac()[5],
        features & lib::virtio::feature(kFeatureMac) ? "" : " (made up)",
        port_.info().link_up ? "up" : "down", posted);
  }

  lib::Result<void> read_mac(bool offered) {
    // Without VIRTIO_NET_F_MAC the device has no address to give: a locally administered one.
    static constexpr uint8_t kLocal[6] = {0x02, 0, 0, 0, 0, 0x01};
    for (uint32_t i = 0; i < 6; ++i) {
      if (!offered) {
        mac()[i] = kLocal[i];
        continue;
      }
      mac()[i] = static_cast<uint8_t>(
          TRY(lib::virtio::read_config(device_.transport(), kConfigMac + i, 1)));
    }
    return {};
  }

  void read_link() {
    bool up = true;  // without VIRTIO_NET_F_STATUS the link is taken to be up (5.1.4.2)
    if (has_status_) {
      auto status = lib::virtio::read_config(device_.transport(), kConfigStatus, 2);
      up = status.ok() && (status.value() & kStatusLinkUp);
    }
    if (link_known_ && up != (port_.info().link_up != 0)) log("link {}", up ? "up" : "down");
    port_.info().link_up = up ? 1 : 0;
    link_known_ = true;
  }

  uint8_t* mac() { return port_.info().mac; }

  // Receive buffer i, then the first transmit bank, in the pages the device was opened with.
  uint8_t* buffer(size_t i) const {
    return device_.page(kFirstBufferPage + i / kBuffersPerPage) +
           (i % kBuffersPerPage) * kBufferBytes;
  }
  uint64_t buffer_phys(size_t i) const {
    return device_.page_phys(kFirstBufferPage + i / kBuffersPerPage) +
           (i % kBuffersPerPage) * kBufferBytes;
  }
  // Transmit buffer i (below tx_capacity_): its bank, and its place in it.
  struct TxPlace {
    size_t bank, index;
  };
  static TxPlace tx_place(size_t i) {
    size_t bank = 0;
    while (i >= kTxBank[bank]) i -= kTxBank[bank++];
    return {bank, i};
  }
  uint8_t* tx_buffer(size_t i) const {
    const TxPlace at = tx_place(i);
    if (at.bank == 0) return buffer(kRxBuffers + at.index);
    return tx_banks_[at.bank - 1].page(at.index / kBuffersPerPage) +
           (at.index % kBuffersPerPage) * kBufferBytes;
  }
  uint64_t tx_buffer_phys(size_t i) const {
    const TxPlace at = tx_place(i);
    if (at.bank == 0) return buffer_phys(kRxBuffers + at.index);
    return tx_banks_[at.bank - 1].physical(at.index / kBuffersPerPage) +
           (at.index % kBuffersPerPage) * kBufferBytes;
  }

  // Makes the next transmit bank. False at the last one, or if it cannot be had (then no
  // more are tried: the frames that find no buffer are dropped, as before the banks).
  bool grow_transmit_buffers() {
    if (tx_bank_count_ == kTxBanks || tx_growth_failed_) return false;
    const size_t buffers = kTxBank[tx_bank_count_];
    auto made = tx_banks_[tx_bank_count_ - 1].allocate(buffers / kBuffersPerPage, parent().get());
    if (!made.ok()) {
      log("no more transmit buffers than {}: {}", tx_capacity_, lib::error_name(made.error()));
      tx_growth_failed_ = true;
      return false;
    }
    ++tx_bank_count_;
    tx_capacity_ += buffers;
    log("{} transmit buffers", tx_capacity_);  // at most three lines a start
    return true;
  }

  // Hands receive buffer i (0..kRxBuffers) to the device. False if the queue had no room.
  bool post_receive(size_t i) {
    const lib::virtio::Buffer b{buffer_phys(i), kBufferBytes, true};
    auto head = rx_.submit(&b, 1);
    if (!head.ok()) return false;
    rx_buffer_of_[head.value()] = static_cast<uint8_t>(i);
    return true;
  }

  void receive() {
    lib::virtio::Completion done{};
    bool posted = false;
    while (rx_.poll_used(done)) {
      const size_t i = rx_buffer_of_[done.head];
      // The device says how much it wrote (poll_used has refused lengths beyond the
      // buffer); one that cannot hold a header is dropped, as the port drops bad frames.
      if (done.length < kHeader) {
        ++port_.info().rx_dropped;
      } else {
        port_.received(buffer(i) + kHeader, done.length - kHeader);
      }
      posted |= post_receive(i);
    }
    port_.flush();
    if (posted && rx_.notify_needed()) device_.transport().notify(kRxQueue);
  }

  // One frame of a client's batch into a free transmit buffer; false if none is free.
  bool transmit(const uint8_t* frame, size_t length) override {
    if (!device_.ready()) return false;
    reclaim_transmitted();
    size_t i = 0;
    while (i < tx_capacity_ && tx_busy_[i]) ++i;
    if (i == tx_capacity_ && !grow_transmit_buffers()) return false;
    uint8_t* b = tx_buffer(i);
    __builtin_memset(b, 0, kHeader);
    __builtin_memcpy(b + kHeader, frame, length);
    const lib::virtio::Buffer chain{tx_buffer_phys(i), static_cast<uint32_t>(kHeader + length),
                                    false};
    auto head = tx_.submit(&chain, 1);
    if (!head.ok()) return false;
    tx_busy_[i] = true;
    tx_buffer_of_[head.value()] = static_cast<uint8_t>(i);
    return true;
  }

  void transmit_done() override {
    if (tx_.notify_needed()) device_.transport().notify(kTxQueue);
  }

  void reclaim_transmitted() {
    lib::virtio::Completion done{};
    while (tx_.poll_used(done)) tx_busy_[tx_buffer_of_[done.head]] = false;
  }

  drivers::VirtioDevice device_;
  lib::virtio::Queue rx_, tx_;
  // Which buffer each chain in flight uses, by the head submit returned.
  uint8_t rx_buffer_of_[lib::virtio::Queue::kMaxSize] = {};
  uint8_t tx_buffer_of_[lib::virtio::Queue::kMaxSize] = {};
  bool tx_busy_[kTxBuffers] = {};
  drivers::DmaPages tx_banks_[kTxBanks - 1];  // the banks after the first
  size_t tx_bank_count_ = 1;
  size_t tx_capacity_ = kTxBank[0];  // the buffers of the banks made
  bool tx_growth_failed_ = false;
  bool has_status_ = false;
  bool link_known_ = false;
};

STELLINA_COMPONENT(VirtioNet)
