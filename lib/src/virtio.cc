#include <lib/virtio.h>

// Memory ordering. The rings are shared with a device that runs concurrently (on QEMU, another
// host thread), so every access to them is volatile (the compiler neither merges, repeats nor
// drops it) and the ordering points are __atomic_thread_fence:
//  - release before publishing the available index: the descriptors and the ring entry are
//    visible before the device can see the index move;
//  - acquire after reading the used index: the used entry is read after the index;
//  - sequentially consistent between our store (available index, used_event, the flags) and
//    the load that decides (notify flags / avail_event, used index): a store followed by a
//    load to another address is the one reordering x86 does, and missing it loses a
//    notification or an interrupt.
// On x86 (TSO) the first two cost nothing but a compiler barrier and the third is an MFENCE.
// On weaker CPUs these fences order memory for the other CPUs of the inner shareable domain,
// which is enough for a hypervisor's device (what Linux calls weak barriers). A device doing
// DMA from outside that domain needs the stronger device barriers (arm64 DMB OSH, RISC-V
// FENCE with I/O bits); a port to such a machine must add them here, next to the fences.
// MMIO register writes are volatile stores to uncached memory, which x86 keeps in order with
// earlier stores to ordinary memory.

namespace lib::virtio {

namespace {

constexpr uint16_t kDescNext = 1, kDescWrite = 2;
constexpr uint16_t kAvailNoInterrupt = 1, kUsedNoNotify = 1;

struct Descriptor {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);

// vring_need_event of 2.7.10: true if event_idx lies in (old_idx, new_idx], modulo 2^16.
bool need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx) {
  return static_cast<uint16_t>(new_idx - event_idx - 1) < static_cast<uint16_t>(new_idx - old_idx);
}

void full_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

}  // namespace

// --- Queue ---

volatile uint16_t* Queue::avail() const { return static_cast<volatile uint16_t*>(memory_.rings); }

volatile uint16_t* Queue::used() const {
  return reinterpret_cast<volatile uint16_t*>(static_cast<uint8_t*>(memory_.rings) +
                                              used_offset(size_));
}

Result<void> Queue::init(const QueueMemory& memory, uint16_t size, bool event_idx) {
  if (size == 0 || size > kMaxSize || (size & (size - 1)) != 0) return Error::InvalidArgument;
  if (!memory.descriptors || !memory.rings) return Error::InvalidArgument;
  if (reinterpret_cast<uintptr_t>(memory.descriptors) % 16 || memory.descriptors_phys % 16 ||
      reinterpret_cast<uintptr_t>(memory.rings) % 4 || memory.rings_phys % 4)
    return Error::InvalidArgument;
  // Reset in place rather than assigning a fresh Queue: no 2 KiB temporary on the stack.
  memory_ = memory;
  size_ = size;
  event_idx_ = event_idx;
  interrupts_enabled_ = true;
  broken_ = false;
  in_flight_count_ = avail_idx_ = last_used_ = last_kicked_ = 0;
  dropped_ = 0;
  for (uint16_t i = 0; i < kMaxSize; ++i) {
    chain_length_[i] = 0;
    writable_[i] = 0;
    in_flight_[i] = false;
  }
  auto* descriptors = static_cast<volatile uint8_t*>(memory.descriptors);
  for (size_t i = 0; i < descriptor_bytes(size); ++i) descriptors[i] = 0;
  auto* rings = static_cast<volatile uint8_t*>(memory.rings);
  for (size_t i = 0; i < ring_bytes(size); ++i) rings[i] = 0;
  for (uint16_t i = 0; i < size; ++i) next_[i] = static_cast<uint16_t>((i + 1) % size);
  free_head_ = 0;
  free_count_ = size;
  return {};
}

Result<uint16_t> Queue::submit(const Buffer* buffers, size_t count) {
  if (size_ == 0 || broken_) return Error::NotSupported;
  if (count == 0 || count > size_) return Error::InvalidArgument;
  uint64_t writable = 0;
  bool seen_writable = false;
  for (size_t k = 0; k < count; ++k) {
    if (buffers[k].device_writes) {
      seen_writable = true;
      writable += buffers[k].len;
    } else if (seen_writable) {
      return Error::InvalidArgument;  // a readable buffer after a writable one
    }
  }
  if (writable > UINT32_MAX) return Error::InvalidArgument;
  if (count > free_count_) return Error::NoResources;

  auto* table = static_cast<volatile Descriptor*>(memory_.descriptors);
  const uint16_t head = free_head_;
  uint16_t at = head;
  for (size_t k = 0; k < count; ++k) {
    const bool last = k + 1 == count;
    volatile Descriptor& d = table[at];
    d.addr = buffers[k].phys;
    d.len = buffers[k].len;
    d.flags =
        static_cast<uint16_t>((buffers[k].device_writes ? kDescWrite : 0) | (last ? 0 : kDescNext));
    d.next = last ? 0 : next_[at];
    if (!last) at = next_[at];
  }
  free_head_ = next_[at];  // the descriptor after the chain's last one
  free_count_ = static_cast<uint16_t>(free_count_ - count);
  chain_length_[head] = static_cast<uint16_t>(count);
  writable_[head] = static_cast<uint32_t>(writable);
  in_flight_[head] = true;
  ++in_flight_count_;

  volatile uint16_t* ring = avail();
  ring[2 + (avail_idx_ & (size_ - 1))] = head;
  __atomic_thread_fence(__ATOMIC_RELEASE);  // descriptors and entry before the index
  ring[1] = ++avail_idx_;
  return head;
}

bool Queue::notify_needed() {
  if (size_ == 0) return false;
  full_fence();  // the index store before reading what the device asked for
  const uint16_t old_idx = last_kicked_, new_idx = avail_idx_;
  last_kicked_ = new_idx;
  if (old_idx == new_idx) return false;
  if (event_idx_) return need_event(used()[2 + 4 * size_], new_idx, old_idx);  // avail_event
  return (used()[0] & kUsedNoNotify) == 0;
}

void Queue::free_chain(uint16_t head) {
  uint16_t last = head;
  for (uint16_t k = 1; k < chain_length_[head]; ++k) last = next_[last];
  next_[last] = free_head_;
  free_head_ = head;
  free_count_ = static_cast<uint16_t>(free_count_ + chain_length_[head]);
  in_flight_[head] = false;
  chain_length_[head] = 0;
  writable_[head] = 0;
  --in_flight_count_;
}

bool Queue::poll_used(Completion& out) {
  if (size_ == 0 || broken_) return false;
  volatile uint16_t* u = used();
  const uint16_t used_idx = u[1];
  // The device can have finished at most the chains in flight, each one entry.
  if (static_cast<uint16_t>(used_idx - last_used_) > size_) {
    broken_ = true;
    ++dropped_;
    return false;
  }
  while (used_idx != last_used_) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);  // the entry after the index
    auto* entry =
        reinterpret_cast<volatile uint32_t*>(u + 2) + size_t{2} * (last_used_ & (size_ - 1));
    const uint32_t id = entry[0], length = entry[1];  // read once: the device may change them
    ++last_used_;
    if (event_idx_ && interrupts_enabled_) avail()[2 + size_] = last_used_;  // used_event
    if (id >= size_ || !in_flight_[id] || length > writable_[id]) {
      ++dropped_;
      continue;
    }
    free_chain(static_cast<uint16_t>(id));
    out = Completion{static_cast<uint16_t>(id), length};
    return true;
  }
  return false;
}

void Queue::disable_interrupts() {
  if (size_ == 0) return;
  interrupts_enabled_ = false;
  if (event_idx_) {
    // With EVENT_IDX the device ignores the flags (2.7.7): put used_event where the used
    // index will not reach before it wraps.
    avail()[2 + size_] = static_cast<uint16_t>(last_used_ - 1);
  } else {
    avail()[0] = kAvailNoInterrupt;
  }
}

bool Queue::enable_interrupts() {
  if (size_ == 0) return false;
  interrupts_enabled_ = true;
  if (event_idx_) {
    avail()[2 + size_] = last_used_;
  } else {
    avail()[0] = 0;
  }
  full_fence();  // the store before reading the used index
  return used()[1] != last_used_;
}

bool Queue::consistent() const {
  if (size_ == 0) return true;
  size_t counted = 0;
  bool seen[kMaxSize] = {};
  uint16_t at = free_head_;
  for (uint16_t k = 0; k < free_count_; ++k) {
    if (at >= size_ || seen[at]) return false;
    seen[at] = true;
    ++counted;
    at = next_[at];
  }
  uint16_t chains = 0;
  for (uint16_t head = 0; head < size_; ++head) {
    if (!in_flight_[head]) continue;
    ++chains;
    at = head;
    for (uint16_t k = 0; k < chain_length_[head]; ++k) {
      if (at >= size_ || seen[at]) return false;
      seen[at] = true;
      ++counted;
      at = next_[at];
    }
  }
  return counted == size_ && chains == in_flight_count_;
}

// --- initialization ---

uint64_t device_features(Transport& t) {
  return t.device_features(0) | uint64_t{t.device_features(1)} << 32;
}

void fail(Transport& t) { t.set_status(static_cast<uint8_t>(t.status() | kStatusFailed)); }

Result<uint64_t> negotiate(Transport& t, uint64_t wanted) {
  t.set_status(0);
  // A PCI device may take time to reset (4.1.4.3.2); MMIO resets at once.
  bool reset = false;
  for (int tries = 0; tries < 1'000'000 && !reset; ++tries) reset = t.status() == 0;
  if (!reset) {
    fail(t);
    return Error::TimedOut;
  }
  t.set_status(kStatusAcknowledge);
  t.set_status(kStatusAcknowledge | kStatusDriver);
  const uint64_t offered = device_features(t);
  if (!(offered & feature(kFeatureVersion1))) {
    fail(t);
    return Error::NotSupported;
  }
  const uint64_t accepted = (wanted | feature(kFeatureVersion1)) & offered;
  t.set_driver_features(0, static_cast<uint32_t>(accepted));
  t.set_driver_features(1, static_cast<uint32_t>(accepted >> 32));
  t.set_status(kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
  if (!(t.status() & kStatusFeaturesOk)) {
    fail(t);
    return Error::AccessDenied;
  }
  return accepted;
}

Result<void> finish_init(Transport& t) {
  t.set_status(static_cast<uint8_t>(t.status() | kStatusDriverOk));
  const uint8_t status = t.status();
  if ((status & (kStatusNeedsReset | kStatusFailed)) || !(status & kStatusDriverOk)) {
    fail(t);
    return Error::Fault;
  }
  return {};
}

Result<uint16_t> setup_queue(Transport& t, uint16_t index, Queue& queue, const QueueMemory& memory,
                             uint16_t wanted, bool event_idx) {
  t.select_queue(index);
  if (t.queue_enabled()) return Error::Busy;
  const uint16_t max = t.queue_size_max();
  if (max == 0) return Error::NotFound;
  uint16_t limit = max < wanted ? max : wanted;
  if (limit > Queue::kMaxSize) limit = Queue::kMaxSize;
  if (limit == 0) return Error::InvalidArgument;
  uint16_t size = 1;
  while (size * 2 <= limit) size = static_cast<uint16_t>(size * 2);
  TRY(queue.init(memory, size, event_idx));
  t.set_queue_size(size);
  t.set_queue_rings(queue.descriptors_phys(), queue.driver_phys(), queue.device_phys());
  TRY(t.enable_queue());
  return size;
}

Result<uint64_t> read_config(Transport& t, uint32_t offset, unsigned width) {
  if (width != 1 && width != 2 && width != 4 && width != 8) return Error::InvalidArgument;
  if (offset % width) return Error::InvalidArgument;
  for (int tries = 0; tries < 16; ++tries) {
    const uint32_t before = t.config_generation();
    uint64_t value;
    if (width == 8) {
      value = t.read_config(offset, 4) | uint64_t{t.read_config(offset + 4, 4)} << 32;
    } else {
      value = t.read_config(offset, width);
    }
    if (t.config_generation() == before) return value;
  }
  return Error::Busy;
}

// --- virtio-mmio ---

Result<MmioTransport> MmioTransport::create(volatile uint32_t* regs, size_t size) {
  if (!regs || size < mmio::kConfig) return Error::InvalidArgument;
  MmioTransport t(regs, size);
  if (t.reg(mmio::kMagicValue) != mmio::kMagic) return Error::NotFound;
  if (t.reg(mmio::kVersion) != 2) return Error::NotSupported;  // 1: legacy
  if (t.reg(mmio::kDeviceId) == 0) return Error::NotFound;
  return t;
}

uint8_t MmioTransport::status() { return static_cast<uint8_t>(reg(mmio::kStatus)); }
void MmioTransport::set_status(uint8_t status) { set_reg(mmio::kStatus, status); }

uint32_t MmioTransport::device_features(uint32_t half) {
  set_reg(mmio::kDeviceFeaturesSel, half);
  return reg(mmio::kDeviceFeatures);
}

void MmioTransport::set_driver_features(uint32_t half, uint32_t bits) {
  set_reg(mmio::kDriverFeaturesSel, half);
  set_reg(mmio::kDriverFeatures, bits);
}

void MmioTransport::select_queue(uint16_t queue) { set_reg(mmio::kQueueSel, queue); }
uint16_t MmioTransport::queue_size_max() {
  const uint32_t max = reg(mmio::kQueueNumMax);
  return max > 0xffff ? 0xffff : static_cast<uint16_t>(max);
}
void MmioTransport::set_queue_size(uint16_t size) { set_reg(mmio::kQueueNum, size); }

void MmioTransport::set_queue_rings(uint64_t descriptors, uint64_t driver, uint64_t device) {
  set_reg(mmio::kQueueDescLow, static_cast<uint32_t>(descriptors));
  set_reg(mmio::kQueueDescHigh, static_cast<uint32_t>(descriptors >> 32));
  set_reg(mmio::kQueueDriverLow, static_cast<uint32_t>(driver));
  set_reg(mmio::kQueueDriverHigh, static_cast<uint32_t>(driver >> 32));
  set_reg(mmio::kQueueDeviceLow, static_cast<uint32_t>(device));
  set_reg(mmio::kQueueDeviceHigh, static_cast<uint32_t>(device >> 32));
}

Result<void> MmioTransport::enable_queue() {
  set_reg(mmio::kQueueReady, 1);
  return {};
}
bool MmioTransport::queue_enabled() { return reg(mmio::kQueueReady) != 0; }

void MmioTransport::notify(uint16_t queue) {
  full_fence();  // the available index before the doorbell
  set_reg(mmio::kQueueNotify, queue);
}

uint32_t MmioTransport::read_config(uint32_t offset, unsigned width) {
  if ((width != 1 && width != 2 && width != 4) || offset % width) return 0;
  if (offset >= size_ - mmio::kConfig || width > size_ - mmio::kConfig - offset) return 0;
  auto* config = reinterpret_cast<volatile uint8_t*>(regs_) + mmio::kConfig + offset;
  switch (width) {
    case 1: return *config;
    case 2: return *reinterpret_cast<volatile uint16_t*>(config);
    default: return *reinterpret_cast<volatile uint32_t*>(config);
  }
}

uint32_t MmioTransport::config_generation() { return reg(mmio::kConfigGeneration); }

uint32_t MmioTransport::interrupt_status() {
  const uint32_t status = reg(mmio::kInterruptStatus);
  if (status) set_reg(mmio::kInterruptAck, status);
  return status;
}

// --- virtio-pci ---

Result<PciCapabilities> parse_pci_capabilities(lib::pci::ConfigAccess& config,
                                               lib::pci::Address address) {
  PciCapabilities caps;
  uint16_t at = 0;
  // find_capability bounds the walk over a looping list; bound ours the same way.
  for (int steps = 0; steps < 48; ++steps) {
    at = lib::pci::find_capability(config, address, lib::pci::kCapabilityVendor, at);
    if (at == 0) break;
    const uint32_t header = config.read32(address, at);
    const auto length = static_cast<uint8_t>(header >> 16);
    const auto type = static_cast<uint8_t>(header >> 24);
    if (length < 16 || at + length > 0x100) continue;
    const auto bar = static_cast<uint8_t>(config.read32(address, static_cast<uint16_t>(at + 4)));
    if (bar > 5) continue;
    PciRegion region{bar, config.read32(address, static_cast<uint16_t>(at + 8)),
                     config.read32(address, static_cast<uint16_t>(at + 12))};
    if (region.length == 0) continue;
    switch (type) {
      case pci::kCommonCfg:
        if (!caps.common.length) caps.common = region;
        break;
      case pci::kNotifyCfg:
        if (!caps.notify.length && length >= 20) {
          caps.notify = region;
          caps.notify_off_multiplier = config.read32(address, static_cast<uint16_t>(at + 16));
        }
        break;
      case pci::kIsrCfg:
        if (!caps.isr.length) caps.isr = region;
        break;
      case pci::kDeviceCfg:
        if (!caps.device.length) caps.device = region;
        break;
      default: break;  // PCI_CFG access, shared memory, vendor data: not used
    }
  }
  if (!caps.common.length || !caps.notify.length || !caps.isr.length) return Error::NotFound;
  return caps;
}

Result<PciTransport> PciTransport::create(const PciCapabilities& caps,
                                          volatile uint8_t* const bars[6],
                                          const uint64_t bar_sizes[6]) {
  auto locate = [&](const PciRegion& r, uint32_t minimum, volatile uint8_t*& out) -> Result<void> {
    if (r.length == 0 && minimum == 0) return {};  // optional and absent
    if (r.bar > 5 || !bars[r.bar]) return Error::NotFound;
    if (r.length < minimum || uint64_t{r.offset} + r.length > bar_sizes[r.bar])
      return Error::OutOfRange;
    out = bars[r.bar] + r.offset;
    return {};
  };
  PciTransport t;
  TRY(locate(caps.common, pci::kCommonCfgSize, t.common_));
  TRY(locate(caps.notify, 2, t.notify_));
  TRY(locate(caps.isr, 1, t.isr_));
  TRY(locate(caps.device, 0, t.device_));
  t.notify_length_ = caps.notify.length;
  t.device_length_ = t.device_ ? caps.device.length : 0;
  t.multiplier_ = caps.notify_off_multiplier;
  return t;
}

template <typename T>
T PciTransport::common(uint32_t offset) {
  return *reinterpret_cast<volatile T*>(common_ + offset);
}

template <typename T>
void PciTransport::set_common(uint32_t offset, T value) {
  *reinterpret_cast<volatile T*>(common_ + offset) = value;
}

uint16_t PciTransport::num_queues() { return common<uint16_t>(pci::kNumQueues); }
uint8_t PciTransport::status() { return common<uint8_t>(pci::kDeviceStatus); }
void PciTransport::set_status(uint8_t status) { set_common<uint8_t>(pci::kDeviceStatus, status); }

uint32_t PciTransport::device_features(uint32_t half) {
  set_common<uint32_t>(pci::kDeviceFeatureSelect, half);
  return common<uint32_t>(pci::kDeviceFeature);
}

void PciTransport::set_driver_features(uint32_t half, uint32_t bits) {
  set_common<uint32_t>(pci::kDriverFeatureSelect, half);
  set_common<uint32_t>(pci::kDriverFeature, bits);
}

void PciTransport::select_queue(uint16_t queue) {
  selected_ = queue;
  set_common<uint16_t>(pci::kQueueSelect, queue);
}

uint16_t PciTransport::queue_size_max() { return common<uint16_t>(pci::kQueueSize); }
void PciTransport::set_queue_size(uint16_t size) { set_common<uint16_t>(pci::kQueueSize, size); }

void PciTransport::set_queue_rings(uint64_t descriptors, uint64_t driver, uint64_t device) {
  // 64-bit fields written as two 32-bit halves, low first (4.1.3.1 allows it).
  const uint32_t offsets[3] = {pci::kQueueDesc, pci::kQueueDriver, pci::kQueueDevice};
  const uint64_t values[3] = {descriptors, driver, device};
  for (int i = 0; i < 3; ++i) {
    set_common<uint32_t>(offsets[i], static_cast<uint32_t>(values[i]));
    set_common<uint32_t>(offsets[i] + 4, static_cast<uint32_t>(values[i] >> 32));
  }
}

uint32_t PciTransport::notify_offset_of_selected() {
  const uint64_t offset = uint64_t{common<uint16_t>(pci::kQueueNotifyOff)} * multiplier_;
  if (offset + 2 > notify_length_) {
    return UINT32_MAX;  // the device gave a notify offset outside its own structure
  }
  return static_cast<uint32_t>(offset);
}

Result<void> PciTransport::enable_queue() {
  const uint32_t offset = notify_offset_of_selected();
  if (offset == UINT32_MAX) return Error::OutOfRange;
  if (selected_ < kMaxQueues) {
    notify_offsets_[selected_] = offset;
    notify_known_[selected_] = true;
  }
  if (msix_vector_ != 0xffff) {
    set_common<uint16_t>(pci::kConfigMsixVector, msix_vector_);
    set_common<uint16_t>(pci::kQueueMsixVector, msix_vector_);
    if (common<uint16_t>(pci::kQueueMsixVector) != msix_vector_ ||
        common<uint16_t>(pci::kConfigMsixVector) != msix_vector_)
      return Error::NoResources;
  }
  set_common<uint16_t>(pci::kQueueEnable, 1);
  return {};
}

bool PciTransport::queue_enabled() { return common<uint16_t>(pci::kQueueEnable) != 0; }

void PciTransport::notify(uint16_t queue) {
  uint32_t offset;
  if (queue < kMaxQueues && notify_known_[queue]) {
    offset = notify_offsets_[queue];
  } else {
    select_queue(queue);  // a queue we did not enable, or beyond the table: look it up
    offset = notify_offset_of_selected();
    if (offset == UINT32_MAX) return;
  }
  full_fence();  // the available index before the doorbell
  *reinterpret_cast<volatile uint16_t*>(notify_ + offset) = queue;
}

uint32_t PciTransport::read_config(uint32_t offset, unsigned width) {
  if ((width != 1 && width != 2 && width != 4) || offset % width || !device_) return 0;
  if (offset >= device_length_ || width > device_length_ - offset) return 0;
  volatile uint8_t* at = device_ + offset;
  switch (width) {
    case 1: return *at;
    case 2: return *reinterpret_cast<volatile uint16_t*>(at);
    default: return *reinterpret_cast<volatile uint32_t*>(at);
  }
}

uint32_t PciTransport::config_generation() { return common<uint8_t>(pci::kConfigGeneration); }

uint32_t PciTransport::interrupt_status() { return *isr_; }  // reading acknowledges

}  // namespace lib::virtio
