// virtio-rng: the driver of a virtio entropy device (virtio-mmio version 2). It starts with
// its device's resources (handle 3: the page holding the transport's registers, handle 4: its
// interrupt); the first message on its startup channel says where in the page the registers
// are ("device virtio-entropy offset=0xe00"). It keeps one request in the device at a time:
// a client's Data message (the byte count, as text or empty for 32) is answered with that
// many bytes of entropy, up to 256.
#include <stellina/component.h>

#include <lib/virtio.h>

namespace abi = stellina::abi;
namespace sys = stellina::sys;
using stellina::Bytes;
using stellina::Channel;

namespace {

constexpr size_t kPage = 4096;
constexpr uint32_t kRequestMax = 256;

// "offset=0x..." in the device line; 0 if absent.
uint64_t offset_of(const char* s, size_t n) {
  for (size_t i = 0; i + 9 < n; ++i) {
    if (__builtin_memcmp(s + i, "offset=0x", 9) != 0) continue;
    uint64_t v = 0;
    for (size_t k = i + 9; k < n; ++k) {
      const char c = s[k];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) break;
      v = v * 16 + static_cast<uint64_t>(d);
    }
    return v;
  }
  return 0;
}

}  // namespace

class VirtioRng final : public stellina::Component {
  void on_data(Channel& ch, Bytes data) override {
    const char* text = static_cast<const char*>(data.data);
    if (ch.get() == startup_handle(1)) {  // the device description
      if (!transport_ && data.size > 7 && __builtin_memcmp(text, "device ", 7) == 0)
        start_device(offset_of(text, data.size));
      return;
    }
    size_t want = 0;
    for (size_t i = 0; i < data.size && text[i] >= '0' && text[i] <= '9'; ++i)
      want = want * 10 + static_cast<size_t>(text[i] - '0');
    if (want == 0) want = 32;
    if (want > kRequestMax) want = kRequestMax;
    if (waiting_ || !transport_) {
      abort(ch, 0, abi::kErrWouldBlock);  // one request at a time
      return;
    }
    waiting_ = &ch;
    request(static_cast<uint32_t>(want));
  }

  void on_connect(Channel ch) override { listen(static_cast<Channel&&>(ch)); }

  void on_peer_closed(Channel& ch) override {
    if (&ch == waiting_) waiting_ = nullptr;  // its answer is dropped when it comes
  }

  void on_interrupt() override {
    if (!transport_) return;
    transport_->interrupt_status();  // acknowledges
    lib::virtio::Completion done{};
    while (queue_.poll_used(done)) complete(done.length);
    ack_interrupt();
  }

  void start_device(uint64_t offset) {
    if (offset + 0x200 > kPage) return fail("bad register offset");
    const int64_t regs = sys::folio_map(startup_handle(3), true);
    const int64_t dma = sys::folio_create(3 * kPage);  // descriptors, rings, buffer
    if (regs < 0 || dma < 0) return fail("cannot map the device or DMA memory");
    dma_ = reinterpret_cast<uint8_t*>(sys::folio_map(static_cast<abi::Handle>(dma), true));
    uint64_t phys[3];
    for (uint64_t p = 0; p < 3; ++p) {
      const int64_t a = sys::folio_physical(static_cast<abi::Handle>(dma), p);
      if (a < 0) return fail("no DMA address");
      phys[p] = static_cast<uint64_t>(a);
    }
    buffer_phys_ = phys[2];
    auto created = lib::virtio::MmioTransport::create(
        reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(regs) + offset), 0x200);
    if (!created.ok()) return fail("not a virtio-mmio version 2 transport");
    transport_ = new (mmio_) lib::virtio::MmioTransport(created.release_value());
    const lib::virtio::QueueMemory memory{dma_, phys[0], dma_ + kPage, phys[1]};
    auto ready = lib::virtio::initialize(*transport_, 0, [&](uint64_t) -> lib::Result<void> {
      TRY(lib::virtio::setup_queue(*transport_, 0, queue_, memory, 16, false));
      return {};
    });
    if (!ready.ok()) {
      transport_ = nullptr;
      return fail(lib::error_name(ready.error()));
    }
    watch_interrupt(startup_handle(4));
    request(32);  // a first sample, to show the device works
  }

  void request(uint32_t bytes) {
    const lib::virtio::Buffer b{buffer_phys_, bytes, true};
    if (!queue_.submit(&b, 1).ok()) return;
    if (queue_.notify_needed()) transport_->notify(0);
  }

  void complete(uint32_t length) {
    const uint8_t* bytes = dma_ + 2 * kPage;
    if (!first_done_) {
      first_done_ = true;
      log("{} bytes of entropy from the device, first {:02x}{:02x}{:02x}{:02x}", length, bytes[0],
          bytes[1], bytes[2], bytes[3]);
      return;
    }
    if (waiting_) waiting_->send(Bytes{bytes, length});
    waiting_ = nullptr;
  }

  void fail(const char* why) {
    log("cannot drive the device: {}", why);
    stop(1);
  }

  alignas(lib::virtio::MmioTransport) unsigned char mmio_[sizeof(lib::virtio::MmioTransport)];
  lib::virtio::Transport* transport_ = nullptr;  // in mmio_, once the device is set up
  lib::virtio::Queue queue_;
  uint8_t* dma_ = nullptr;
  uint64_t buffer_phys_ = 0;
  Channel* waiting_ = nullptr;
  bool first_done_ = false;
};

STELLINA_COMPONENT(VirtioRng)
