#pragma once
// The ext2/ext4 on-disk format: where each field of the superblock, group descriptors,
// inodes, directory entries and extent tree lies, and the feature bits. Fields are read and
// written by byte offset (all little-endian), so no structure's packing or alignment
// matters and a hostile image cannot misalign anything.

#include <stddef.h>
#include <stdint.h>

namespace stellina::fs::ext2 {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ext2 fields are little-endian");

inline uint16_t le16(const uint8_t* p) {
  uint16_t v;
  __builtin_memcpy(&v, p, 2);
  return v;
}
inline uint32_t le32(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}
inline void put16(uint8_t* p, uint16_t v) { __builtin_memcpy(p, &v, 2); }
inline void put32(uint8_t* p, uint32_t v) { __builtin_memcpy(p, &v, 4); }

constexpr uint64_t kSuperblockOffset = 1024;
constexpr uint32_t kSuperblockSize = 1024;
constexpr uint16_t kMagic = 0xef53;
constexpr uint32_t kRootInode = 2;
constexpr uint32_t kGoodOldInodeSize = 128;
constexpr uint32_t kGoodOldFirstInode = 11;

// Superblock field offsets.
namespace sb {
constexpr size_t kInodesCount = 0;
constexpr size_t kBlocksCount = 4;
constexpr size_t kFreeBlocks = 12;
constexpr size_t kFreeInodes = 16;
constexpr size_t kFirstDataBlock = 20;
constexpr size_t kLogBlockSize = 24;
constexpr size_t kLogClusterSize = 28;
constexpr size_t kBlocksPerGroup = 32;
constexpr size_t kClustersPerGroup = 36;
constexpr size_t kInodesPerGroup = 40;
constexpr size_t kWtime = 48;
constexpr size_t kMagic = 56;
constexpr size_t kState = 58;
constexpr size_t kRevLevel = 76;
constexpr size_t kFirstIno = 84;
constexpr size_t kInodeSize = 88;
constexpr size_t kFeatureCompat = 92;
constexpr size_t kFeatureIncompat = 96;
constexpr size_t kFeatureRoCompat = 100;
constexpr size_t kReservedGdtBlocks = 206;
constexpr size_t kDescSize = 254;
constexpr size_t kBlocksCountHi = 336;
constexpr size_t kFreeBlocksHi = 344;
constexpr size_t kWantExtraIsize = 350;
constexpr size_t kBackupBgs = 0x24c;
}  // namespace sb

// Feature bits: compat ones any implementation may ignore; incompat ones it must understand
// to read; ro_compat ones it must understand to write.
constexpr uint32_t kCompatHasJournal = 0x4;
constexpr uint32_t kCompatResizeInode = 0x10;
constexpr uint32_t kCompatSparseSuper2 = 0x200;

constexpr uint32_t kIncompatCompression = 0x1;
constexpr uint32_t kIncompatFiletype = 0x2;
constexpr uint32_t kIncompatRecover = 0x4;
constexpr uint32_t kIncompatJournalDev = 0x8;
constexpr uint32_t kIncompatMetaBg = 0x10;
constexpr uint32_t kIncompatExtents = 0x40;
constexpr uint32_t kIncompat64Bit = 0x80;
constexpr uint32_t kIncompatMmp = 0x100;
constexpr uint32_t kIncompatFlexBg = 0x200;
constexpr uint32_t kIncompatEaInode = 0x400;
constexpr uint32_t kIncompatDirData = 0x1000;
constexpr uint32_t kIncompatCsumSeed = 0x2000;
constexpr uint32_t kIncompatLargeDir = 0x4000;
constexpr uint32_t kIncompatInlineData = 0x8000;
constexpr uint32_t kIncompatEncrypt = 0x10000;
constexpr uint32_t kIncompatCasefold = 0x20000;

constexpr uint32_t kRoCompatSparseSuper = 0x1;
constexpr uint32_t kRoCompatLargeFile = 0x2;
constexpr uint32_t kRoCompatHugeFile = 0x8;
constexpr uint32_t kRoCompatGdtCsum = 0x10;
constexpr uint32_t kRoCompatDirNlink = 0x20;
constexpr uint32_t kRoCompatMetadataCsum = 0x400;

// Group descriptor field offsets (the _hi halves only with 64bit and desc_size >= 64).
namespace gd {
constexpr size_t kBlockBitmap = 0;
constexpr size_t kInodeBitmap = 4;
constexpr size_t kInodeTable = 8;
constexpr size_t kFreeBlocks = 12;
constexpr size_t kFreeInodes = 14;
constexpr size_t kUsedDirs = 16;
constexpr size_t kFlags = 18;
constexpr size_t kItableUnused = 28;
constexpr size_t kBlockBitmapHi = 32;
constexpr size_t kInodeBitmapHi = 36;
constexpr size_t kInodeTableHi = 40;
constexpr size_t kFreeBlocksHi = 44;
constexpr size_t kFreeInodesHi = 46;
constexpr size_t kUsedDirsHi = 48;
constexpr size_t kItableUnusedHi = 50;
constexpr uint16_t kInodeUninit = 0x1;
constexpr uint16_t kBlockUninit = 0x2;
}  // namespace gd

// Inode field offsets.
namespace ino {
constexpr size_t kMode = 0;
constexpr size_t kUid = 2;
constexpr size_t kSize = 4;
constexpr size_t kAtime = 8;
constexpr size_t kCtime = 12;
constexpr size_t kMtime = 16;
constexpr size_t kDtime = 20;
constexpr size_t kGid = 24;
constexpr size_t kLinks = 26;
constexpr size_t kBlocks = 28;
constexpr size_t kFlags = 32;
constexpr size_t kBlock = 40;  // i_block[15]: 60 bytes
constexpr size_t kFileAcl = 104;
constexpr size_t kSizeHigh = 108;
constexpr size_t kBlocksHigh = 116;
constexpr size_t kFileAclHigh = 118;
constexpr size_t kUidHigh = 120;
constexpr size_t kGidHigh = 122;
constexpr size_t kExtraIsize = 128;
constexpr size_t kCtimeExtra = 132;
constexpr size_t kMtimeExtra = 136;
constexpr size_t kAtimeExtra = 140;
constexpr size_t kCrtime = 144;
constexpr size_t kCrtimeExtra = 148;
constexpr size_t kKnownSize = 160;        // the bytes this engine reads and writes
constexpr uint32_t kExtraTimesEnd = 152;  // 128 + extra_isize must reach this for *_extra

constexpr uint32_t kBlockPointers = 15;
constexpr uint32_t kDirectBlocks = 12;
constexpr uint32_t kFastSymlinkMax = 60;  // a target shorter than this lives in i_block

constexpr uint32_t kIndexFlag = 0x1000;  // a hashed (htree) directory
constexpr uint32_t kHugeFileFlag = 0x40000;
constexpr uint32_t kExtentsFlag = 0x80000;
constexpr uint32_t kInlineDataFlag = 0x10000000;
}  // namespace ino

constexpr uint32_t kModeTypeMask = 0170000;
constexpr uint32_t kModeRegular = 0100000;
constexpr uint32_t kModeDirectory = 0040000;
constexpr uint32_t kModeSymlink = 0120000;

// Directory entries: inode u32, rec_len u16, name_len u8, file_type u8, then the name.
constexpr uint32_t kDirEntryHeader = 8;
constexpr uint8_t kFileTypeRegular = 1;
constexpr uint8_t kFileTypeDirectory = 2;
constexpr uint8_t kFileTypeSymlink = 7;

// The bytes an entry with a name of name_len bytes needs.
constexpr uint32_t dir_entry_size(uint32_t name_len) {
  return (kDirEntryHeader + name_len + 3) & ~3u;
}

// Extended attribute block header.
constexpr uint32_t kXattrMagic = 0xea020000;
constexpr size_t kXattrRefcount = 4;

// Extent tree: a 12-byte header, then 12-byte entries (index nodes or leaves).
constexpr uint16_t kExtentMagic = 0xf30a;
constexpr uint32_t kExtentHeader = 12;
constexpr uint32_t kExtentEntry = 12;
constexpr uint32_t kExtentMaxDepth = 5;
constexpr uint32_t kExtentInitMaxLen = 32768;  // longer: an uninitialized extent (zeroes)

}  // namespace stellina::fs::ext2
