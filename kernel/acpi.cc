#include "kernel/acpi.h"

#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/log.h"

namespace kernel::acpi {
namespace {

Info the_info;

struct [[gnu::packed]] Rsdp {
  char signature[8];
  uint8_t checksum;
  char oem[6];
  uint8_t revision;
  uint32_t rsdt;
  uint32_t length;  // revision >= 2
  uint64_t xsdt;
};

struct [[gnu::packed]] Header {
  char signature[4];
  uint32_t length;
  uint8_t revision;
  uint8_t checksum;
  char oem[6];
  char oem_table[8];
  uint32_t oem_revision;
  uint32_t creator, creator_revision;
};

struct [[gnu::packed]] Gas {
  uint8_t space, width, offset, access;
  uint64_t address;
};

template <typename T>
const T* at(uint64_t phys) {
  return static_cast<const T*>(arch::phys_to_virt(phys));
}

bool checksum_ok(const void* p, size_t n) {
  uint8_t sum = 0;
  for (size_t i = 0; i < n; ++i)
    sum = static_cast<uint8_t>(sum + static_cast<const uint8_t*>(p)[i]);
  return sum == 0;
}

bool signature_is(const char* s, const char* want) {
  for (int i = 0; i < 4; ++i)
    if (s[i] != want[i]) return false;
  return true;
}

Register from_gas(const Gas& g) { return Register{g.space, g.width, g.address}; }

bool readable(uintptr_t phys) {
  uint8_t byte;
  return arch::probe_read(reinterpret_cast<uintptr_t>(arch::phys_to_virt(phys)), &byte);
}

// The table at phys if it is one: mapped from its first to its last byte, of a sane length,
// with a good checksum and (when given) the expected signature. Firmware tables are input
// like any other: a bad one is skipped, never followed.
const Header* table_at(uint64_t phys, const char* signature) {
  constexpr uint32_t kMaxLength = 1 << 20;
  if (!phys || !readable(phys) || !readable(phys + sizeof(Header) - 1)) return nullptr;
  const auto* h = at<Header>(phys);
  if (h->length < sizeof(Header) || h->length > kMaxLength || !readable(phys + h->length - 1))
    return nullptr;
  if (signature && !signature_is(h->signature, signature)) return nullptr;
  if (!checksum_ok(h, h->length)) {
    log_warn("acpi: table at {:#x} has a bad checksum, skipped", phys);
    return nullptr;
  }
  return h;
}

constexpr uint32_t kMinMadtLength = 44;   // header, LAPIC address, flags
constexpr uint32_t kMinFadtLength = 116;  // the ACPI 1.0 FADT
constexpr uint32_t kMinMcfgLength = 44;   // header and 8 reserved bytes; entries follow

// A processor entry: an enabled one joins the list if there is room and the xAPIC can
// address it.
void add_processor(uint32_t apic_id, uint32_t flags) {
  constexpr uint32_t kEnabled = 1;
  constexpr uint32_t kMaxXapicId = 254;  // 255 is the broadcast address
  if (!(flags & kEnabled)) return;
  if (apic_id > kMaxXapicId || the_info.cpu_count == Info::kMaxListedCpus) {
    ++the_info.cpus_unusable;
    return;
  }
  the_info.cpu_apic_ids[the_info.cpu_count++] = apic_id;
}

void parse_madt(const Header* h) {
  const auto* base = reinterpret_cast<const uint8_t*>(h);
  the_info.lapic_phys = *reinterpret_cast<const uint32_t*>(base + 36);
  the_info.ioapic_count = 0;
  for (uint32_t off = 44; off + 2 <= h->length;) {
    const uint8_t type = base[off];
    const uint8_t len = base[off + 1];
    if (len < 2 || off + len > h->length) break;
    const uint8_t* e = base + off;
    if (type == 0 && len >= 8) {
      add_processor(e[3], *reinterpret_cast<const uint32_t*>(e + 4));
    } else if (type == 9 && len >= 16) {
      add_processor(*reinterpret_cast<const uint32_t*>(e + 4),
                    *reinterpret_cast<const uint32_t*>(e + 8));
    } else if (type == 1 && len >= 12 && the_info.ioapic_count < 4) {
      the_info.ioapics[the_info.ioapic_count++] = {*reinterpret_cast<const uint32_t*>(e + 4),
                                                   *reinterpret_cast<const uint32_t*>(e + 8)};
    } else if (type == 2 && len >= 10 && the_info.override_count < 16) {
      the_info.overrides[the_info.override_count++] = {e[3],
                                                       *reinterpret_cast<const uint32_t*>(e + 4),
                                                       *reinterpret_cast<const uint16_t*>(e + 8)};
    } else if (type == 5 && len >= 12) {
      the_info.lapic_phys = *reinterpret_cast<const uint64_t*>(e + 4);
    }
    off += len;
  }
}

// Finds "Name(_S5_, Package(){a, b, ...})" in the DSDT's AML and reads the first two
// values: the sleep types to write for soft-off. A full AML interpreter is not needed.
void parse_s5(const Header* dsdt) {
  const auto* aml = reinterpret_cast<const uint8_t*>(dsdt);
  const uint32_t length = dsdt->length;
  for (uint32_t i = sizeof(Header); i + 8 < length; ++i) {
    if (aml[i] != '_' || aml[i + 1] != 'S' || aml[i + 2] != '5' || aml[i + 3] != '_') continue;
    uint32_t p = i + 4;
    if (aml[p] != 0x12) continue;  // PackageOp
    ++p;
    p += ((aml[p] >> 6) & 3) + 1;  // PkgLength
    ++p;                           // NumElements
    uint8_t values[2] = {0, 0};
    for (int k = 0; k < 2 && p < length; ++k) {
      if (aml[p] == 0x0a && p + 1 < length) {  // BytePrefix
        values[k] = aml[p + 1];
        p += 2;
      } else if (aml[p] == 0x00 || aml[p] == 0x01) {  // ZeroOp, OneOp
        values[k] = aml[p];
        p += 1;
      } else {
        values[k] = 0;
        p += 1;
      }
    }
    the_info.s5_sleep_type_a = values[0];
    the_info.s5_sleep_type_b = values[1];
    return;
  }
}

// The first allocation for segment 0 counts: base (8 bytes), segment (2), start and end bus
// (1 each), 4 reserved. An entry with no base, a base not page-aligned or buses in the wrong
// order is skipped.
void parse_mcfg(const Header* h) {
  const auto* base = reinterpret_cast<const uint8_t*>(h);
  constexpr uint32_t kEntrySize = 16;
  for (uint32_t off = kMinMcfgLength; off + kEntrySize <= h->length; off += kEntrySize) {
    uint64_t address;
    uint16_t segment;
    __builtin_memcpy(&address, base + off, sizeof(address));
    __builtin_memcpy(&segment, base + off + 8, sizeof(segment));
    const uint8_t start = base[off + 10];
    const uint8_t end = base[off + 11];
    if (segment != 0 || address == 0 || (address & 0xfff) || start > end) continue;
    the_info.ecam_base = address;
    the_info.ecam_bus_start = start;
    the_info.ecam_bus_end = end;
    return;
  }
}

void parse_fadt(const Header* h) {
  const auto* base = reinterpret_cast<const uint8_t*>(h);
  auto u32 = [&](uint32_t off) {
    return off + 4 <= h->length ? *reinterpret_cast<const uint32_t*>(base + off) : 0u;
  };
  auto u64 = [&](uint32_t off) {
    return off + 8 <= h->length ? *reinterpret_cast<const uint64_t*>(base + off) : 0ull;
  };
  the_info.pm1a_control = u32(64);
  the_info.pm1b_control = u32(68);
  const uint32_t flags = u32(112);
  the_info.hardware_reduced = flags & (1u << 20);
  if (h->length >= 129 && (flags & (1u << 10))) {  // RESET_REG_SUP
    the_info.reset = from_gas(*reinterpret_cast<const Gas*>(base + 116));
    the_info.reset_value = base[128];
  }
  if (h->length >= 256)
    the_info.sleep_control = from_gas(*reinterpret_cast<const Gas*>(base + 244));
  uint64_t dsdt = u64(140);
  if (!dsdt) dsdt = u32(40);
  if (const Header* d = table_at(dsdt, "DSDT")) parse_s5(d);
}

}  // namespace

void init(const BootInfo& boot) {
  uintptr_t rsdp_phys = boot.acpi_rsdp ? boot.acpi_rsdp : arch::find_acpi_rsdp();
  if (!rsdp_phys) {
    log_warn("acpi: no RSDP; using PC defaults");
    return;
  }
  const auto* rsdp = at<Rsdp>(rsdp_phys);
  if (!readable(rsdp_phys) || !readable(rsdp_phys + sizeof(Rsdp) - 1) || !checksum_ok(rsdp, 20)) {
    log_warn("acpi: RSDP checksum mismatch; using PC defaults");
    return;
  }
  for (int i = 0; i < 6; ++i) the_info.oem[i] = rsdp->oem[i];
  const bool use_xsdt = rsdp->revision >= 2 && rsdp->xsdt;
  const Header* root = table_at(use_xsdt ? rsdp->xsdt : rsdp->rsdt, use_xsdt ? "XSDT" : "RSDT");
  if (!root) {
    log_warn("acpi: no valid root table; using PC defaults");
    return;
  }
  the_info.present = true;
  const size_t entry_size = use_xsdt ? 8 : 4;
  const size_t entries = (root->length - sizeof(Header)) / entry_size;
  const auto* list = reinterpret_cast<const uint8_t*>(root) + sizeof(Header);
  const Header* madt = nullptr;
  const Header* fadt = nullptr;
  const Header* mcfg = nullptr;
  for (size_t i = 0; i < entries; ++i) {
    const uint64_t phys = use_xsdt ? *reinterpret_cast<const uint64_t*>(list + i * 8)
                                   : *reinterpret_cast<const uint32_t*>(list + i * 4);
    const Header* h = table_at(phys, nullptr);
    if (!h) continue;
    // The first valid table of each kind counts; later duplicates are ignored.
    if (signature_is(h->signature, "APIC") && !madt && h->length >= kMinMadtLength) madt = h;
    if (signature_is(h->signature, "FACP") && !fadt && h->length >= kMinFadtLength) fadt = h;
    if (signature_is(h->signature, "MCFG") && !mcfg && h->length >= kMinMcfgLength) mcfg = h;
  }
  if (madt) parse_madt(madt);
  if (fadt) parse_fadt(fadt);
  if (mcfg) parse_mcfg(mcfg);
  log_info("acpi: {} tables from {}, {} I/O APIC(s), {} overrides{}", entries, the_info.oem,
           the_info.ioapic_count, the_info.override_count,
           the_info.hardware_reduced ? ", hardware-reduced" : "");
  if (the_info.ecam_base) {
    log_info("acpi: PCI ECAM at {:#x}, buses {}-{}", the_info.ecam_base,
             unsigned{the_info.ecam_bus_start}, unsigned{the_info.ecam_bus_end});
  }
}

const Info& info() { return the_info; }

void write_register(const Register& reg, uint64_t value) {
  const unsigned width = reg.width_bits ? reg.width_bits / 8 : 1;
  if (reg.space == 1) {
    arch::io_write(static_cast<uint16_t>(reg.address), static_cast<uint32_t>(value), width);
  } else if (reg.space == 0) {
    auto mapped = arch::map_mmio(reg.address, width);
    if (!mapped.ok()) return;
    auto* p = static_cast<volatile uint8_t*>(mapped.value());
    switch (width) {
      case 1: *p = static_cast<uint8_t>(value); break;
      case 2: *reinterpret_cast<volatile uint16_t*>(p) = static_cast<uint16_t>(value); break;
      case 4: *reinterpret_cast<volatile uint32_t*>(p) = static_cast<uint32_t>(value); break;
      default: *reinterpret_cast<volatile uint64_t*>(p) = value; break;
    }
  }
}

}  // namespace kernel::acpi
