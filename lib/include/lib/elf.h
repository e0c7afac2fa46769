#pragma once
// A validating parser for the programs Stellina runs: x86_64 ELF64 little-endian executables,
// either static (ET_EXEC, loaded at their link addresses) or static PIE (ET_DYN, loaded at a
// bias chosen by the loader, with R_X86_64_RELATIVE relocations to apply). It reads the
// image in place and never allocates; every field is checked against the buffer with
// overflow-safe arithmetic, so any input, however hostile, yields either a consistent
// ElfImage or an Error.
//
// What a successfully parsed image guarantees:
//   - 1..kMaxSegments PT_LOAD segments with memsz > 0, ordered by vaddr, each with
//     filesz <= memsz, its file bytes inside the buffer, vaddr + memsz below kUserTop, and
//     vaddr congruent to file_offset modulo align (align is 0 or a power of two);
//   - no two segments touch the same 4 KiB page, so each can be mapped with its own rights;
//   - the entry point lies inside a segment with SegmentFlags::kExecute;
//   - no interpreter, no needed libraries, and no thread-local storage unless the image is
//     parsed as a Linux program (its C library sets its TLS up itself);
//   - for ET_DYN, every relocation is R_X86_64_RELATIVE and patches 8 bytes lying inside
//     one segment's [vaddr, vaddr + memsz); ET_EXEC images have no relocations. A Linux
//     program has none to apply either way: a static PIE relocates itself on Linux.
// A PIE's vaddrs, entry and relocation offsets are relative to the load bias.
//
// The ElfImage refers to the buffer (segment_data, relocation); the buffer must outlive it.

#include <cstddef>
#include <cstdint>

#include <lib/result.h>

namespace lib {

// Rights bits of ElfSegment::flags, as in the ELF p_flags field.
struct SegmentFlags {
  static constexpr uint32_t kExecute = 1;
  static constexpr uint32_t kWrite = 2;
  static constexpr uint32_t kRead = 4;
};

// One PT_LOAD segment: memory [vaddr, vaddr + memsz) is filled with the file bytes
// [file_offset, file_offset + filesz) followed by zeroes.
struct ElfSegment {
  uint64_t vaddr;
  uint64_t memsz;
  uint64_t file_offset;
  uint64_t filesz;
  uint64_t align;  // 0 or 1 (no constraint) or a power of two
  uint32_t flags;  // SegmentFlags bits; other p_flags bits are dropped
};

// One R_X86_64_RELATIVE relocation of a PIE: store the 64-bit value bias + addend at
// bias + offset.
struct ElfRelocation {
  uint64_t offset;
  int64_t addend;
};

class ElfImage {
 public:
  static constexpr size_t kMaxSegments = 16;
  // Segments must end at or below this address: the lower canonical half, user space.
  static constexpr uint64_t kUserTop = 0x0000800000000000;
  static constexpr uint64_t kPageSize = 4096;

  // Parses and validates the ELF image in [data, data + size). Errors:
  //   InvalidArgument  not an ELF file (bad magic, unknown class, data encoding or version);
  //                    wrong e_ehsize or e_phentsize; filesz > memsz; bad alignment;
  //                    segments sharing a page; no PT_LOAD segment; entry outside every
  //                    executable segment; more than one PT_DYNAMIC; malformed dynamic or
  //                    relocation table (DT_RELA without DT_RELASZ, DT_RELAENT != 24, a
  //                    size not a multiple of the entry size, a symbol on a RELATIVE one)
  //   OutOfRange       the ELF header, the program headers, a segment's file bytes, the
  //                    dynamic table or the relocation table lie outside the buffer;
  //                    vaddr + memsz overflows or passes kUserTop; the relocation table is
  //                    not in a segment's file bytes; a relocation patches memory outside
  //                    every segment
  //   NotSupported     ELF32, big-endian, a machine other than x86_64, a type other than
  //                    ET_EXEC or ET_DYN, more than kMaxSegments PT_LOAD segments,
  //                    extended program header numbering, PT_INTERP, PT_TLS, DT_NEEDED,
  //                    DT_REL, DT_RELR or PLT relocations, a relocation type other than
  //                    R_X86_64_RELATIVE, relocations in an ET_EXEC image
  // With linux_program, the image is a static Linux program: a PT_TLS header is accepted
  // (the program sets up its own thread-local storage) and the dynamic table is not read
  // (a static PIE applies its own relocations, IRELATIVE and PLT ones included, as it does
  // on Linux): relocation_count() is 0.
  static Result<ElfImage> parse(const uint8_t* data, size_t size, bool linux_program = false);

  // Where the program headers are once loaded: the vaddr of the file offset e_phoff inside a
  // segment's file bytes (relative to the bias for a PIE), or 0 when no segment loads them;
  // their count. (Linux's auxiliary vector: AT_PHDR, AT_PHNUM.)
  uint64_t phdr_vaddr() const { return phdr_vaddr_; }
  size_t phdr_count() const { return phdr_count_; }

  // The entry point (relative to the load bias for a PIE).
  uint64_t entry() const { return entry_; }
  // True for ET_DYN: the loader must choose a bias (a multiple of max_align() and of
  // kPageSize, keeping bias + image_end() <= kUserTop) and apply the relocations.
  bool is_pie() const { return pie_; }

  size_t segment_count() const { return segment_count_; }
  // The i-th PT_LOAD segment by ascending vaddr; i < segment_count().
  const ElfSegment& segment(size_t i) const { return segments_[i]; }
  // The file bytes of segment i (segment(i).filesz of them); i < segment_count().
  const uint8_t* segment_data(size_t i) const { return data_ + segments_[i].file_offset; }

  // The lowest segment vaddr rounded down, and the highest segment end rounded up, to
  // kPageSize: the image occupies [image_start(), image_end()) (plus the bias for a PIE).
  uint64_t image_start() const { return image_start_; }
  uint64_t image_end() const { return image_end_; }
  // The largest segment alignment (at least 1).
  uint64_t max_align() const { return max_align_; }

  size_t relocation_count() const { return relocation_count_; }
  // The i-th relocation, decoded from the buffer; i < relocation_count().
  ElfRelocation relocation(size_t i) const;

 private:
  const uint8_t* data_ = nullptr;
  uint64_t entry_ = 0;
  bool pie_ = false;
  ElfSegment segments_[kMaxSegments] = {};
  size_t segment_count_ = 0;
  uint64_t image_start_ = 0;
  uint64_t image_end_ = 0;
  uint64_t max_align_ = 1;
  uint64_t phdr_vaddr_ = 0;
  size_t phdr_count_ = 0;
  size_t relocation_offset_ = 0;  // file offset of the first Elf64_Rela
  size_t relocation_count_ = 0;
};

}  // namespace lib
