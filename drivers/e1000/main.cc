// e1000: the driver of an Intel 82540EM Ethernet controller on PCI, exporting the Ethernet
// service (abi/stellina/ethernet.h, through drivers::EthernetPort). It is given the
// function's configuration space, its INTx line and BAR 0 (the registers). Receive and
// transmit use the legacy descriptor rings: 32 descriptors each, with a 2 KiB DMA buffer per
// descriptor. Register offsets and bits are those of Intel's PCI/PCI-X Family of Gigabit
// Ethernet Controllers Software Developer's Manual (8254x).
#include <stellina/component.h>

#include <e1000_env.h>

#include "drivers/common/device.h"
#include "drivers/common/ethernet_port.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;

namespace {

// Registers (byte offsets in BAR 0).
enum Reg : size_t {
  kCtrl = 0x0000,
  kStatus = 0x0008,
  kEerd = 0x0014,
  kIcr = 0x00c0,
  kIms = 0x00d0,
  kImc = 0x00d8,
  kRctl = 0x0100,
  kTctl = 0x0400,
  kTipg = 0x0410,
  kRdbal = 0x2800,
  kRdbah = 0x2804,
  kRdlen = 0x2808,
  kRdh = 0x2810,
  kRdt = 0x2818,
  kTdbal = 0x3800,
  kTdbah = 0x3804,
  kTdlen = 0x3808,
  kTdh = 0x3810,
  kTdt = 0x3818,
  kMta = 0x5200,  // 128 entries
  kRal = 0x5400,
  kRah = 0x5404,
};

constexpr uint32_t kCtrlAsde = 1u << 5, kCtrlSlu = 1u << 6, kCtrlReset = 1u << 26;
constexpr uint32_t kStatusLinkUp = 1u << 1;
constexpr uint32_t kEerdStart = 1u << 0, kEerdDone = 1u << 4;
constexpr uint32_t kRctlEnable = 1u << 1, kRctlBroadcast = 1u << 15, kRctlStripCrc = 1u << 26;
constexpr uint32_t kTctlEnable = 1u << 1, kTctlPadShort = 1u << 3;
constexpr uint32_t kTctlCollisionThreshold = 0x10u << 4, kTctlCollisionDistance = 0x40u << 12;
constexpr uint32_t kTipgCopper = 10u | 8u << 10 | 6u << 20;
constexpr uint32_t kRahValid = 1u << 31;
// Interrupt causes: transmit written back, link status change, receive ring low, receive
// overrun, receive timer (a frame arrived).
constexpr uint32_t kIntTxDone = 1u << 0, kIntLink = 1u << 2, kIntRxLow = 1u << 4,
                   kIntRxOverrun = 1u << 6, kIntRx = 1u << 7;

struct RxDescriptor {
  uint64_t buffer;
  uint16_t length;
  uint16_t checksum;
  uint8_t status;  // bit 0: descriptor done, bit 1: end of packet
  uint8_t errors;
  uint16_t special;
};
struct TxDescriptor {
  uint64_t buffer;
  uint16_t length;
  uint8_t cso;
  uint8_t command;  // bit 0: end of packet, bit 1: insert FCS, bit 3: report status
  uint8_t status;   // bit 0: descriptor done
  uint8_t css;
  uint16_t special;
};
static_assert(sizeof(RxDescriptor) == 16 && sizeof(TxDescriptor) == 16);
constexpr uint8_t kDescriptorDone = 1u << 0, kEndOfPacket = 1u << 1;
constexpr uint8_t kTxEop = 1u << 0, kTxInsertFcs = 1u << 1, kTxReportStatus = 1u << 3;

constexpr size_t kRing = 32;  // descriptors per ring (a multiple of 8: 128-byte lengths)
constexpr size_t kBuffer = 2048, kBuffersPerPage = drivers::kPage / kBuffer;
// DMA pages: the receive ring, the transmit ring, then the buffers.
constexpr size_t kRxRingPage = 0, kTxRingPage = 1, kRxBuffers = 2,
                 kTxBuffers = kRxBuffers + kRing / kBuffersPerPage,
                 kDmaPages = kTxBuffers + kRing / kBuffersPerPage;

}  // namespace

class E1000 final : public drivers::NetworkDriver<stellina::components::e1000::Env> {
  void on_interrupt() override {
    const uint32_t causes = regs_.read(kIcr);  // reading clears them (and the line)
    if (causes & (kIntRx | kIntRxLow | kIntRxOverrun)) receive();
    if (causes & kIntTxDone) reclaim();
    if (causes & kIntLink) update_link();
    if (!ack_interrupt().ok()) drivers::stop_driving(*this, "cannot acknowledge the interrupt");
  }

  void start_device(const stellina::Device& device) override {
    auto opened = pci_.open(device);
    if (opened.ok()) opened = dma_.allocate(kDmaPages, parent().get());
    if (!opened.ok() || pci_.bar(0).size() < kRal + 8) {
      log("cannot drive the device: {}",
          opened.ok() ? "no register BAR" : lib::error_name(opened.error()));
      stop(1);
      return;
    }
    regs_ = pci_.bar(0);
    (void)pci_.enable();  // INTx: the 82540EM has no MSI-X
    if (!reset()) {
      log("the device did not come out of reset");
      stop(1);
      return;
    }
    read_mac();
    setup_rings();
    if (!watch_interrupt(device.interrupt).ok())
      return drivers::stop_driving(*this, "cannot watch the interrupt");
    regs_.write(kIms, kIntRx | kIntRxLow | kIntRxOverrun | kIntTxDone | kIntLink);
    update_link();
    const uint8_t* m = port_.info().mac;
    log("MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, link {}", m[0], m[1], m[2], m[3], m[4],
        m[5], port_.info().link_up ? "up" : "down");
  }

  // A full reset clears every register and stops DMA, whatever an earlier run of the driver
  // left behind.
  bool reset() {
    regs_.write(kImc, ~0u);
    regs_.write(kCtrl, regs_.read(kCtrl) | kCtrlReset);
    for (int i = 0; i < 100000; ++i) {
      if (!(regs_.read(kCtrl) & kCtrlReset)) {
        regs_.write(kImc, ~0u);
        (void)regs_.read(kIcr);
        regs_.write(kCtrl, regs_.read(kCtrl) | kCtrlSlu | kCtrlAsde);
        return true;
      }
    }
    return false;
  }

  // The station address: EEPROM words 0..2, or what the receive address register holds if
  // the EEPROM does not answer.
  void read_mac() {
    uint8_t* mac = port_.info().mac;
    for (size_t word = 0; word < 3; ++word) {
      regs_.write(kEerd, static_cast<uint32_t>(word << 8) | kEerdStart);
      uint32_t v = 0;
      for (int i = 0; i < 10000 && !(v & kEerdDone); ++i) v = regs_.read(kEerd);
      if (!(v & kEerdDone)) {
        const uint32_t low = regs_.read(kRal), high = regs_.read(kRah);
        for (int b = 0; b < 4; ++b) mac[b] = static_cast<uint8_t>(low >> (8 * b));
        mac[4] = static_cast<uint8_t>(high);
        mac[5] = static_cast<uint8_t>(high >> 8);
        break;
      }
      mac[2 * word] = static_cast<uint8_t>(v >> 16);
      mac[2 * word + 1] = static_cast<uint8_t>(v >> 24);
    }
    port_.info().mtu = 1500;
    regs_.write(kRal, uint32_t{mac[0]} | uint32_t{mac[1]} << 8 | uint32_t{mac[2]} << 16 |
                          uint32_t{mac[3]} << 24);
    regs_.write(kRah, uint32_t{mac[4]} | uint32_t{mac[5]} << 8 | kRahValid);
  }

  void setup_rings() {
    for (size_t i = 0; i < 128; ++i) regs_.write(kMta + 4 * i, 0u);
    auto* rx = reinterpret_cast<RxDescriptor*>(dma_.page(kRxRingPage));
    auto* tx = reinterpret_cast<TxDescriptor*>(dma_.page(kTxRingPage));
    for (size_t i = 0; i < kRing; ++i) {
      rx[i] = RxDescriptor{buffer_phys(kRxBuffers, i), 0, 0, 0, 0, 0};
      tx[i] = TxDescriptor{};
    }
    drivers::dma_barrier();
    const uint64_t rx_phys = dma_.physical(kRxRingPage), tx_phys = dma_.physical(kTxRingPage);
    regs_.write(kRdbal, static_cast<uint32_t>(rx_phys));
    regs_.write(kRdbah, static_cast<uint32_t>(rx_phys >> 32));
    regs_.write(kRdlen, static_cast<uint32_t>(kRing * sizeof(RxDescriptor)));
    regs_.write(kRdh, 0u);
    regs_.write(kRdt, static_cast<uint32_t>(kRing - 1));  // all but one for the device
    rx_next_ = 0;
    regs_.write(kTdbal, static_cast<uint32_t>(tx_phys));
    regs_.write(kTdbah, static_cast<uint32_t>(tx_phys >> 32));
    regs_.write(kTdlen, static_cast<uint32_t>(kRing * sizeof(TxDescriptor)));
    regs_.write(kTdh, 0u);
    regs_.write(kTdt, 0u);
    tx_tail_ = tx_clean_ = 0;
    regs_.write(kTipg, kTipgCopper);
    regs_.write(kTctl,
                kTctlEnable | kTctlPadShort | kTctlCollisionThreshold | kTctlCollisionDistance);
    // 2 KiB buffers (size bits 0), broadcast accepted, the CRC stripped.
    regs_.write(kRctl, kRctlEnable | kRctlBroadcast | kRctlStripCrc);
  }

  void update_link() { port_.info().link_up = regs_.read(kStatus) & kStatusLinkUp ? 1 : 0; }

  // Every frame the device has written, in ring order; each descriptor goes back to it.
  void receive() {
    auto* rx = rx_ring();
    for (size_t n = 0; n < kRing; ++n) {
      volatile RxDescriptor& d = rx[rx_next_];
      if (!(d.status & kDescriptorDone)) break;
      const uint16_t length = d.length;
      // A frame spread over several buffers is longer than any frame we accept (2 KiB
      // buffers, no long-packet mode): dropped, as are frames with errors.
      drivers::dma_barrier();  // the status before the data
      if ((d.status & kEndOfPacket) && d.errors == 0 && length <= kBuffer) {
        port_.received(buffer(kRxBuffers, rx_next_), length);
      } else {
        ++port_.info().rx_dropped;
      }
      d.status = 0;
      regs_.write(kRdt, static_cast<uint32_t>(rx_next_));
      rx_next_ = (rx_next_ + 1) % kRing;
    }
    port_.flush();
  }

  // Transmit descriptors the device is done with.
  void reclaim() {
    auto* tx = tx_ring();
    while (tx_clean_ != tx_tail_ && (tx[tx_clean_].status & kDescriptorDone))
      tx_clean_ = (tx_clean_ + 1) % kRing;
  }

  bool transmit(const uint8_t* frame, size_t length) override {
    reclaim();
    const size_t next = (tx_tail_ + 1) % kRing;
    if (next == tx_clean_) return false;  // the ring is full
    __builtin_memcpy(buffer(kTxBuffers, tx_tail_), frame, length);
    volatile TxDescriptor& d = tx_ring()[tx_tail_];
    d.buffer = buffer_phys(kTxBuffers, tx_tail_);
    d.length = static_cast<uint16_t>(length);
    d.status = 0;
    d.command = kTxEop | kTxInsertFcs | kTxReportStatus;
    tx_tail_ = next;
    return true;
  }

  void transmit_done() override {
    drivers::dma_barrier();  // buffers and descriptors before the tail moves
    regs_.write(kTdt, static_cast<uint32_t>(tx_tail_));
  }

  volatile RxDescriptor* rx_ring() const {
    return reinterpret_cast<volatile RxDescriptor*>(dma_.page(kRxRingPage));
  }
  volatile TxDescriptor* tx_ring() const {
    return reinterpret_cast<volatile TxDescriptor*>(dma_.page(kTxRingPage));
  }
  uint8_t* buffer(size_t first_page, size_t i) const {
    return dma_.page(first_page + i / kBuffersPerPage) + (i % kBuffersPerPage) * kBuffer;
  }
  uint64_t buffer_phys(size_t first_page, size_t i) const {
    return dma_.physical(first_page + i / kBuffersPerPage) + (i % kBuffersPerPage) * kBuffer;
  }

  drivers::PciFunction pci_;
  drivers::Mmio regs_;
  drivers::DmaPages dma_;
  size_t rx_next_ = 0;   // the next receive descriptor the device fills
  size_t tx_tail_ = 0;   // the next transmit descriptor to fill
  size_t tx_clean_ = 0;  // the oldest transmit descriptor not yet done
};

STELLINA_COMPONENT(E1000)
