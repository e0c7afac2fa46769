#pragma once
// PCI configuration space: finding the functions on the buses, sizing their BARs and walking
// their capability lists. Freestanding and allocation-free; the device manager uses it over
// ECAM, the unit tests over a simulated configuration space. Register layouts are those of
// the PCI Local Bus and PCI Express Base specifications (type 0 and type 1 headers).

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib::pci {

// Where a function sits.
struct Address {
  uint8_t bus, device, function;
};

// Reads and writes one function's configuration space (4 KiB with ECAM; offsets are
// 4-byte aligned). A function that does not exist reads as all ones.
class ConfigAccess {
 public:
  virtual uint32_t read32(Address a, uint16_t offset) = 0;
  virtual void write32(Address a, uint16_t offset, uint32_t value) = 0;

 protected:
  ~ConfigAccess() = default;
};

// Offsets in the common header.
constexpr uint16_t kVendorId = 0x00, kCommand = 0x04, kClassRevision = 0x08, kHeaderType = 0x0c,
                   kBar0 = 0x10, kBusNumbers = 0x18, kSubsystem = 0x2c, kCapabilities = 0x34,
                   kInterrupt = 0x3c;
constexpr uint16_t kCommandIo = 1u << 0, kCommandMemory = 1u << 1, kCommandBusMaster = 1u << 2;
constexpr uint16_t kStatusCapabilities = 1u << 4;  // in the status word (offset 6)

struct Bar {
  enum class Kind : uint8_t { None, Memory32, Memory64, Io };
  Kind kind = Kind::None;
  bool prefetchable = false;
  uint64_t base = 0;  // bus address (port number for Io)
  uint64_t size = 0;
};

struct Function {
  Address address;
  uint16_t vendor, device;
  uint8_t class_code, subclass, prog_if, revision;
  uint8_t header_type;  // without the multi-function bit
  uint16_t subsystem_vendor, subsystem;
  uint8_t interrupt_pin, interrupt_line;
  Bar bars[6];  // type 0 headers; a 64-bit BAR takes two slots (the second is Kind::None)
};

// Reads the function's identity and header fields (not the BARs: sizing writes to the
// device, see size_bars). Errors: NotFound (no function there).
Result<Function> read_function(ConfigAccess& config, Address a);

// Sizes the BARs of a type 0 function the standard way: with decoding switched off in the
// command register, write all ones to each BAR, read back the size mask, restore the BAR,
// then restore the command register.
void size_bars(ConfigAccess& config, Function& f);

// A range of bus addresses to place BARs in. take() hands out naturally aligned blocks of
// at least a page, so no two BARs share a page: a page of device memory given to one
// driver never holds another device's registers.
class AddressWindow {
 public:
  // [start, end): end is exclusive.
  AddressWindow(uint64_t start, uint64_t end) : next_(start), end_(end) {}
  // Errors: NoMemory (it does not fit), InvalidArgument (size not a power of two).
  Result<uint64_t> take(uint64_t size);

 private:
  uint64_t next_, end_;
};

// Places every memory BAR of a type 0 function that firmware left unassigned (base 0) in
// the window, with decoding switched off while the BARs are written (a 64-bit BAR gets an
// address below 4 GiB only if the window is there). Updates f.bars. I/O BARs are left
// alone. Errors: NoMemory (the window is full; BARs placed so far keep their addresses).
Result<void> assign_memory_bars(ConfigAccess& config, Function& f, AddressWindow& window);

// Sets bits in the command register and clears others (e.g. memory decoding and bus
// mastering on, the INTx disable bit off).
void update_command(ConfigAccess& config, Address a, uint16_t set, uint16_t clear);
constexpr uint16_t kCommandIntxDisable = 1u << 10;

// Calls visit for every function on bus `first` and the buses behind its bridges (type 1
// headers, their secondary bus numbers), depth first, at most max_buses buses (a loop of
// bridges cannot make it run forever). visit returns false to stop. Returns how many
// functions it visited.
template <typename Visit>
size_t enumerate(ConfigAccess& config, uint8_t first, size_t max_buses, Visit&& visit);

// The offset of the first capability with this id at or after the one at `from` (0: from
// the start of the list), or 0 if there is none. A malformed list (a loop, an offset inside
// the header) ends the walk.
uint16_t find_capability(ConfigAccess& config, Address a, uint8_t id, uint16_t from = 0);
constexpr uint8_t kCapabilityMsi = 0x05, kCapabilityVendor = 0x09, kCapabilityMsiX = 0x11;

// A short description of the class ("host bridge", "Ethernet controller", ...).
const char* class_name(uint8_t class_code, uint8_t subclass);

// --- implementation of enumerate ---

namespace detail {
bool scan_bus(ConfigAccess& config, uint8_t bus, size_t& buses_left, size_t& visited,
              bool (*visit)(void*, const Function&), void* context);
}

template <typename Visit>
size_t enumerate(ConfigAccess& config, uint8_t first, size_t max_buses, Visit&& visit) {
  size_t visited = 0, buses_left = max_buses;
  auto trampoline = [](void* context, const Function& f) {
    return (*static_cast<Visit*>(context))(f);
  };
  detail::scan_bus(config, first, buses_left, visited, trampoline, &visit);
  return visited;
}

}  // namespace lib::pci
