#pragma once
// FAT's on-disk layout (Microsoft's "FAT: General Overview of On-Disk Format"): the fields of
// the boot sector, of FSInfo and of a 32-byte directory entry, read and written little-endian
// from byte buffers (the engine never casts disk bytes to structs).

#include <stddef.h>
#include <stdint.h>

namespace stellina::fs::fat {

inline uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t load32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void store32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Boot sector (BPB) fields.
constexpr uint32_t kBpbBytesPerSector = 11;
constexpr uint32_t kBpbSectorsPerCluster = 13;
constexpr uint32_t kBpbReservedSectors = 14;
constexpr uint32_t kBpbFatCount = 16;
constexpr uint32_t kBpbRootEntries = 17;
constexpr uint32_t kBpbTotalSectors16 = 19;
constexpr uint32_t kBpbFatSize16 = 22;
constexpr uint32_t kBpbTotalSectors32 = 32;
constexpr uint32_t kBpbFatSize32 = 36;
constexpr uint32_t kBpbExtFlags = 40;
constexpr uint32_t kBpbFsVersion = 42;
constexpr uint32_t kBpbRootCluster = 44;
constexpr uint32_t kBpbFsInfo = 48;
constexpr uint32_t kBootSignature = 510;  // 0x55 0xAA

// FSInfo (FAT32): signatures and the hints it carries.
constexpr uint32_t kFsInfoLeadSignature = 0x41615252;
constexpr uint32_t kFsInfoStructSignature = 0x61417272;
constexpr uint32_t kFsInfoTrailSignature = 0xAA550000;
constexpr uint32_t kFsInfoLead = 0;
constexpr uint32_t kFsInfoStruct = 484;
constexpr uint32_t kFsInfoFreeCount = 488;
constexpr uint32_t kFsInfoNextFree = 492;
constexpr uint32_t kFsInfoTrail = 508;

// A directory entry: 32 bytes.
constexpr size_t kEntrySize = 32;
constexpr uint32_t kEntName = 0;  // 11 bytes: 8 + 3, space padded
constexpr uint32_t kEntAttr = 11;
constexpr uint32_t kEntNtCase = 12;  // Windows NT: kCaseLowerBase / kCaseLowerExt
constexpr uint32_t kEntCreateTenth = 13;
constexpr uint32_t kEntCreateTime = 14;
constexpr uint32_t kEntCreateDate = 16;
constexpr uint32_t kEntAccessDate = 18;
constexpr uint32_t kEntClusterHigh = 20;
constexpr uint32_t kEntWriteTime = 22;
constexpr uint32_t kEntWriteDate = 24;
constexpr uint32_t kEntClusterLow = 26;
constexpr uint32_t kEntSize = 28;

constexpr uint8_t kAttrReadOnly = 0x01;
constexpr uint8_t kAttrHidden = 0x02;
constexpr uint8_t kAttrSystem = 0x04;
constexpr uint8_t kAttrVolumeId = 0x08;
constexpr uint8_t kAttrDirectory = 0x10;
constexpr uint8_t kAttrArchive = 0x20;
constexpr uint8_t kAttrLongName = 0x0F;  // (attr & kAttrLongMask) == kAttrLongName
constexpr uint8_t kAttrLongMask = 0x3F;

constexpr uint8_t kCaseLowerBase = 0x08;
constexpr uint8_t kCaseLowerExt = 0x10;

constexpr uint8_t kEntryFree = 0xE5;  // name[0] of a deleted entry
constexpr uint8_t kEntryEnd = 0x00;   // name[0]: this and every later entry are free
constexpr uint8_t kEntryE5 = 0x05;    // name[0] standing for a real 0xE5 byte

// A long-name (LFN) entry: 13 UCS-2 characters in three runs.
constexpr uint32_t kLfnOrder = 0;
constexpr uint8_t kLfnLast = 0x40;
constexpr uint32_t kLfnChecksum = 13;
constexpr uint32_t kLfnChars = 13;
constexpr uint32_t kLfnMaxEntries = 20;  // 255 characters

// Where the 13 characters of an LFN entry are.
constexpr uint8_t kLfnCharOffsets[kLfnChars] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

inline uint32_t entry_cluster(const uint8_t* e, bool fat32) {
  const uint32_t low = load16(e + kEntClusterLow);
  return fat32 ? (low | (static_cast<uint32_t>(load16(e + kEntClusterHigh)) << 16)) & 0x0FFFFFFF
               : low;
}
inline void set_entry_cluster(uint8_t* e, uint32_t cluster) {
  store16(e + kEntClusterLow, static_cast<uint16_t>(cluster));
  store16(e + kEntClusterHigh, static_cast<uint16_t>(cluster >> 16));
}
inline bool is_long_entry(const uint8_t* e) {
  return (e[kEntAttr] & kAttrLongMask) == kAttrLongName;
}

}  // namespace stellina::fs::fat
