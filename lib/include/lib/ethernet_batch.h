#pragma once
// Reading and writing the Ethernet service's batches (abi/stellina/ethernet.h) in place, for
// the network drivers and their clients. The reader checks a whole batch when it is opened,
// so a batch is either taken whole or refused whole, and iterating cannot fail; the writer
// packs frames into a message buffer until it is full. Header-only and allocation-free.

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>
#include <stellina/ethernet.h>

namespace lib {

// One frame of a batch: it points into the message it was read from.
struct EthernetFrame {
  const uint8_t* data;
  uint16_t length;
};

// The bytes of an Info answer: the batch header and an EthernetInfo.
constexpr size_t kEthernetInfoMessage =
    sizeof(stellina::abi::EthernetBatch) + sizeof(stellina::abi::EthernetInfo);

class EthernetBatchReader {
 public:
  using Op = stellina::abi::EthernetOp;

  // Checks the message at data[0..size). A Frames batch must hold exactly `count` frames
  // and nothing after them; an Info batch has count 0 and is either a request (nothing
  // after the header) or an answer (an EthernetInfo after it). Errors: InvalidArgument
  // (shorter than the header, an unknown op, a count that the bytes do not hold, bytes left
  // over, an Info batch with a count or a payload of the wrong size), OutOfRange (a frame
  // shorter than kEthernetMinFrame or longer than kEthernetMaxFrame).
  static Result<EthernetBatchReader> open(const void* data, size_t size) {
    stellina::abi::EthernetBatch header{};
    if (size < sizeof(header)) return Error::InvalidArgument;
    __builtin_memcpy(&header, data, sizeof(header));
    const auto* bytes = static_cast<const uint8_t*>(data) + sizeof(header);
    const size_t rest = size - sizeof(header);
    if (header.op == Op::Info) {
      if (header.count != 0 || (rest != 0 && rest != sizeof(stellina::abi::EthernetInfo)))
        return Error::InvalidArgument;
      return EthernetBatchReader(header, bytes, rest);
    }
    if (header.op != Op::Frames) return Error::InvalidArgument;
    size_t at = 0;
    for (uint32_t i = 0; i < header.count; ++i) {
      uint16_t length = 0;
      if (rest - at < sizeof(length)) return Error::InvalidArgument;
      __builtin_memcpy(&length, bytes + at, sizeof(length));
      at += sizeof(length);
      if (length < stellina::abi::kEthernetMinFrame || length > stellina::abi::kEthernetMaxFrame)
        return Error::OutOfRange;
      if (rest - at < length) return Error::InvalidArgument;
      at += length;
    }
    if (at != rest) return Error::InvalidArgument;
    return EthernetBatchReader(header, bytes, rest);
  }

  Op op() const { return op_; }
  uint32_t count() const { return count_; }
  // Info: whether this is an answer (an EthernetInfo follows), and the EthernetInfo.
  bool has_info() const { return op_ == Op::Info && size_ != 0; }
  stellina::abi::EthernetInfo info() const {
    stellina::abi::EthernetInfo i{};
    if (has_info()) __builtin_memcpy(&i, bytes_, sizeof(i));
    return i;
  }

  // Frames: the next frame, in order; false after the last.
  bool next(EthernetFrame& out) {
    if (op_ != Op::Frames || taken_ == count_) return false;
    uint16_t length = 0;
    __builtin_memcpy(&length, bytes_ + at_, sizeof(length));
    out = {bytes_ + at_ + sizeof(length), length};
    at_ += sizeof(length) + length;
    ++taken_;
    return true;
  }

 private:
  EthernetBatchReader(const stellina::abi::EthernetBatch& header, const uint8_t* bytes, size_t size)
      : op_(header.op), count_(header.count), bytes_(bytes), size_(size) {}

  Op op_;
  uint32_t count_;
  const uint8_t* bytes_;  // after the header
  size_t size_;
  size_t at_ = 0;
  uint32_t taken_ = 0;
};

// Packs frames into a Frames batch in a buffer of N bytes (normally abi::kMaxMessageData):
// data() and size() are the message to send.
class EthernetBatchWriter {
 public:
  template <size_t N>
  explicit EthernetBatchWriter(uint8_t (&buffer)[N]) : buffer_(buffer), capacity_(N) {
    static_assert(N >= sizeof(stellina::abi::EthernetBatch), "no room for the batch header");
    clear();
  }

  // Starts again with an empty batch.
  void clear() {
    size_ = sizeof(stellina::abi::EthernetBatch);
    count_ = 0;
    write_header();
  }

  const uint8_t* data() const { return buffer_; }
  size_t size() const { return size_; }
  uint32_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Whether a frame of `length` bytes still fits (send the batch and clear it if not).
  bool fits(size_t length) const { return capacity_ - size_ >= sizeof(uint16_t) + length; }

  // Appends a frame. Errors: OutOfRange (shorter than kEthernetMinFrame or longer than
  // kEthernetMaxFrame), NoResources (it does not fit).
  Result<void> add(const void* frame, size_t length) {
    if (length < stellina::abi::kEthernetMinFrame || length > stellina::abi::kEthernetMaxFrame)
      return Error::OutOfRange;
    if (!fits(length)) return Error::NoResources;
    const auto length16 = static_cast<uint16_t>(length);
    __builtin_memcpy(buffer_ + size_, &length16, sizeof(length16));
    __builtin_memcpy(buffer_ + size_ + sizeof(length16), frame, length);
    size_ += sizeof(length16) + length;
    ++count_;
    write_header();
    return {};
  }

 private:
  void write_header() {
    const stellina::abi::EthernetBatch header{stellina::abi::EthernetOp::Frames, count_};
    __builtin_memcpy(buffer_, &header, sizeof(header));
  }

  uint8_t* buffer_;
  size_t capacity_;
  size_t size_ = 0;
  uint32_t count_ = 0;
};

// Writes an Info request (info null: the header alone) or answer (the header and *info)
// into out[0..capacity) and returns its size. Errors: BufferTooSmall.
inline Result<size_t> write_ethernet_info(void* out, size_t capacity,
                                          const stellina::abi::EthernetInfo* info) {
  const stellina::abi::EthernetBatch header{stellina::abi::EthernetOp::Info, 0};
  const size_t size = info ? kEthernetInfoMessage : sizeof(header);
  if (capacity < size) return Error::BufferTooSmall;
  __builtin_memcpy(out, &header, sizeof(header));
  if (info) __builtin_memcpy(static_cast<uint8_t*>(out) + sizeof(header), info, sizeof(*info));
  return size;
}

}  // namespace lib
