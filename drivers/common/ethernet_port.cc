#include "drivers/common/ethernet_port.h"

namespace drivers {

namespace abi = stellina::abi;
using stellina::Bytes;
using stellina::Channel;

Channel** EthernetPort::free_client() {
  for (Channel*& c : clients_)
    if (!c) return &c;
  return nullptr;
}

void EthernetPort::on_data(Channel& ch, Bytes data, uint64_t call_id, Device& device) {
  auto opened = lib::EthernetBatchReader::open(data.data, data.size);
  if (!opened.ok()) {
    ++info_.malformed;
    return;
  }
  lib::EthernetBatchReader batch = opened.release_value();
  if (batch.op() == abi::EthernetOp::Info) {
    uint8_t answer[lib::kEthernetInfoMessage];
    auto size = lib::write_ethernet_info(answer, sizeof(answer), &info_);
    if (batch.has_info()) {
      ++info_.malformed;  // an answer is not a request
    } else if (size.ok()) {
      stellina::ignore(ch.send(Bytes{answer, size.value()}, call_id),
                       "a client that does not read asks again");
    }
    return;
  }
  bool sent = false;
  lib::EthernetFrame f{};
  while (batch.next(f)) {
    if (device.transmit(f.data, f.length)) {
      ++info_.tx_frames;
      sent = true;
    } else {
      ++info_.tx_dropped;
    }
  }
  if (sent) device.transmit_done();
}

void EthernetPort::received(const uint8_t* frame, size_t length) {
  if (!batch_.fits(length)) flush();
  if (batch_.add(frame, length).ok()) {
    ++info_.rx_frames;
  } else {
    ++info_.rx_dropped;
  }
}

void EthernetPort::flush() {
  if (batch_.empty()) return;
  size_t clients = 0;
  for (Channel* c : clients_) {
    if (!c) continue;
    ++clients;
    if (!c->send(Bytes{batch_.data(), batch_.size()}).ok())
      info_.rx_dropped += batch_.count();  // that client's queue is full
  }
  if (clients == 0) info_.rx_dropped += batch_.count();
  batch_.clear();
}

}  // namespace drivers
