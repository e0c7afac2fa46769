// Reads the two boot protocols Stellina accepts into one BootInfo: PVH (QEMU -kernel) and
// Multiboot2 (GRUB). Everything is copied into the kernel's own memory at once, because the
// boot loader's structures may sit in memory the allocator will later hand out.

#include "kernel/boot_info.h"
#include "boot_defs.h"
#include "kernel/log.h"
#include "platform.h"

namespace arch {
namespace {

template <typename T>
const T* at(uintptr_t phys) {
  return reinterpret_cast<const T*>(phys_to_virt(phys));
}

void copy_string(char* dst, size_t capacity, const char* src) {
  size_t i = 0;
  for (; src && src[i] && i + 1 < capacity; ++i) dst[i] = src[i];
  dst[i] = '\0';
}

kernel::MemoryType e820_type(uint32_t type) {
  switch (type) {
    case 1: return kernel::MemoryType::Usable;
    case 3: return kernel::MemoryType::AcpiReclaimable;
    case 4: return kernel::MemoryType::AcpiNvs;
    default: return kernel::MemoryType::Reserved;
  }
}

// PVH: struct hvm_start_info and friends (Xen public/arch-x86/hvm/start_info.h).
struct PvhStartInfo {
  uint32_t magic;  // 0x336ec578
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr;  // version >= 1
  uint32_t memmap_entries;
  uint32_t reserved;
};
struct PvhModule {
  uint64_t paddr, size, cmdline_paddr, reserved;
};
struct PvhMemmapEntry {
  uint64_t addr, size;
  uint32_t type, reserved;
};

void parse_pvh(uintptr_t phys, kernel::BootInfo& out) {
  const auto* info = at<PvhStartInfo>(phys);
  if (info->magic != 0x336ec578) kernel::panic("PVH: bad start info magic {:#x}", info->magic);
  out.protocol = "pvh";
  if (info->cmdline_paddr)
    copy_string(out.cmdline, sizeof(out.cmdline), at<char>(info->cmdline_paddr));
  out.acpi_rsdp = info->rsdp_paddr;
  const auto* mods = at<PvhModule>(info->modlist_paddr);
  for (uint32_t i = 0; i < info->nr_modules && info->modlist_paddr; ++i) {
    out.add_module(mods[i].paddr, mods[i].size,
                   mods[i].cmdline_paddr ? at<char>(mods[i].cmdline_paddr) : "");
  }
  if (info->version >= 1 && info->memmap_paddr) {
    const auto* map = at<PvhMemmapEntry>(info->memmap_paddr);
    for (uint32_t i = 0; i < info->memmap_entries; ++i)
      out.add_region(map[i].addr, map[i].size, e820_type(map[i].type));
  }
}

// Multiboot2: a list of 8-byte aligned tags after an 8-byte header.
struct Mb2Tag {
  uint32_t type, size;
};

void parse_multiboot2(uintptr_t phys, kernel::BootInfo& out) {
  out.protocol = "multiboot2";
  const uint32_t total = *at<uint32_t>(phys);
  for (uintptr_t p = phys + 8; p + sizeof(Mb2Tag) <= phys + total;) {
    const auto* tag = at<Mb2Tag>(p);
    if (tag->type == 0 || tag->size < sizeof(Mb2Tag)) break;
    const uintptr_t body = p + sizeof(Mb2Tag);
    switch (tag->type) {
      case 1:  // command line
        copy_string(out.cmdline, sizeof(out.cmdline), at<char>(body));
        break;
      case 3: {  // module: start, end, string
        const auto* m = at<uint32_t>(body);
        out.add_module(m[0], m[1] - m[0], at<char>(body + 8));
        break;
      }
      case 6: {  // memory map: entry_size, entry_version, entries
        const auto* hdr = at<uint32_t>(body);
        const uint32_t entry_size = hdr[0];  // at least base, length, type: 20 bytes
        for (uintptr_t e = body + 8; entry_size >= 20 && e + entry_size <= p + tag->size;
             e += entry_size) {
          const auto* ent = at<uint64_t>(e);
          out.add_region(ent[0], ent[1], e820_type(*at<uint32_t>(e + 16)));
        }
        break;
      }
      case 14:  // ACPI 1.0 RSDP, copied into the tag
      case 15:  // ACPI 2.0+ RSDP
        if (!out.acpi_rsdp || tag->type == 15) {
          const auto* src = at<uint8_t>(body);
          const size_t n =
              tag->size - 8 < sizeof(out.rsdp_copy) ? tag->size - 8 : sizeof(out.rsdp_copy);
          for (size_t i = 0; i < n; ++i) out.rsdp_copy[i] = src[i];
          out.acpi_rsdp = virt_to_phys(out.rsdp_copy);
        }
        break;
      default: break;
    }
    p += (tag->size + 7) & ~uintptr_t{7};
  }
}

}  // namespace

void parse_boot_info(uint32_t protocol, uintptr_t info_phys, kernel::BootInfo& out) {
  if (protocol == BOOT_PROTOCOL_PVH) {
    parse_pvh(info_phys, out);
  } else {
    parse_multiboot2(info_phys, out);
  }
}

}  // namespace arch
