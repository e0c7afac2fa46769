#include <lib/elf.h>

namespace lib {

namespace {

// ELF64 layout (System V gABI and the x86_64 psABI). Fields are read byte by byte, so the
// buffer needs no alignment and the host's byte order does not matter.
constexpr size_t kEhdrSize = 64;
constexpr size_t kPhdrSize = 56;
constexpr size_t kDynSize = 16;
constexpr size_t kRelaSize = 24;

constexpr uint8_t kClass64 = 2;
constexpr uint8_t kClass32 = 1;
constexpr uint8_t kDataLittle = 1;
constexpr uint8_t kDataBig = 2;
constexpr uint32_t kVersionCurrent = 1;
constexpr uint16_t kTypeExec = 2;
constexpr uint16_t kTypeDyn = 3;
constexpr uint16_t kMachineAmd64 = 62;
constexpr uint16_t kPhnumExtended = 0xffff;  // PN_XNUM: the count is in section header 0

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtDynamic = 2;
constexpr uint32_t kPtInterp = 3;
constexpr uint32_t kPtTls = 7;

constexpr int64_t kDtNull = 0;
constexpr int64_t kDtNeeded = 1;
constexpr int64_t kDtPltRelSz = 2;
constexpr int64_t kDtRela = 7;
constexpr int64_t kDtRelaSz = 8;
constexpr int64_t kDtRelaEnt = 9;
constexpr int64_t kDtRel = 17;
constexpr int64_t kDtRelSz = 18;
constexpr int64_t kDtJmpRel = 23;
constexpr int64_t kDtRelrSz = 35;
constexpr int64_t kDtRelr = 36;

constexpr uint32_t kRelocRelative = 8;  // R_X86_64_RELATIVE

constexpr uint32_t kRightsMask =
    SegmentFlags::kExecute | SegmentFlags::kWrite | SegmentFlags::kRead;

uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t read_u32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint64_t read_u64(const uint8_t* p) {
  return uint64_t{read_u32(p)} | uint64_t{read_u32(p + 4)} << 32;
}

// True if [offset, offset + length) lies inside [0, size), without overflow.
bool within(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

bool is_power_of_two(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// Reads and checks one PT_LOAD program header.
Result<ElfSegment> parse_load(const uint8_t* ph, size_t size) {
  ElfSegment s{};
  s.flags = read_u32(ph + 4) & kRightsMask;
  s.file_offset = read_u64(ph + 8);
  s.vaddr = read_u64(ph + 16);
  s.filesz = read_u64(ph + 32);
  s.memsz = read_u64(ph + 40);
  s.align = read_u64(ph + 48);
  if (s.filesz > s.memsz) return Error::InvalidArgument;
  if (!within(s.file_offset, s.filesz, size)) return Error::OutOfRange;
  if (!within(s.vaddr, s.memsz, ElfImage::kUserTop)) return Error::OutOfRange;
  if (s.align > 1) {
    if (!is_power_of_two(s.align)) return Error::InvalidArgument;
    // Unsigned wrap-around is harmless: a power of two divides 2^64.
    if ((s.vaddr - s.file_offset) & (s.align - 1)) return Error::InvalidArgument;
  }
  return s;
}

// Sorts the (at most kMaxSegments) segments by vaddr.
void sort_by_vaddr(ElfSegment* segments, size_t count) {
  for (size_t i = 1; i < count; ++i) {
    const ElfSegment s = segments[i];
    size_t j = i;
    for (; j > 0 && segments[j - 1].vaddr > s.vaddr; --j) segments[j] = segments[j - 1];
    segments[j] = s;
  }
}

struct DynamicInfo {
  bool has_rela = false;
  bool has_rela_size = false;
  uint64_t rela = 0;
  uint64_t rela_size = 0;
  uint64_t rela_entry = kRelaSize;
};

// Walks the dynamic table [offset, offset + length) of the file up to DT_NULL.
Result<DynamicInfo> parse_dynamic(const uint8_t* data, uint64_t offset, uint64_t length) {
  DynamicInfo info;
  for (uint64_t at = offset; at < offset + length; at += kDynSize) {
    const auto tag = static_cast<int64_t>(read_u64(data + at));
    const uint64_t value = read_u64(data + at + 8);
    switch (tag) {
      case kDtNull: return info;
      case kDtNeeded:  // a dynamic linker, or relocation formats other than RELA
      case kDtRel:
      case kDtRelSz:
      case kDtRelr:
      case kDtRelrSz:
      case kDtJmpRel: return Error::NotSupported;
      case kDtPltRelSz:
        if (value != 0) return Error::NotSupported;
        break;
      case kDtRela:
        info.has_rela = true;
        info.rela = value;
        break;
      case kDtRelaSz:
        info.has_rela_size = true;
        info.rela_size = value;
        break;
      case kDtRelaEnt: info.rela_entry = value; break;
      default: break;  // symbol tables, hashes, flags, DT_DEBUG: nothing to load
    }
  }
  return info;
}

// The segment whose memory [vaddr, vaddr + memsz) holds [addr, addr + length), if any.
const ElfSegment* segment_holding(const ElfSegment* segments, size_t count, uint64_t addr,
                                  uint64_t length) {
  for (size_t i = 0; i < count; ++i) {
    const ElfSegment& s = segments[i];
    if (addr >= s.vaddr && within(addr - s.vaddr, length, s.memsz)) return &s;
  }
  return nullptr;
}

}  // namespace

Result<ElfImage> ElfImage::parse(const uint8_t* data, size_t size, bool linux_program) {
  if (data == nullptr || size < 4 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' ||
      data[3] != 'F') {
    return Error::InvalidArgument;
  }
  if (size < kEhdrSize) return Error::OutOfRange;
  const uint8_t elf_class = data[4];
  const uint8_t encoding = data[5];
  if (elf_class == kClass32) return Error::NotSupported;
  if (elf_class != kClass64) return Error::InvalidArgument;
  if (encoding == kDataBig) return Error::NotSupported;
  if (encoding != kDataLittle) return Error::InvalidArgument;
  if (data[6] != kVersionCurrent || read_u32(data + 20) != kVersionCurrent) {
    return Error::InvalidArgument;
  }
  const uint16_t type = read_u16(data + 16);
  if (type != kTypeExec && type != kTypeDyn) return Error::NotSupported;
  if (read_u16(data + 18) != kMachineAmd64) return Error::NotSupported;
  if (read_u16(data + 52) != kEhdrSize) return Error::InvalidArgument;

  const uint64_t phoff = read_u64(data + 32);
  const uint16_t phentsize = read_u16(data + 54);
  const uint16_t phnum = read_u16(data + 56);
  if (phnum == kPhnumExtended) return Error::NotSupported;
  if (phentsize != kPhdrSize) return Error::InvalidArgument;
  if (!within(phoff, uint64_t{phnum} * kPhdrSize, size)) return Error::OutOfRange;

  ElfImage image;
  image.data_ = data;
  image.entry_ = read_u64(data + 24);
  image.pie_ = type == kTypeDyn;

  size_t loads = 0;
  bool has_dynamic = false;
  uint64_t dynamic_offset = 0;
  uint64_t dynamic_size = 0;
  for (size_t i = 0; i < phnum; ++i) {
    const uint8_t* ph = data + phoff + i * kPhdrSize;
    switch (read_u32(ph)) {
      case kPtLoad: {
        if (++loads > kMaxSegments) return Error::NotSupported;
        const ElfSegment s = TRY(parse_load(ph, size));
        if (s.memsz != 0) image.segments_[image.segment_count_++] = s;
        break;
      }
      case kPtDynamic:
        if (has_dynamic) return Error::InvalidArgument;
        has_dynamic = true;
        dynamic_offset = read_u64(ph + 8);
        dynamic_size = read_u64(ph + 32);
        if (!within(dynamic_offset, dynamic_size, size)) return Error::OutOfRange;
        if (dynamic_size % kDynSize != 0) return Error::InvalidArgument;
        break;
      case kPtTls:
        if (!linux_program) return Error::NotSupported;
        break;
      case kPtInterp: return Error::NotSupported;
      default: break;  // PT_PHDR, PT_NOTE, PT_GNU_STACK, PT_GNU_RELRO, ...: informational
    }
  }
  if (image.segment_count_ == 0) return Error::InvalidArgument;

  ElfSegment* segments = image.segments_;
  const size_t count = image.segment_count_;
  sort_by_vaddr(segments, count);
  for (size_t i = 0; i + 1 < count; ++i) {
    const uint64_t last_page = (segments[i].vaddr + segments[i].memsz - 1) / kPageSize;
    if (last_page >= segments[i + 1].vaddr / kPageSize) return Error::InvalidArgument;
  }
  image.image_start_ = segments[0].vaddr / kPageSize * kPageSize;
  // The end is at most kUserTop, a multiple of the page size: rounding up cannot overflow.
  const uint64_t end = segments[count - 1].vaddr + segments[count - 1].memsz;
  image.image_end_ = (end + kPageSize - 1) / kPageSize * kPageSize;
  for (size_t i = 0; i < count; ++i) {
    if (segments[i].align > image.max_align_) image.max_align_ = segments[i].align;
  }

  image.phdr_count_ = phnum;
  for (size_t i = 0; i < count; ++i) {
    const ElfSegment& s = segments[i];
    if (phoff >= s.file_offset &&
        within(phoff - s.file_offset, uint64_t{phnum} * kPhdrSize, s.filesz)) {
      image.phdr_vaddr_ = s.vaddr + (phoff - s.file_offset);
    }
  }

  const ElfSegment* entry_segment = segment_holding(segments, count, image.entry_, 1);
  if (entry_segment == nullptr || !(entry_segment->flags & SegmentFlags::kExecute)) {
    return Error::InvalidArgument;
  }

  if (!has_dynamic || linux_program) return image;
  const DynamicInfo dyn = TRY(parse_dynamic(data, dynamic_offset, dynamic_size));
  if (dyn.has_rela != dyn.has_rela_size) return Error::InvalidArgument;
  if (!dyn.has_rela || dyn.rela_size == 0) return image;
  if (dyn.rela_entry != kRelaSize || dyn.rela_size % kRelaSize != 0) {
    return Error::InvalidArgument;
  }
  if (!image.pie_) return Error::NotSupported;

  // The table is found by address: it must lie in the file-backed part of a segment.
  const ElfSegment* table = nullptr;
  for (size_t i = 0; i < count && table == nullptr; ++i) {
    const ElfSegment& s = segments[i];
    if (dyn.rela >= s.vaddr && within(dyn.rela - s.vaddr, dyn.rela_size, s.filesz)) table = &s;
  }
  if (table == nullptr) return Error::OutOfRange;
  image.relocation_offset_ = table->file_offset + (dyn.rela - table->vaddr);
  image.relocation_count_ = dyn.rela_size / kRelaSize;

  for (size_t i = 0; i < image.relocation_count_; ++i) {
    const uint8_t* rela = data + image.relocation_offset_ + i * kRelaSize;
    const uint64_t info = read_u64(rela + 8);
    if (static_cast<uint32_t>(info) != kRelocRelative) return Error::NotSupported;
    if (info >> 32 != 0) return Error::InvalidArgument;  // RELATIVE takes no symbol
    if (segment_holding(segments, count, read_u64(rela), sizeof(uint64_t)) == nullptr) {
      return Error::OutOfRange;
    }
  }
  return image;
}

ElfRelocation ElfImage::relocation(size_t i) const {
  const uint8_t* rela = data_ + relocation_offset_ + i * kRelaSize;
  return {read_u64(rela), static_cast<int64_t>(read_u64(rela + 16))};
}

}  // namespace lib
