#include <lib/archive.h>

namespace lib {

namespace {

struct CrcTable {
  uint32_t entries[256];
};

constexpr CrcTable make_crc_table() {
  CrcTable table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table.entries[i] = c;
  }
  return table;
}

constexpr CrcTable kCrcTable = make_crc_table();

uint32_t read_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t read_u64(const uint8_t* p) {
  return uint64_t{read_u32(p)} | uint64_t{read_u32(p + 4)} << 32;
}

// Entry field offsets.
constexpr size_t kOffsetField = BootArchive::kNameSize;
constexpr size_t kSizeField = kOffsetField + 8;
constexpr size_t kCrcField = kSizeField + 8;
constexpr size_t kFlagsField = kCrcField + 4;
static_assert(kFlagsField + 4 == BootArchive::kEntrySize);

// Checks a name field: 1..kNameSize - 1 printable bytes, then NUL padding.
Result<void> check_name(const uint8_t* field) {
  size_t length = 0;
  while (length < BootArchive::kNameSize && field[length] != 0) {
    if (field[length] < '!' || field[length] > '~') return Error::InvalidArgument;
    ++length;
  }
  if (length == 0 || length == BootArchive::kNameSize) return Error::InvalidArgument;
  for (size_t i = length; i < BootArchive::kNameSize; ++i) {
    if (field[i] != 0) return Error::InvalidArgument;
  }
  return {};
}

// Compares a NUL-terminated query with a validated name field, bytewise like strcmp.
// A query longer than the field compares greater than every name.
int compare_name(const char* query, const uint8_t* field) {
  for (size_t i = 0; i < BootArchive::kNameSize; ++i) {
    const auto q = static_cast<uint8_t>(query[i]);
    if (q != field[i]) return q < field[i] ? -1 : 1;
    if (q == 0) return 0;
  }
  return 1;  // unreachable for a validated field, which holds a NUL
}

}  // namespace

uint32_t crc32_ieee(const uint8_t* data, size_t size) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < size; ++i) c = kCrcTable.entries[(c ^ data[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

Result<BootArchive> BootArchive::open(const uint8_t* data, size_t size) {
  if (data == nullptr) return Error::InvalidArgument;
  if (size < kHeaderSize) return Error::OutOfRange;
  for (size_t i = 0; i < sizeof(kMagic); ++i) {
    if (data[i] != static_cast<uint8_t>(kMagic[i])) return Error::InvalidArgument;
  }
  if (read_u32(data + 8) != kVersion) return Error::NotSupported;
  const uint32_t count = read_u32(data + 12);
  const uint64_t total = read_u64(data + 16);
  if (total < kHeaderSize || total > size) return Error::OutOfRange;
  // count < 2^32 and kEntrySize < 2^7: the product cannot overflow 64 bits.
  if (uint64_t{count} * kEntrySize > total - kHeaderSize) return Error::OutOfRange;
  const uint64_t data_start = kHeaderSize + uint64_t{count} * kEntrySize;

  for (size_t i = 0; i < count; ++i) {
    const uint8_t* e = data + kHeaderSize + i * kEntrySize;
    TRY(check_name(e));
    if (i > 0) {
      const int order = compare_name(reinterpret_cast<const char*>(e - kEntrySize), e);
      if (order == 0) return Error::AlreadyExists;
      if (order > 0) return Error::InvalidArgument;
    }
    const uint64_t offset = read_u64(e + kOffsetField);
    const uint64_t length = read_u64(e + kSizeField);
    if (offset % kDataAlign != 0) return Error::InvalidArgument;
    if (offset < data_start || offset > total || length > total - offset) {
      return Error::OutOfRange;
    }
    if (read_u32(e + kFlagsField) != 0) return Error::NotSupported;
  }

  BootArchive archive;
  archive.data_ = data;
  archive.size_ = total;
  archive.count_ = count;
  return archive;
}

ArchiveEntry BootArchive::entry(size_t i) const {
  const uint8_t* e = data_ + kHeaderSize + i * kEntrySize;
  return {reinterpret_cast<const char*>(e), data_ + read_u64(e + kOffsetField),
          static_cast<size_t>(read_u64(e + kSizeField)), read_u32(e + kCrcField)};
}

Result<size_t> BootArchive::index_of(const char* name) const {
  if (name == nullptr) return Error::InvalidArgument;
  size_t low = 0;
  size_t high = count_;
  while (low < high) {
    const size_t mid = low + (high - low) / 2;
    const int order = compare_name(name, data_ + kHeaderSize + mid * kEntrySize);
    if (order == 0) return mid;
    if (order < 0) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return Error::NotFound;
}

Result<ByteSpan> BootArchive::find(const char* name) const {
  const ArchiveEntry e = entry(TRY(index_of(name)));
  return ByteSpan{e.data, e.size};
}

Result<void> BootArchive::verify(size_t i) const {
  if (i >= count_) return Error::OutOfRange;
  const ArchiveEntry e = entry(i);
  if (crc32_ieee(e.data, e.size) != e.crc32) return Error::InvalidArgument;
  return {};
}

Result<void> BootArchive::verify_all() const {
  for (size_t i = 0; i < count_; ++i) TRY(verify(i));
  return {};
}

}  // namespace lib
