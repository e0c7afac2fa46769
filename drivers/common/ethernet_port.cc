#include "drivers/common/ethernet_port.h"

namespace drivers {

namespace abi = stellina::abi;
using stellina::Bytes;
using stellina::Channel;

namespace {
constexpr size_t kHeader = sizeof(abi::EthernetBatch);
constexpr size_t kLength = sizeof(uint16_t);
}  // namespace

bool EthernetPort::add_client(Channel* ch) {
  for (Channel*& c : clients_) {
    if (c) continue;
    c = ch;
    return true;
  }
  return false;
}

void EthernetPort::remove_client(Channel& ch) {
  for (Channel*& c : clients_)
    if (c == &ch) c = nullptr;
}

void EthernetPort::on_data(Channel& ch, Bytes data, uint64_t call_id, Device& device) {
  abi::EthernetBatch batch{};
  if (data.size < kHeader) {
    ++info_.malformed;
    return;
  }
  __builtin_memcpy(&batch, data.data, kHeader);
  if (batch.op == abi::EthernetOp::Info) {
    uint8_t answer[kHeader + sizeof(abi::EthernetInfo)];
    const abi::EthernetBatch head{abi::EthernetOp::Info, 0};
    __builtin_memcpy(answer, &head, kHeader);
    __builtin_memcpy(answer + kHeader, &info_, sizeof(info_));
    ch.send(Bytes{answer, sizeof(answer)}, call_id);
    return;
  }
  if (batch.op != abi::EthernetOp::Frames) {
    ++info_.malformed;
    return;
  }
  const auto* bytes = static_cast<const uint8_t*>(data.data);
  size_t at = kHeader;
  bool sent = false;
  for (uint32_t i = 0; i < batch.count; ++i) {
    uint16_t length = 0;
    if (data.size - at < kLength) {
      ++info_.malformed;  // fewer frames than the count says
      break;
    }
    __builtin_memcpy(&length, bytes + at, kLength);
    at += kLength;
    if (length < abi::kEthernetMinFrame || length > abi::kEthernetMaxFrame ||
        data.size - at < length) {
      ++info_.malformed;
      break;
    }
    if (device.transmit(bytes + at, length)) {
      ++info_.tx_frames;
      sent = true;
    } else {
      ++info_.tx_dropped;
    }
    at += length;
  }
  if (sent) device.transmit_done();
}

void EthernetPort::received(const uint8_t* frame, size_t length) {
  if (length < abi::kEthernetMinFrame || length > abi::kEthernetMaxFrame) {
    ++info_.rx_dropped;
    return;
  }
  if (batch_size_ + kLength + length > sizeof(batch_)) flush();
  if (batch_size_ == 0) batch_size_ = kHeader;
  const auto n = static_cast<uint16_t>(length);
  __builtin_memcpy(batch_ + batch_size_, &n, kLength);
  __builtin_memcpy(batch_ + batch_size_ + kLength, frame, length);
  batch_size_ += kLength + length;
  ++batch_count_;
  ++info_.rx_frames;
}

void EthernetPort::flush() {
  if (batch_count_ == 0) return;
  const abi::EthernetBatch head{abi::EthernetOp::Frames, batch_count_};
  __builtin_memcpy(batch_, &head, kHeader);
  size_t clients = 0;
  for (Channel* c : clients_) {
    if (!c) continue;
    ++clients;
    if (c->send(Bytes{batch_, batch_size_}) != abi::kOk)
      info_.rx_dropped += batch_count_;  // that client's queue is full
  }
  if (clients == 0) info_.rx_dropped += batch_count_;
  batch_size_ = 0;
  batch_count_ = 0;
}

}  // namespace drivers
