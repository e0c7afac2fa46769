#include "servers/fs/fat/geometry.h"

#include "servers/fs/fat/layout.h"

namespace stellina::fs::fat {

void set_message(MountMessage& message, const char* text) {
  size_t i = 0;
  for (; text[i] && i + 1 < sizeof(message.text); ++i) message.text[i] = text[i];
  message.text[i] = '\0';
}

namespace {

bool power_of_two(uint32_t v) { return v && !(v & (v - 1)); }

Result<void> refuse(MountMessage& message, abi::Status status, const char* why) {
  set_message(message, why);
  return status;
}

}  // namespace

Result<void> parse_boot_sector(const uint8_t* boot, uint64_t device_sectors, Geometry& out,
                               MountMessage& message) {
  if (boot[kBootSignature] != 0x55 || boot[kBootSignature + 1] != 0xAA)
    return refuse(message, abi::kErrCorrupt, "no boot sector signature");
  Geometry g;
  g.sector_size = load16(boot + kBpbBytesPerSector);
  if (!power_of_two(g.sector_size) || g.sector_size < 512 || g.sector_size > 4096)
    return refuse(message, abi::kErrCorrupt, "bad bytes per sector");
  g.sectors_per_cluster = boot[kBpbSectorsPerCluster];
  if (!power_of_two(g.sectors_per_cluster))
    return refuse(message, abi::kErrCorrupt, "sectors per cluster not a power of two");
  g.cluster_size = g.sector_size * g.sectors_per_cluster;
  if (g.cluster_size > 65536) return refuse(message, abi::kErrCorrupt, "clusters over 64 KiB");
  g.fat_start = load16(boot + kBpbReservedSectors);
  if (g.fat_start == 0) return refuse(message, abi::kErrCorrupt, "no reserved sectors");
  g.fat_count = boot[kBpbFatCount];
  if (g.fat_count == 0 || g.fat_count > 4)
    return refuse(message, abi::kErrCorrupt, "bad number of FATs");
  g.root_entries = load16(boot + kBpbRootEntries);
  const uint32_t fat16_size = load16(boot + kBpbFatSize16);
  g.fat32 = fat16_size == 0;
  g.fat_sectors = g.fat32 ? load32(boot + kBpbFatSize32) : fat16_size;
  if (g.fat_sectors == 0) return refuse(message, abi::kErrCorrupt, "FAT size 0");
  const uint32_t total16 = load16(boot + kBpbTotalSectors16);
  g.total_sectors = total16 ? total16 : load32(boot + kBpbTotalSectors32);
  if (g.total_sectors * (g.sector_size / 512) > device_sectors)
    return refuse(message, abi::kErrCorrupt, "file system larger than the device");
  // Node numbers hold an entry's byte offset / 32 in 36 bits (fat.h).
  if (g.total_sectors * g.sector_size > (uint64_t{1} << 41))
    return refuse(message, abi::kErrNotSupported, "volumes over 2 TiB");

  const uint32_t root_bytes = static_cast<uint32_t>(g.root_entries * kEntrySize);
  const uint32_t root_sectors = (root_bytes + g.sector_size - 1) / g.sector_size;
  const uint64_t data_start =
      uint64_t{g.fat_start} + uint64_t{g.fat_count} * g.fat_sectors + root_sectors;
  if (data_start >= g.total_sectors)
    return refuse(message, abi::kErrCorrupt, "FATs and root directory past the volume");
  g.root_start = g.fat_start + g.fat_count * g.fat_sectors;
  g.data_start = static_cast<uint32_t>(data_start);
  const uint64_t clusters = (g.total_sectors - data_start) / g.sectors_per_cluster;
  if (clusters < 4085) return refuse(message, abi::kErrNotSupported, "FAT12 is not supported");
  if (clusters > 0x0FFFFFF5) return refuse(message, abi::kErrCorrupt, "too many clusters");
  g.cluster_count = static_cast<uint32_t>(clusters);
  const bool fat32_by_count = clusters >= 65525;
  if (fat32_by_count != g.fat32)
    return refuse(message, abi::kErrCorrupt, "FAT type does not match the cluster count");
  const uint64_t fat_entries = uint64_t{g.fat_sectors} * g.sector_size / (g.fat32 ? 4 : 2);
  if (fat_entries < uint64_t{g.cluster_count} + 2)
    return refuse(message, abi::kErrCorrupt, "FAT too small for the clusters");

  if (g.fat32) {
    if (g.root_entries != 0) return refuse(message, abi::kErrCorrupt, "FAT32 with a fixed root");
    if (load16(boot + kBpbFsVersion) != 0)
      return refuse(message, abi::kErrNotSupported, "FAT32 version past 0.0");
    g.root_cluster = load32(boot + kBpbRootCluster);
    if (g.root_cluster < 2 || g.root_cluster > g.max_cluster())
      return refuse(message, abi::kErrCorrupt, "root cluster out of range");
    const uint16_t flags = load16(boot + kBpbExtFlags);
    if (flags & 0x80) {
      g.mirrored = false;
      g.active_fat = flags & 0x0F;
      if (g.active_fat >= g.fat_count) return refuse(message, abi::kErrCorrupt, "bad active FAT");
    }
    g.fsinfo_sector = load16(boot + kBpbFsInfo);
    if (g.fsinfo_sector == 0xFFFF || g.fsinfo_sector >= g.fat_start) g.fsinfo_sector = 0;
  } else {
    if (g.root_entries == 0) return refuse(message, abi::kErrCorrupt, "FAT16 without a root");
  }
  out = g;
  return {};
}

}  // namespace stellina::fs::fat
