#pragma once
// The boot archive: a read-only bundle of named files (an "initrd") that the boot loader
// passes to the kernel as a module, written by tools/mkarchive.py. BootArchive reads it in
// place, without allocating; open() validates the whole layout, so entry() and find() never
// read outside the buffer. File contents are checked against their CRCs only on demand
// (verify), because that reads every byte.
//
// Format, all integers little-endian:
//
//   offset  size  header (kHeaderSize = 24 bytes)
//        0     8  magic "STLARCH1"
//        8     4  u32 version, kVersion = 1
//       12     4  u32 entry_count
//       16     8  u64 total_size: bytes of the archive, header included
//
//   then entry_count entries of kEntrySize = 80 bytes, the i-th at 24 + 80 * i:
//        0    56  name: 1..55 bytes in '!'..'~' (printable ASCII, no space), then NUL
//                 bytes up to the end of the field
//       56     8  u64 offset of the file's data from the start of the archive, a multiple
//                 of kDataAlign = 16, at or after the end of the entry table
//       64     8  u64 size of the file's data; offset + size <= total_size
//       72     4  u32 crc32 of the data (IEEE 802.3, as zlib's crc32)
//       76     4  u32 flags, 0
//
//   then the file data (zero padding between files to keep offsets aligned; tools/mkarchive.py
//   starts every ELF file on a 4 KiB page and the next file on the next page, so that the
//   kernel can map an ELF file's read-only segments from the archive instead of copying them).
//   Entries are sorted by name, bytewise and strictly ascending, so names are unique and find() is
//   a binary search. Files may share data bytes. Bytes of the buffer past total_size (a boot loader
//   may round a module up to a page) are ignored.
//
// The BootArchive refers to the buffer; the buffer must outlive it.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib {

// A run of bytes inside a buffer owned by someone else.
struct ByteSpan {
  const uint8_t* data;
  size_t size;
};

// The CRC-32 of [data, data + size): IEEE 802.3 polynomial, reflected, initial value and
// final XOR 0xffffffff (the value zlib.crc32 and Python's binascii.crc32 compute).
uint32_t crc32_ieee(const uint8_t* data, size_t size);

// One file of the archive. name is NUL-terminated and points into the archive buffer.
struct ArchiveEntry {
  const char* name;
  const uint8_t* data;
  size_t size;
  uint32_t crc32;
};

class BootArchive {
 public:
  static constexpr char kMagic[8] = {'S', 'T', 'L', 'A', 'R', 'C', 'H', '1'};
  static constexpr uint32_t kVersion = 1;
  static constexpr size_t kHeaderSize = 24;
  static constexpr size_t kEntrySize = 80;
  static constexpr size_t kNameSize = 56;  // the field; names are at most kNameSize - 1 bytes
  static constexpr size_t kDataAlign = 16;

  // Validates the archive at [data, data + size). Does not check the CRCs (see verify).
  // Errors:
  //   InvalidArgument  data is null; the magic is wrong; a name is empty, too long (no NUL
  //                    in its field), has bytes outside '!'..'~' or non-NUL padding; the
  //                    entries are not sorted by name; a data offset is not a multiple of
  //                    kDataAlign
  //   OutOfRange       the buffer is shorter than the header or than total_size; the entry
  //                    table does not fit in total_size; a file's data starts inside the
  //                    header or the entry table, or ends past total_size
  //   NotSupported     a version other than kVersion; nonzero entry flags
  //   AlreadyExists    two entries have the same name
  static Result<BootArchive> open(const uint8_t* data, size_t size);

  // The number of files.
  size_t count() const { return count_; }
  // The i-th file in name order; i < count().
  ArchiveEntry entry(size_t i) const;

  // The index of the file with this name. Errors: InvalidArgument if name is null;
  // NotFound if there is no such file.
  Result<size_t> index_of(const char* name) const;
  // The data of the file with this name, not CRC-checked. Errors: as index_of.
  Result<ByteSpan> find(const char* name) const;

  // Checks the data of file i against its CRC. Errors: OutOfRange if i >= count();
  // InvalidArgument if the CRC does not match.
  Result<void> verify(size_t i) const;
  // Checks every file; the first failure's error, as verify.
  Result<void> verify_all() const;

  // The whole archive, [start, start + total_size).
  ByteSpan bytes() const { return {data_, size_}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;  // total_size
  size_t count_ = 0;
};

}  // namespace lib
