// virtio-blk: the driver of a virtio block device (virtio 1.x over virtio-mmio or
// virtio-pci), exporting the block service of abi/stellina/block.h. Up to kSlots requests are
// in the device at once, each with its own DMA page: the request header, the status byte and
// up to kBlockMaxSectors sectors of data. Answers go back as the device finishes them.
#include <stellina/block.h>
#include <stellina/component.h>

#include "drivers/common/virtio_device.h"

namespace abi = stellina::abi;
using stellina::Bytes;
using stellina::Channel;

class VirtioBlk final : public stellina::Component {
  static constexpr size_t kSlots = 8;
  static constexpr size_t kFirstSlotPage = 2;  // after the queue's two pages
  static constexpr uint32_t kDataOffset = 512;
  static constexpr unsigned kFeatureReadOnly = 5, kFeatureFlush = 9;
  // The request header (5.2.6).
  struct Header {
    uint32_t type;  // 0 in (read), 1 out (write), 4 flush
    uint32_t reserved;
    uint64_t sector;
  };
  struct Slot {
    bool busy;
    uint16_t head;
    Channel* client;
    uint64_t call_id;
    abi::BlockOp op;
    uint32_t bytes;
  };

  void on_data(Channel& ch, Bytes data) override {
    if (ch.get() == startup_handle(1)) {  // the device line
      if (!device_.ready()) start_device(static_cast<const char*>(data.data), data.size);
      return;
    }
    abi::BlockRequest r{};
    if (data.size < sizeof(r)) return reply(ch, call_id(), abi::kErrInvalidArgument, nullptr, 0);
    __builtin_memcpy(&r, data.data, sizeof(r));
    const size_t payload = data.size - sizeof(r);
    if (r.op == abi::BlockOp::Info) return reply(ch, call_id(), abi::kOk, nullptr, 0, capacity_);
    if (!device_.ready()) return reply(ch, call_id(), abi::kErrWouldBlock, nullptr, 0);
    const bool io = r.op == abi::BlockOp::Read || r.op == abi::BlockOp::Write;
    const bool bad =
        (io && (r.count == 0 || r.count > abi::kBlockMaxSectors || r.sector >= capacity_ ||
                r.count > capacity_ - r.sector)) ||
        (r.op == abi::BlockOp::Write && payload != size_t{r.count} * abi::kSectorSize) ||
        (!io && r.op != abi::BlockOp::Flush);
    if (bad) return reply(ch, call_id(), abi::kErrInvalidArgument, nullptr, 0);
    if (r.op == abi::BlockOp::Write && read_only_)
      return reply(ch, call_id(), abi::kErrNotSupported, nullptr, 0);
    if (r.op == abi::BlockOp::Flush && !flush_)
      return reply(ch, call_id(), abi::kOk, nullptr, 0);  // no write cache to flush
    submit(ch, r, static_cast<const uint8_t*>(data.data) + sizeof(r));
  }

  void on_connect(Channel ch) override { listen(static_cast<Channel&&>(ch)); }

  void on_peer_closed(Channel& ch) override {
    for (Slot& s : slots_)
      if (s.busy && s.client == &ch) s.client = nullptr;  // answer dropped when it comes
  }

  void on_interrupt() override {
    device_.transport().interrupt_status();  // acknowledges
    lib::virtio::Completion done{};
    while (queue_.poll_used(done)) complete(done.head);
    ack_interrupt();
  }

  void start_device(const char* line, size_t size) {
    uint64_t features = 0;
    auto opened = device_.open(*this, line, size, kFirstSlotPage + kSlots);
    if (opened.ok()) {
      const uint64_t wanted =
          lib::virtio::feature(kFeatureReadOnly) | lib::virtio::feature(kFeatureFlush);
      auto ready =
          lib::virtio::initialize(device_.transport(), wanted, [&](uint64_t) -> lib::Result<void> {
            TRY(lib::virtio::setup_queue(device_.transport(), 0, queue_, device_.queue_memory(0),
                                         16, false));
            return {};
          });
      if (ready.ok()) {
        features = ready.value();
      } else {
        opened = ready.error();
      }
    }
    auto capacity = opened.ok() ? lib::virtio::read_config(device_.transport(), 0, 8)
                                : lib::Result<uint64_t>(opened.error());
    if (!capacity.ok()) {
      log("cannot drive the device: {}", lib::error_name(capacity.error()));
      stop(1);
      return;
    }
    capacity_ = capacity.value();
    read_only_ = features & lib::virtio::feature(kFeatureReadOnly);
    flush_ = features & lib::virtio::feature(kFeatureFlush);
    watch_interrupt(startup_handle(4));
    log("disk of {} sectors ({} KiB){}{}", capacity_, capacity_ / 2,
        read_only_ ? ", read-only" : "", flush_ ? ", write cache" : "");
  }

  void submit(Channel& ch, const abi::BlockRequest& r, const uint8_t* payload) {
    size_t i = 0;
    while (i < kSlots && slots_[i].busy) ++i;
    if (i == kSlots) return reply(ch, call_id(), abi::kErrWouldBlock, nullptr, 0);
    uint8_t* page = device_.page(kFirstSlotPage + i);
    const uint64_t phys = device_.page_phys(kFirstSlotPage + i);
    const uint32_t bytes = r.op == abi::BlockOp::Flush ? 0 : r.count * abi::kSectorSize;
    const Header h{r.op == abi::BlockOp::Read    ? 0u
                   : r.op == abi::BlockOp::Write ? 1u
                                                 : 4u,
                   0, r.sector};
    __builtin_memcpy(page, &h, sizeof(h));
    page[sizeof(h)] = 0xff;  // the status byte, written by the device
    if (r.op == abi::BlockOp::Write) __builtin_memcpy(page + kDataOffset, payload, bytes);
    lib::virtio::Buffer chain[3] = {{phys, sizeof(h), false}};
    size_t n = 1;
    if (bytes) chain[n++] = {phys + kDataOffset, bytes, r.op == abi::BlockOp::Read};
    chain[n++] = {phys + sizeof(h), 1, true};
    auto head = queue_.submit(chain, n);
    if (!head.ok()) return reply(ch, call_id(), abi::kErrWouldBlock, nullptr, 0);
    slots_[i] = Slot{true, head.value(), &ch, call_id(), r.op, bytes};
    if (queue_.notify_needed()) device_.transport().notify(0);
  }

  void complete(uint16_t head) {
    for (size_t i = 0; i < kSlots; ++i) {
      Slot& s = slots_[i];
      if (!s.busy || s.head != head) continue;
      s.busy = false;
      const uint8_t* page = device_.page(kFirstSlotPage + i);
      const uint8_t status = page[sizeof(Header)];
      const int64_t result = status == 0   ? abi::kOk
                             : status == 2 ? abi::kErrNotSupported
                                           : abi::kErrFault;
      if (!s.client) return;
      const bool read = s.op == abi::BlockOp::Read && result == abi::kOk;
      reply(*s.client, s.call_id, result, read ? page + kDataOffset : nullptr, read ? s.bytes : 0);
      return;
    }
  }

  void reply(Channel& ch, uint64_t call_id, int64_t status, const uint8_t* data, size_t size,
             uint64_t value = 0) {
    static uint8_t message[abi::kMaxMessageData];
    const abi::BlockReply r{status, value};
    __builtin_memcpy(message, &r, sizeof(r));
    if (data) __builtin_memcpy(message + sizeof(r), data, size);
    ch.send(abi::MessageKind::Data, Bytes{message, sizeof(r) + size}, call_id, nullptr, 0);
  }

  drivers::VirtioDevice device_;
  lib::virtio::Queue queue_;
  Slot slots_[kSlots] = {};
  uint64_t capacity_ = 0;
  bool read_only_ = false;
  bool flush_ = false;
};

STELLINA_COMPONENT(VirtioBlk)
