#pragma once
// Where a FAT volume keeps its parts, as its boot sector says, checked before anything else
// is read: every region lies inside the volume and the volume inside the device, so a
// hostile boot sector cannot send a read or a write elsewhere.

#include <stdint.h>

#include <stellina/result.h>

#include "servers/fs/core/filesystem.h"

namespace stellina::fs::fat {

struct Geometry {
  uint32_t sector_size = 0;  // bytes: 512, 1024, 2048 or 4096
  uint32_t sectors_per_cluster = 0;
  uint32_t cluster_size = 0;  // bytes
  uint32_t fat_start = 0;     // sector of the first FAT
  uint32_t fat_count = 0;
  uint32_t fat_sectors = 0;   // of one FAT
  uint32_t root_start = 0;    // FAT16: the fixed root directory
  uint32_t root_entries = 0;  // FAT16; 0 on FAT32
  uint32_t data_start = 0;    // sector of cluster 2
  uint64_t total_sectors = 0;
  uint32_t cluster_count = 0;  // clusters 2 .. cluster_count + 1
  uint32_t root_cluster = 0;   // FAT32
  uint32_t fsinfo_sector = 0;  // FAT32; 0: none
  uint32_t active_fat = 0;     // the FAT read (FAT32 with mirroring off)
  bool mirrored = true;        // every FAT copy is written
  bool fat32 = false;

  uint32_t max_cluster() const { return cluster_count + 1; }
  uint32_t entries_per_sector() const { return sector_size / 32; }
  uint64_t cluster_sector(uint32_t cluster) const {
    return data_start + static_cast<uint64_t>(cluster - 2) * sectors_per_cluster;
  }
};

// Reads the geometry from the boot sector (its first 512 bytes are enough); device_sectors
// counts 512-byte sectors. Errors (with the reason in message): kErrCorrupt, kErrNotSupported
// (FAT12, a FAT32 version past 0, a volume past 2 TiB).
Result<void> parse_boot_sector(const uint8_t* boot, uint64_t device_sectors, Geometry& out,
                               MountMessage& message);

void set_message(MountMessage& message, const char* text);

}  // namespace stellina::fs::fat
