// virtio-console: the driver of a virtio console device (virtio 1.x over virtio-mmio or
// virtio-pci), exporting the "console" service: a byte stream. A client's Data message is bytes to
// write to the console; the bytes that arrive from the console go to every connected client as Data
// messages. It drives port 0 only (receiveq 0 and transmitq 0): it does not negotiate
// VIRTIO_CONSOLE_F_MULTIPORT, so there are no control queues.
//
// Receiving: kRxBuffers buffers stay posted in the receive queue; each goes back to the
// device as soon as its bytes are passed on. Sending: client bytes wait in a FIFO
// (kPendingBytes) until one of kTxBuffers transmit buffers is free. What finds no room —
// bytes received while no client is connected or a client's queue is full, bytes to send
// that overflow the FIFO — is dropped and counted, as on a serial line without flow
// control; the counts are logged at most once a second.
#include <stellina/component.h>

#include <virtio-console_env.h>

#include "drivers/common/virtio_device.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;

class VirtioConsole final
    : public stellina::ComponentWith<stellina::components::virtio_console::Env> {
  static constexpr uint16_t kReceiveQueue = 0, kTransmitQueue = 1;  // port 0's (5.3.2)
  static constexpr uint16_t kRingSize = 16;
  // DMA pages: 0-1 the receive queue, 2-3 the transmit queue, then one page of buffers each.
  static constexpr size_t kRxPage = 4, kTxPage = 5, kDmaPages = 6;
  static constexpr uint32_t kBufferBytes = 512;
  static constexpr size_t kRxBuffers = drivers::kPage / kBufferBytes;
  static constexpr size_t kTxBuffers = drivers::kPage / kBufferBytes;
  static constexpr size_t kPendingBytes = 16384;
  static constexpr size_t kMaxClients = 8;
  static constexpr unsigned kFeatureSize = 0;  // VIRTIO_CONSOLE_F_SIZE: cols, rows in config
  static constexpr uint64_t kReportNs = 1'000'000'000;

  struct Slot {
    bool busy;
    uint16_t head;  // what the queue's submit returned
  };

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &parent()) return;  // the startup server has nothing to send here
    enqueue(static_cast<const uint8_t*>(data.data), data.size);
    transmit();
  }

  void on_connect(Channel ch) override {
    size_t i = 0;
    while (i < kMaxClients && clients_[i]) ++i;
    if (i == kMaxClients) {
      log("a client refused: {} are connected", kMaxClients);
      return;  // ch closes here
    }
    // The client's context is its entry in clients_, emptied when it leaves.
    auto client = listen(static_cast<Channel&&>(ch), &clients_[i]);
    if (client.ok()) clients_[i] = client.value();
  }

  void on_peer_closed(Channel& ch) override {
    if (Channel** entry = context_of<Channel*>(ch)) *entry = nullptr;
  }

  void on_interrupt() override {
    const uint32_t why = device_.transport().interrupt_status();  // acknowledges
    lib::virtio::Completion done{};
    bool reposted = false;
    while (rx_queue_.poll_used(done)) reposted |= received(done);
    while (tx_queue_.poll_used(done)) sent(done.head);
    if (why & lib::virtio::kInterruptConfigChange) read_size();
    const bool needs_reset = device_.transport().status() & lib::virtio::kStatusNeedsReset;
    if (rx_queue_.broken() || tx_queue_.broken() || needs_reset) {
      // A fresh start resets the device and sets it up again.
      log("the device broke its queues or asks for a reset; restarting");
      stop(1);
      return;
    }
    if (reposted && rx_queue_.notify_needed()) device_.transport().notify(kReceiveQueue);
    transmit();
    note_drops();
    if (!ack_interrupt().ok()) drivers::stop_driving(*this, "cannot acknowledge the interrupt");
  }

  void on_timer() override {
    report_armed_ = false;
    const uint64_t bad = rx_queue_.dropped() + tx_queue_.dropped();
    if (rx_dropped_ == rx_reported_ && tx_dropped_ == tx_reported_ && bad == bad_reported_) return;
    log("dropped so far: {} bytes received that no client took, {} bytes to send that found no "
        "room, {} used entries from the device that cannot be right",
        rx_dropped_, tx_dropped_, bad);
    rx_reported_ = rx_dropped_;
    tx_reported_ = tx_dropped_;
    bad_reported_ = bad;
  }

  void on_start() override {
    auto opened = device_.open(*this, env().device, kDmaPages);
    if (opened.ok()) {
      auto ready = lib::virtio::initialize(
          device_.transport(), lib::virtio::feature(kFeatureSize),
          [&](uint64_t) -> lib::Result<void> {
            TRY(lib::virtio::setup_queue(device_.transport(), kReceiveQueue, rx_queue_,
                                         device_.queue_memory(0), kRingSize, false));
            TRY(lib::virtio::setup_queue(device_.transport(), kTransmitQueue, tx_queue_,
                                         device_.queue_memory(2), kRingSize, false));
            return {};
          });
      if (ready.ok()) {
        has_size_ = ready.value() & lib::virtio::feature(kFeatureSize);
      } else {
        opened = ready.error();
      }
    }
    if (!opened.ok()) {
      log("cannot drive the device: {}", lib::error_name(opened.error()));
      stop(1);
      return;
    }
    if (!watch_interrupt(env().device.interrupt).ok()) {
      return drivers::stop_driving(*this, "cannot watch the interrupt");
    }
    // Buffers go in after DRIVER_OK: the device may not be notified before (3.1.1).
    size_t posted = 0;
    for (size_t i = 0; i < kRxBuffers; ++i) posted += post_receive(i) ? 1 : 0;
    if (rx_queue_.notify_needed()) device_.transport().notify(kReceiveQueue);
    log("port 0 ready, {} receive buffers of {} bytes", posted, kBufferBytes);
    read_size();
    transmit();  // what clients sent before the device was up
  }

  void read_size() {
    if (!has_size_) return;
    auto cols = lib::virtio::read_config(device_.transport(), 0, 2);
    auto rows = lib::virtio::read_config(device_.transport(), 2, 2);
    if (cols.ok() && rows.ok()) log("console size {}x{}", cols.value(), rows.value());
  }

  bool post_receive(size_t i) {
    const lib::virtio::Buffer b{device_.page_phys(kRxPage) + i * kBufferBytes, kBufferBytes, true};
    auto head = rx_queue_.submit(&b, 1);
    rx_[i] = Slot{head.ok(), head.ok() ? head.value() : uint16_t{0}};
    return head.ok();
  }

  // Passes the bytes of a finished receive buffer on and posts the buffer again. Returns
  // whether it was posted.
  bool received(const lib::virtio::Completion& done) {
    size_t i = 0;
    while (i < kRxBuffers && !(rx_[i].busy && rx_[i].head == done.head)) ++i;
    if (i == kRxBuffers) return false;  // poll_used only returns chains in flight: not reached
    rx_[i].busy = false;
    // poll_used has checked the length against the buffer; this keeps the copy in bounds
    // whatever the queue's checks become.
    const uint32_t length = done.length < kBufferBytes ? done.length : kBufferBytes;
    if (length > 0) {
      const Bytes bytes{device_.page(kRxPage) + i * kBufferBytes, length};
      if (!has_client()) rx_dropped_ += length;
      for (Channel* c : clients_)
        if (c && !c->send(bytes).ok()) rx_dropped_ += length;  // its queue is full
    }
    return post_receive(i);
  }

  void sent(uint16_t head) {
    for (Slot& s : tx_)
      if (s.busy && s.head == head) s.busy = false;
  }

  bool has_client() const {
    for (const Channel* c : clients_)
      if (c) return true;
    return false;
  }

  // Appends to the FIFO what fits; the rest is dropped.
  void enqueue(const uint8_t* p, size_t n) {
    const size_t room = kPendingBytes - pending_count_;
    const size_t take = n < room ? n : room;
    for (size_t k = 0; k < take; ++k)
      pending_[(pending_start_ + pending_count_ + k) % kPendingBytes] = p[k];
    pending_count_ += take;
    tx_dropped_ += n - take;
    note_drops();
  }

  // Moves bytes from the FIFO into free transmit buffers and tells the device.
  void transmit() {
    if (tx_queue_.size() == 0) return;  // not set up yet
    bool submitted = false;
    for (size_t i = 0; i < kTxBuffers && pending_count_ > 0; ++i) {
      if (tx_[i].busy) continue;
      const size_t n = pending_count_ < kBufferBytes ? pending_count_ : kBufferBytes;
      uint8_t* buffer = device_.page(kTxPage) + i * kBufferBytes;
      for (size_t k = 0; k < n; ++k) buffer[k] = pending_[(pending_start_ + k) % kPendingBytes];
      const lib::virtio::Buffer b{device_.page_phys(kTxPage) + i * kBufferBytes,
                                  static_cast<uint32_t>(n), false};
      auto head = tx_queue_.submit(&b, 1);
      if (!head.ok()) break;  // the ring is full: the bytes stay in the FIFO
      tx_[i] = Slot{true, head.value()};
      pending_start_ = (pending_start_ + n) % kPendingBytes;
      pending_count_ -= n;
      submitted = true;
    }
    if (submitted && tx_queue_.notify_needed()) device_.transport().notify(kTransmitQueue);
  }

  // Arms the once-a-second report if something was dropped since the last one.
  void note_drops() {
    if (report_armed_) return;
    const uint64_t bad = rx_queue_.dropped() + tx_queue_.dropped();
    if (rx_dropped_ == rx_reported_ && tx_dropped_ == tx_reported_ && bad == bad_reported_) return;
    report_armed_ = set_timer(sys::clock_now() + kReportNs).ok();
  }

  drivers::VirtioDevice device_;
  lib::virtio::Queue rx_queue_, tx_queue_;
  Slot rx_[kRxBuffers] = {};
  Slot tx_[kTxBuffers] = {};
  Channel* clients_[kMaxClients] = {};
  uint8_t pending_[kPendingBytes] = {};
  size_t pending_start_ = 0, pending_count_ = 0;
  bool has_size_ = false;
  bool report_armed_ = false;
  uint64_t rx_dropped_ = 0, tx_dropped_ = 0;
  uint64_t rx_reported_ = 0, tx_reported_ = 0, bad_reported_ = 0;
};

STELLINA_COMPONENT(VirtioConsole)
