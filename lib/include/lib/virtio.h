#pragma once
// virtio 1.x for drivers: the split virtqueue, the transport interface with the device
// initialization sequence, and the two modern transports (virtio-mmio version 2 and
// virtio-pci with vendor capabilities). Freestanding and allocation-free: the queue works on
// memory the driver provides (pages of a DMA folio and their physical addresses), the
// transports on register blocks the driver has mapped. Layouts and rules are those of the
// OASIS "Virtual I/O Device (VIRTIO) Version 1.x" specification; section names below refer
// to it.
//
// Everything the device writes (the used ring, the configuration space, the registers) is
// treated as untrusted input: a buggy or malicious device can make a driver fail, never
// crash or corrupt its state.
//
// The rings are little-endian (virtio 1.x); this code assumes a little-endian CPU.

#include <cstddef>
#include <cstdint>

#include <lib/pci.h>
#include <lib/result.h>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtio rings are little-endian");

namespace lib::virtio {

// Device status bits (2.1).
constexpr uint8_t kStatusAcknowledge = 1, kStatusDriver = 2, kStatusDriverOk = 4,
                  kStatusFeaturesOk = 8, kStatusNeedsReset = 64, kStatusFailed = 128;

// Reserved feature bits (6) that this library knows about. Device-specific bits are 0..23.
constexpr uint64_t feature(unsigned bit) { return uint64_t{1} << bit; }
constexpr unsigned kFeatureIndirectDesc = 28;  // VIRTIO_RING_F_INDIRECT_DESC (not used here)
constexpr unsigned kFeatureEventIdx = 29;      // VIRTIO_RING_F_EVENT_IDX (supported by Queue)
constexpr unsigned kFeatureVersion1 = 32;      // VIRTIO_F_VERSION_1 (required)
constexpr unsigned kFeatureAccessPlatform = 33;
constexpr unsigned kFeatureRingPacked = 34;

// Interrupt status bits (mmio InterruptStatus, pci ISR).
constexpr uint32_t kInterruptUsedBuffer = 1, kInterruptConfigChange = 2;

// ---------------------------------------------------------------------------------------
// The split virtqueue (2.7).

// One part of a chain handed to the device.
struct Buffer {
  uint64_t phys;       // physical (bus) address
  uint32_t len;        // bytes
  bool device_writes;  // the device writes here (VIRTQ_DESC_F_WRITE); else it only reads
};

// A chain the device has finished with.
struct Completion {
  uint16_t head;    // what submit returned
  uint32_t length;  // bytes the device wrote into the chain's writable buffers
};

// Where the queue lives. Each of the two regions must be physically contiguous and zeroed
// or not (init clears them); for a queue of at most kMaxSize entries each fits in one 4 KiB
// page (descriptor_bytes(256) == 4096, ring_bytes(256) == 2576), so a driver can give any
// two pages of a DMA folio, whose pages are allocated one by one and need not be adjacent.
// The physical address of each page is all the queue needs: no translation callback.
struct QueueMemory {
  void* descriptors;          // the descriptor table, 16-byte aligned
  uint64_t descriptors_phys;  // its physical address, 16-byte aligned
  void* rings;                // the available ring, then the used ring; 4-byte aligned
  uint64_t rings_phys;        // its physical address, 4-byte aligned
};

class Queue {
 public:
  static constexpr uint16_t kMaxSize = 256;

  static constexpr size_t descriptor_bytes(uint16_t size) { return size_t{16} * size; }
  // The used ring follows the available ring (flags, idx, ring[size], used_event) at the
  // next 4-byte boundary.
  static constexpr size_t used_offset(uint16_t size) {
    return (size_t{6} + size_t{2} * size + 3) & ~size_t{3};
  }
  static constexpr size_t ring_bytes(uint16_t size) {
    return used_offset(size) + 6 + size_t{8} * size;
  }

  // Prepares the queue over `memory` (cleared here) for `size` entries, a power of two no
  // larger than kMaxSize. event_idx: VIRTIO_RING_F_EVENT_IDX was negotiated. Errors:
  // InvalidArgument (size, alignment, null memory).
  Result<void> init(const QueueMemory& memory, uint16_t size, bool event_idx);

  uint16_t size() const { return size_; }
  uint64_t descriptors_phys() const { return memory_.descriptors_phys; }
  uint64_t driver_phys() const { return memory_.rings_phys; }  // the available ring
  uint64_t device_phys() const { return memory_.rings_phys + used_offset(size_); }

  // Makes a chain of `count` buffers available to the device: readable buffers first, then
  // writable ones (2.7.13.1 requires that order). Returns the head, which poll_used reports
  // when the device is done. Call notify_needed afterwards (once for a batch). Errors:
  // InvalidArgument (count 0 or above size, writable before readable, more than 4 GiB
  // writable), NoResources (not enough free descriptors: the queue is full), NotSupported
  // (not initialized or broken).
  Result<uint16_t> submit(const Buffer* buffers, size_t count);

  // Whether the device asked to be notified of what was submitted since the last call:
  // the used ring's NO_NOTIFY flag, or with EVENT_IDX the avail_event index. The answer is
  // a hint from the device; a false answer never loses work. Full barrier included.
  bool notify_needed();

  // Takes the next finished chain, frees its descriptors and returns true; false when there
  // is none. Used entries that cannot be true (an id out of range or not in flight, a length
  // larger than the chain's writable bytes) are dropped and counted (dropped()); their
  // chain, if any, stays in flight, since the device may still own it. A used index more than
  // size() entries ahead marks the queue broken(): the driver should reset the device.
  bool poll_used(Completion& out);

  // Asks the device not to interrupt on used buffers (a hint; it may still do so).
  void disable_interrupts();
  // Asks for interrupts again. Returns true if used entries arrived that poll_used has not
  // taken: the caller must poll again, or it would wait for an interrupt that was already
  // suppressed.
  [[nodiscard]] bool enable_interrupts();

  uint16_t free_descriptors() const { return free_count_; }
  uint16_t in_flight() const { return in_flight_count_; }
  uint64_t dropped() const { return dropped_; }
  bool broken() const { return broken_; }
  // The free list and the chains in flight account for every descriptor exactly once.
  bool consistent() const;

 private:
  void free_chain(uint16_t head);
  volatile uint16_t* avail() const;
  volatile uint16_t* used() const;

  QueueMemory memory_ = {};
  uint16_t size_ = 0;
  bool event_idx_ = false;
  bool interrupts_enabled_ = true;
  bool broken_ = false;
  uint16_t free_head_ = 0, free_count_ = 0, in_flight_count_ = 0;
  uint16_t avail_idx_ = 0;    // our copy: never read back from shared memory
  uint16_t last_used_ = 0;    // the next used entry to take
  uint16_t last_kicked_ = 0;  // avail_idx_ at the last notify_needed
  uint64_t dropped_ = 0;
  // Private to the driver, so a device scribbling on the descriptor table cannot redirect
  // how chains are freed.
  uint16_t next_[kMaxSize] = {};          // free list and chain links
  uint16_t chain_length_[kMaxSize] = {};  // per head
  uint32_t writable_[kMaxSize] = {};      // per head: bytes the device may write
  bool in_flight_[kMaxSize] = {};         // per head
};

// ---------------------------------------------------------------------------------------
// Transports (4.1 PCI, 4.2 MMIO) and device initialization (3.1).

class Transport {
 public:
  virtual uint8_t status() = 0;
  virtual void set_status(uint8_t status) = 0;  // 0 resets the device
  // 32 feature bits: half 0 is bits 0..31, half 1 bits 32..63.
  virtual uint32_t device_features(uint32_t half) = 0;
  virtual void set_driver_features(uint32_t half, uint32_t bits) = 0;

  // The queue-register operations act on the selected queue.
  virtual void select_queue(uint16_t queue) = 0;
  virtual uint16_t queue_size_max() = 0;  // 0: no such queue
  virtual void set_queue_size(uint16_t size) = 0;
  virtual void set_queue_rings(uint64_t descriptors, uint64_t driver, uint64_t device) = 0;
  // Errors: OutOfRange (pci: the queue's notify address lies outside the notify region).
  virtual Result<void> enable_queue() = 0;
  virtual bool queue_enabled() = 0;

  virtual void notify(uint16_t queue) = 0;

  // Device configuration (the device-specific part): one naturally aligned read of `width`
  // bytes (1, 2 or 4; 4.1.3.1, 4.2.2.2 forbid other widths). Out of range reads return 0.
  virtual uint32_t read_config(uint32_t offset, unsigned width) = 0;
  virtual uint32_t config_generation() = 0;

  // Reads why the device interrupted (kInterrupt* bits) and acknowledges it.
  virtual uint32_t interrupt_status() = 0;

 protected:
  ~Transport() = default;
};

// The device's 64 feature bits.
uint64_t device_features(Transport& t);

// Steps 1..6 of 3.1.1: reset (waiting until the status reads 0), ACKNOWLEDGE, DRIVER, read
// the device features, accept wanted ∧ offered (VIRTIO_F_VERSION_1 is always wanted and
// required), FEATURES_OK, and check that the device kept it. Returns the negotiated features.
// Errors: NotSupported (no VERSION_1: a legacy device), AccessDenied (the device refused the
// features: FEATURES_OK did not stick), TimedOut (reset did not finish). FAILED is set on
// every error.
Result<uint64_t> negotiate(Transport& t, uint64_t wanted);

// Step 8: DRIVER_OK, after the driver set its queues up. Errors: Fault (the device reports
// DEVICE_NEEDS_RESET or FAILED).
Result<void> finish_init(Transport& t);

// Marks the device FAILED (the driver gave up).
void fail(Transport& t);

// The whole sequence: negotiate, then setup(features) (a callable returning Result<void>,
// which sets the queues up), then DRIVER_OK. An error from any step sets FAILED and is
// returned. Returns the negotiated features.
template <typename Setup>
Result<uint64_t> initialize(Transport& t, uint64_t wanted, Setup&& setup) {
  auto features = negotiate(t, wanted);
  if (!features.ok()) return features.error();
  auto done = setup(features.value());
  if (!done.ok()) {
    fail(t);
    return done.error();
  }
  TRY(finish_init(t));
  return features.value();
}

// Sets queue `index` up: reads its maximum size, picks the largest power of two no larger
// than that, `wanted` and Queue::kMaxSize, initializes `queue` over `memory`, gives the
// device the ring addresses and enables the queue. Returns the size. Errors: NotFound (no
// such queue), Busy (already enabled), InvalidArgument (from Queue::init), OutOfRange.
Result<uint16_t> setup_queue(Transport& t, uint16_t index, Queue& queue, const QueueMemory& memory,
                             uint16_t wanted, bool event_idx);

// Reads `width` bytes (1, 2, 4 or 8) of device configuration consistently: retries while the
// configuration generation changes under it (4.1.4.3.1). Errors: InvalidArgument (width or
// alignment), Busy (the generation kept changing).
Result<uint64_t> read_config(Transport& t, uint32_t offset, unsigned width);

// ---------------------------------------------------------------------------------------
// virtio-mmio, version 2 (4.2.2). Register offsets in bytes.
namespace mmio {
constexpr uint32_t kMagic = 0x74726976;  // "virt"
constexpr uint32_t kMagicValue = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c,
                   kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020,
                   kDriverFeaturesSel = 0x024, kQueueSel = 0x030, kQueueNumMax = 0x034,
                   kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050,
                   kInterruptStatus = 0x060, kInterruptAck = 0x064, kStatus = 0x070,
                   kQueueDescLow = 0x080, kQueueDescHigh = 0x084, kQueueDriverLow = 0x090,
                   kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0, kQueueDeviceHigh = 0x0a4,
                   kConfigGeneration = 0x0fc, kConfig = 0x100;
}  // namespace mmio

// A virtio-mmio transport over its mapped register block (uncached device memory; QEMU's
// microvm has 512-byte slots from 0xfeb00000). Only version 2 is supported. Note that QEMU
// (checked with 7.2) makes its virtio-mmio transports legacy (version 1) by default
// (property force-legacy=true); a machine meant for this driver must be started with
// `-global virtio-mmio.force-legacy=false`.
class MmioTransport final : public Transport {
 public:
  // `size` is the bytes mapped at regs (at least 0x100 plus the device configuration).
  // Errors: NotFound (no virtio magic, or device id 0: an empty slot), NotSupported
  // (version 1, legacy, or an unknown version), InvalidArgument (size below 0x100).
  static Result<MmioTransport> create(volatile uint32_t* regs, size_t size);

  uint32_t device_id() { return reg(mmio::kDeviceId); }
  uint32_t vendor_id() { return reg(mmio::kVendorId); }

  uint8_t status() override;
  void set_status(uint8_t status) override;
  uint32_t device_features(uint32_t half) override;
  void set_driver_features(uint32_t half, uint32_t bits) override;
  void select_queue(uint16_t queue) override;
  uint16_t queue_size_max() override;
  void set_queue_size(uint16_t size) override;
  void set_queue_rings(uint64_t descriptors, uint64_t driver, uint64_t device) override;
  Result<void> enable_queue() override;
  bool queue_enabled() override;
  void notify(uint16_t queue) override;
  uint32_t read_config(uint32_t offset, unsigned width) override;
  uint32_t config_generation() override;
  uint32_t interrupt_status() override;

 private:
  MmioTransport(volatile uint32_t* regs, size_t size) : regs_(regs), size_(size) {}
  uint32_t reg(uint32_t offset) { return regs_[offset / 4]; }
  void set_reg(uint32_t offset, uint32_t value) { regs_[offset / 4] = value; }

  volatile uint32_t* regs_;
  size_t size_;
};

// ---------------------------------------------------------------------------------------
// virtio-pci, modern (4.1.4): the device's structures are found through vendor-specific PCI
// capabilities, each naming a BAR, an offset and a length.
namespace pci {
// cfg_type values.
constexpr uint8_t kCommonCfg = 1, kNotifyCfg = 2, kIsrCfg = 3, kDeviceCfg = 4, kPciCfg = 5;
// Capability layout (struct virtio_pci_cap): cap_vndr, cap_next, cap_len, cfg_type, bar, id,
// padding[2], offset (le32 at 8), length (le32 at 12); the notify capability adds
// notify_off_multiplier (le32 at 16).
// Common configuration layout (struct virtio_pci_common_cfg), byte offsets.
constexpr uint32_t kDeviceFeatureSelect = 0, kDeviceFeature = 4, kDriverFeatureSelect = 8,
                   kDriverFeature = 12, kConfigMsixVector = 16, kNumQueues = 18, kDeviceStatus = 20,
                   kConfigGeneration = 21, kQueueSelect = 22, kQueueSize = 24,
                   kQueueMsixVector = 26, kQueueEnable = 28, kQueueNotifyOff = 30, kQueueDesc = 32,
                   kQueueDriver = 40, kQueueDevice = 48, kCommonCfgSize = 56;
}  // namespace pci

struct PciRegion {
  uint8_t bar = 0;
  uint32_t offset = 0;  // within the BAR
  uint32_t length = 0;  // 0: absent
};

struct PciCapabilities {
  PciRegion common, notify, isr, device;  // device is optional (length 0: none)
  uint32_t notify_off_multiplier = 0;
};

// Walks the function's vendor-specific capabilities and returns where the common, notify,
// ISR and device structures are. As 4.1.4.1 asks, capabilities with an unknown cfg_type, a
// reserved BAR number (above 5) or too short are skipped, and the first usable one of each
// type wins. Errors: NotFound (common, notify or ISR missing).
Result<PciCapabilities> parse_pci_capabilities(lib::pci::ConfigAccess& config,
                                               lib::pci::Address address);

// A virtio-pci modern transport over BARs the driver has mapped (memory BARs only).
class PciTransport final : public Transport {
 public:
  // bars[i]: BAR i mapped (nullptr if not), bar_sizes[i] its mapped size. Errors: NotFound
  // (a structure's BAR is not mapped), OutOfRange (a structure extends past its BAR, or the
  // common or notify structure is too short).
  static Result<PciTransport> create(const PciCapabilities& caps, volatile uint8_t* const bars[6],
                                     const uint64_t bar_sizes[6]);

  uint16_t num_queues();
  // With MSI-X enabled at the function, the device interrupts through table entry `vector`
  // for its configuration changes and for every queue enabled after this (the vectors are
  // set in enable_queue, after the reset that clears them); enable_queue fails with
  // NoResources if the device refuses the vector.
  void use_msix_vector(uint16_t vector) { msix_vector_ = vector; }

  uint8_t status() override;
  void set_status(uint8_t status) override;
  uint32_t device_features(uint32_t half) override;
  void set_driver_features(uint32_t half, uint32_t bits) override;
  void select_queue(uint16_t queue) override;
  uint16_t queue_size_max() override;
  void set_queue_size(uint16_t size) override;
  void set_queue_rings(uint64_t descriptors, uint64_t driver, uint64_t device) override;
  Result<void> enable_queue() override;
  bool queue_enabled() override;
  void notify(uint16_t queue) override;
  uint32_t read_config(uint32_t offset, unsigned width) override;
  uint32_t config_generation() override;
  uint32_t interrupt_status() override;

  static constexpr uint16_t kMaxQueues = 64;  // notify addresses remembered for these

 private:
  PciTransport() = default;
  template <typename T>
  T common(uint32_t offset);
  template <typename T>
  void set_common(uint32_t offset, T value);
  // The offset in the notify region for the selected queue, or UINT32_MAX if out of range.
  uint32_t notify_offset_of_selected();

  volatile uint8_t* common_ = nullptr;
  volatile uint8_t* notify_ = nullptr;
  volatile uint8_t* isr_ = nullptr;
  volatile uint8_t* device_ = nullptr;
  uint32_t notify_length_ = 0, device_length_ = 0, multiplier_ = 0;
  uint16_t selected_ = 0;
  uint16_t msix_vector_ = 0xffff;             // none: INTx
  uint32_t notify_offsets_[kMaxQueues] = {};  // valid once the queue was enabled
  bool notify_known_[kMaxQueues] = {};
};

}  // namespace lib::virtio
