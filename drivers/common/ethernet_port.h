#pragma once
// The service side of a network driver: the Ethernet service of abi/stellina/ethernet.h.
// It keeps the clients, reads their Frames batches and hands each frame to the driver, packs
// received frames into batches for every client, answers Info and keeps the counters. The
// driver only moves frames between the device and these calls.

#include <stellina/component.h>
#include <stellina/ethernet.h>

#include <lib/ethernet_batch.h>

namespace drivers {

class EthernetPort {
 public:
  static constexpr size_t kMaxClients = 8;

  // What the driver does with the frames of one batch: transmit() each (false when the
  // device has no room: the frame is dropped and counted), then transmit_done() once.
  class Device {
   public:
    virtual bool transmit(const uint8_t* frame, size_t length) = 0;
    virtual void transmit_done() = 0;

   protected:
    ~Device() = default;
  };

  // Where a new client is kept (the component listens on its channel and stores it there,
  // null again once it leaves), or null if there are kMaxClients already.
  stellina::Channel** free_client();
  // A Data message from a client: a Frames batch to transmit, or Info. A batch that does
  // not parse is dropped whole and counted once.
  void on_data(stellina::Channel& ch, stellina::Bytes data, uint64_t call_id, Device& device);
  // A frame from the device: kept for the next batch (sent when it is full, or at flush).
  // A length that cannot be a frame is dropped and counted.
  void received(const uint8_t* frame, size_t length);
  // Sends the pending batch to every client.
  void flush();

  stellina::abi::EthernetInfo& info() { return info_; }

 private:
  stellina::Channel* clients_[kMaxClients] = {};
  stellina::abi::EthernetInfo info_ = {};
  uint8_t message_[stellina::abi::kMaxMessageData] = {};
  lib::EthernetBatchWriter batch_{message_};  // received frames not yet sent
};

// A network driver's component (Env: its typed environment, with the device): the Ethernet
// service on its channels through port_, and the device it is bound to given to
// start_device at start. A driver adds how it starts and moves frames.
template <typename Env>
class NetworkDriver : public stellina::ComponentWith<Env>, public EthernetPort::Device {
 protected:
  virtual void start_device(const stellina::Device& device) = 0;

  EthernetPort port_;  // the clients, their batches, the counters

 private:
  void on_start() final { start_device(this->env().device); }
  void on_data(stellina::Channel& ch, stellina::Bytes data) final {
    if (&ch == &this->parent()) return;  // the startup server has nothing to send here
    port_.on_data(ch, data, this->call_id(), *this);
  }
  void on_connect(stellina::Channel ch) final {
    stellina::Channel** entry = port_.free_client();
    if (!entry) return this->log("a client refused: too many");  // ch closes here
    // The client's context is its entry in the port, emptied when it leaves.
    auto client = this->listen(static_cast<stellina::Channel&&>(ch), entry);
    if (client.ok()) *entry = client.value();
  }
  void on_peer_closed(stellina::Channel& ch) final {
    if (auto** entry = this->template context_of<stellina::Channel*>(ch)) *entry = nullptr;
  }
};

}  // namespace drivers
