// virtio-blk: the driver of a virtio block device (virtio 1.x over virtio-mmio or
// virtio-pci), exporting the block service of abi/stellina/block.h. Up to kSlots requests are
// in the device at once, each with its own DMA page for the request header, the status byte
// and, inline, up to kBlockMaxSectors sectors of data. Bulk requests instead point the device
// at the pages of the folio the client attached: one descriptor per run of physically
// adjacent pages. Answers go back as the device finishes them.
#include <stellina/block.h>
#include <stellina/component.h>

#include <virtio-blk_env.h>

#include "drivers/common/virtio_device.h"

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;
using stellina::OwnedHandle;

class VirtioBlk final : public stellina::ComponentWith<stellina::components::virtio_blk::Env> {
  static constexpr size_t kSlots = 8;
  static constexpr size_t kFirstSlotPage = 2;  // after the queue's two pages
  static constexpr uint32_t kDataOffset = 512;
  static constexpr uint16_t kQueueSize = 256;  // room for kSlots chains of kMaxChain
  static constexpr uint64_t kPage = drivers::kPage;
  static constexpr size_t kMaxFolioPages = abi::kBlockMaxFolioBytes / kPage;
  // A bulk request's data spans at most this many pages (one more when not page-aligned).
  static constexpr size_t kMaxSegments =
      size_t{abi::kBlockMaxFolioSectors} * abi::kSectorSize / kPage + 1;
  static constexpr size_t kMaxChain = kMaxSegments + 2;  // and the header and the status
  static constexpr size_t kAttached = 8;                 // channels with a folio at once
  static constexpr size_t kClients = 16;
  static constexpr unsigned kFeatureSegMax = 2, kFeatureReadOnly = 5, kFeatureFlush = 9;
  // The request header (5.2.6).
  struct Header {
    uint32_t type;  // 0 in (read), 1 out (write), 4 flush
    uint32_t reserved;
    uint64_t sector;
  };
  // A folio a client attached. The handle is kept until the channel has closed and no
  // request in the device names the folio any more.
  struct Attached {
    Channel* client;  // null once the channel closed
    OwnedHandle folio;
    uint64_t pages;
    uint32_t in_flight;
    uint64_t phys[kMaxFolioPages];
  };
  // A client's channel's context.
  struct Client {
    bool used;
    Attached* attached;  // its folio, once attached
  };
  struct Slot {
    bool busy;
    uint16_t head;
    Channel* client;  // null once the channel closed: the answer is dropped
    uint64_t call_id;
    abi::BlockOp op;
    uint32_t bytes;
    Attached* folio;  // a bulk request's
  };

  void on_data(Channel& ch, Bytes data) override {
    if (&ch == &parent()) return;  // the startup server has nothing to send here
    abi::BlockRequest r{};
    if (data.size < sizeof(r)) return reply(ch, call_id(), abi::kErrInvalidArgument);
    __builtin_memcpy(&r, data.data, sizeof(r));
    if (r.op == abi::BlockOp::Info) return reply(ch, call_id(), abi::kOk, nullptr, 0, capacity_);
    if (r.op == abi::BlockOp::Attach) return attach(ch);
    if (!device_.ready()) return reply(ch, call_id(), abi::kErrWouldBlock);
    if (r.op == abi::BlockOp::ReadFolio || r.op == abi::BlockOp::WriteFolio) {
      abi::BlockFolioRequest f{};
      if (data.size != sizeof(f)) return reply(ch, call_id(), abi::kErrInvalidArgument);
      __builtin_memcpy(&f, data.data, sizeof(f));
      return submit_folio(ch, f);
    }
    const size_t payload = data.size - sizeof(r);
    const bool io = r.op == abi::BlockOp::Read || r.op == abi::BlockOp::Write;
    const bool bad =
        (io && !in_disk(r.sector, r.count, abi::kBlockMaxSectors)) ||
        (r.op == abi::BlockOp::Write && payload != size_t{r.count} * abi::kSectorSize) ||
        (!io && r.op != abi::BlockOp::Flush);
    if (bad) return reply(ch, call_id(), abi::kErrInvalidArgument);
    if (r.op == abi::BlockOp::Write && read_only_)
      return reply(ch, call_id(), abi::kErrNotSupported);
    if (r.op == abi::BlockOp::Flush && !flush_)
      return reply(ch, call_id(), abi::kOk);  // no write cache to flush
    submit_inline(ch, r, static_cast<const uint8_t*>(data.data) + sizeof(r));
  }

  void on_connect(Channel ch) override {
    for (Client& c : clients_) {
      if (c.used) continue;
      if (!listen(static_cast<Channel&&>(ch), &c).ok()) break;
      c = Client{true, nullptr};
      return;
    }
    log("a client refused: {} are connected", kClients);
  }

  void on_peer_closed(Channel& ch) override {
    Client* c = context_of<Client>(ch);
    if (!c) return;  // the startup channel
    for (Slot& s : slots_)
      if (s.busy && s.client == &ch) s.client = nullptr;  // answer dropped when it comes
    if (Attached* a = c->attached) {
      a->client = nullptr;
      if (a->in_flight == 0) a->folio.reset();  // else when the device is done with it
    }
    *c = Client{};
  }

  void on_interrupt() override {
    device_.transport().interrupt_status();  // acknowledges
    lib::virtio::Completion done{};
    while (queue_.poll_used(done)) complete(done.head);
    if (!ack_interrupt().ok()) drivers::stop_driving(*this, "cannot acknowledge the interrupt");
  }

  void on_start() override {
    uint64_t features = 0;
    auto opened = device_.open(*this, env().device, kFirstSlotPage + kSlots);
    if (opened.ok()) {
      const uint64_t wanted = lib::virtio::feature(kFeatureSegMax) |
                              lib::virtio::feature(kFeatureReadOnly) |
                              lib::virtio::feature(kFeatureFlush);
      auto ready =
          lib::virtio::initialize(device_.transport(), wanted, [&](uint64_t) -> lib::Result<void> {
            TRY(lib::virtio::setup_queue(device_.transport(), 0, queue_, device_.queue_memory(0),
                                         kQueueSize, false));
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
    if (features & lib::virtio::feature(kFeatureSegMax)) {
      auto seg_max = lib::virtio::read_config(device_.transport(), 12, 4);
      if (seg_max.ok() && seg_max.value() < max_segments_) max_segments_ = seg_max.value();
    }
    if (!watch_interrupt(env().device.interrupt).ok())
      return drivers::stop_driving(*this, "cannot watch the interrupt");
    log("disk of {} sectors ({} KiB){}{}, queue of {}", capacity_, capacity_ / 2,
        read_only_ ? ", read-only" : "", flush_ ? ", write cache" : "", queue_.size());
  }

  bool in_disk(uint64_t sector, uint32_t count, uint32_t max) const {
    return count != 0 && count <= max && sector < capacity_ && count <= capacity_ - sector;
  }

  // Attach: keeps the folio in the message for this channel, with its pages' addresses.
  void attach(Channel& ch) {
    OwnedHandle folio(take_handle(0));
    abi::HandleInfo info{};
    const uint32_t needed = abi::kRightMap | abi::kRightWrite;
    if (!folio.valid() || sys::handle_query(folio.get(), &info) != abi::kOk ||
        info.type != abi::ObjectType::Folio)
      return reply(ch, call_id(), abi::kErrInvalidArgument);
    if ((info.rights & needed) != needed) return reply(ch, call_id(), abi::kErrAccessDenied);
    Client* client = context_of<Client>(ch);
    if (!client || client->attached) return reply(ch, call_id(), abi::kErrInvalidArgument);
    Attached* free = nullptr;
    for (Attached& a : attached_) {
      if (!a.client && !a.folio.valid() && !free) free = &a;
    }
    if (!free) return reply(ch, call_id(), abi::kErrNoResources);
    uint64_t pages = 0;
    for (;; ++pages) {
      const int64_t phys = sys::folio_physical(folio.get(), pages);
      if (phys < 0) break;
      if (pages == kMaxFolioPages) return reply(ch, call_id(), abi::kErrTooLarge);
      free->phys[pages] = static_cast<uint64_t>(phys);
    }
    if (pages == 0) return reply(ch, call_id(), abi::kErrInvalidArgument);
    free->client = &ch;
    client->attached = free;
    free->folio = static_cast<OwnedHandle&&>(folio);
    free->pages = pages;
    free->in_flight = 0;
    reply(ch, call_id(), abi::kOk, nullptr, 0, pages * kPage);
  }

  Attached* attached_to(const Channel& ch) const {
    const Client* c = context_of<Client>(ch);
    return c ? c->attached : nullptr;
  }

  // A free slot, or null (the client is told to try again).
  Slot* free_slot(Channel& ch) {
    for (Slot& s : slots_)
      if (!s.busy) return &s;
    reply(ch, call_id(), abi::kErrWouldBlock);
    return nullptr;
  }

  // Writes the header and the status byte into the slot's page; chain[0] is the header.
  uint8_t* prepare(const Slot& s, const Header& h, lib::virtio::Buffer* chain) {
    const size_t i = static_cast<size_t>(&s - slots_);
    uint8_t* page = device_.page(kFirstSlotPage + i);
    __builtin_memcpy(page, &h, sizeof(h));
    page[sizeof(h)] = 0xff;  // the status byte, written by the device
    chain[0] = {device_.page_phys(kFirstSlotPage + i), sizeof(h), false};
    return page;
  }

  void submit_inline(Channel& ch, const abi::BlockRequest& r, const uint8_t* payload) {
    Slot* s = free_slot(ch);
    if (!s) return;
    const uint32_t bytes = r.op == abi::BlockOp::Flush ? 0 : r.count * abi::kSectorSize;
    const Header h{r.op == abi::BlockOp::Read    ? 0u
                   : r.op == abi::BlockOp::Write ? 1u
                                                 : 4u,
                   0, r.sector};
    lib::virtio::Buffer chain[3];
    uint8_t* page = prepare(*s, h, chain);
    const uint64_t phys = chain[0].phys;
    if (r.op == abi::BlockOp::Write) __builtin_memcpy(page + kDataOffset, payload, bytes);
    size_t n = 1;
    if (bytes) chain[n++] = {phys + kDataOffset, bytes, r.op == abi::BlockOp::Read};
    chain[n++] = {phys + sizeof(h), 1, true};
    start(ch, *s, chain, n, r.op, bytes, nullptr);
  }

  void submit_folio(Channel& ch, const abi::BlockFolioRequest& r) {
    Attached* a = attached_to(ch);
    const uint64_t bytes = uint64_t{r.count} * abi::kSectorSize;
    if (!a || !in_disk(r.sector, r.count, abi::kBlockMaxFolioSectors) ||
        r.offset % abi::kSectorSize != 0 || r.offset > a->pages * kPage ||
        bytes > a->pages * kPage - r.offset)
      return reply(ch, call_id(), abi::kErrInvalidArgument);
    const bool read = r.op == abi::BlockOp::ReadFolio;
    if (!read && read_only_) return reply(ch, call_id(), abi::kErrNotSupported);
    Slot* s = free_slot(ch);
    if (!s) return;
    lib::virtio::Buffer chain[kMaxChain];
    prepare(*s, Header{read ? 0u : 1u, 0, r.sector}, chain);
    size_t n = 1;
    for (uint64_t at = r.offset, end = r.offset + bytes; at < end;) {
      const uint64_t in_page = at % kPage;
      const uint64_t len = (kPage - in_page < end - at) ? kPage - in_page : end - at;
      const uint64_t phys = a->phys[at / kPage] + in_page;
      lib::virtio::Buffer& last = chain[n - 1];
      if (n > 1 && last.phys + last.len == phys) {
        last.len += static_cast<uint32_t>(len);  // the next page follows in memory
      } else {
        chain[n++] = {phys, static_cast<uint32_t>(len), read};
      }
      at += len;
    }
    if (n - 1 > max_segments_) return reply(ch, call_id(), abi::kErrNotSupported);
    chain[n] = {chain[0].phys + sizeof(Header), 1, true};
    start(ch, *s, chain, n + 1, r.op, 0, a);
  }

  void start(Channel& ch, Slot& s, const lib::virtio::Buffer* chain, size_t n, abi::BlockOp op,
             uint32_t bytes, Attached* folio) {
    auto head = queue_.submit(chain, n);
    if (!head.ok()) return reply(ch, call_id(), abi::kErrWouldBlock);
    s = Slot{true, head.value(), &ch, call_id(), op, bytes, folio};
    if (folio) ++folio->in_flight;
    if (queue_.notify_needed()) device_.transport().notify(0);
  }

  void complete(uint16_t head) {
    for (size_t i = 0; i < kSlots; ++i) {
      Slot& s = slots_[i];
      if (!s.busy || s.head != head) continue;
      s.busy = false;
      if (s.folio && --s.folio->in_flight == 0 && !s.folio->client)
        s.folio->folio.reset();  // the client left and the device is done with its pages
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

  void reply(Channel& ch, uint64_t call_id, int64_t status, const uint8_t* data = nullptr,
             size_t size = 0, uint64_t value = 0) {
    static uint8_t message[abi::kMaxMessageData];
    const abi::BlockReply r{status, value};
    __builtin_memcpy(message, &r, sizeof(r));
    if (data) __builtin_memcpy(message + sizeof(r), data, size);
    stellina::ignore(ch.send(Bytes{message, sizeof(r) + size}, call_id),
                     "a client whose queue is full loses the answer and times out the request");
  }

  drivers::VirtioDevice device_;
  lib::virtio::Queue queue_;
  Slot slots_[kSlots] = {};
  Attached attached_[kAttached] = {};
  Client clients_[kClients] = {};
  uint64_t capacity_ = 0;
  uint64_t max_segments_ = kMaxSegments;
  bool read_only_ = false;
  bool flush_ = false;
};

STELLINA_COMPONENT(VirtioBlk)
