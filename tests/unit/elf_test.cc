#include <lib/elf.h>
#include <lib/elf_marks.h>

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace {

using lib::ElfImage;
using lib::ElfSegment;
using lib::Error;
using lib::SegmentFlags;

constexpr uint32_t kR = SegmentFlags::kRead;
constexpr uint32_t kW = SegmentFlags::kWrite;
constexpr uint32_t kX = SegmentFlags::kExecute;

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtDynamic = 2;
constexpr uint32_t kPtInterp = 3;
constexpr uint32_t kPtNote = 4;
constexpr uint32_t kPtTls = 7;
constexpr uint32_t kPtGnuStack = 0x6474e551;

constexpr int64_t kDtNull = 0;
constexpr int64_t kDtNeeded = 1;
constexpr int64_t kDtPltRelSz = 2;
constexpr int64_t kDtRela = 7;
constexpr int64_t kDtRelaSz = 8;
constexpr int64_t kDtRelaEnt = 9;
constexpr int64_t kDtRel = 17;
constexpr int64_t kDtRelr = 36;
constexpr int64_t kDtDebug = 21;

constexpr uint64_t kRelative = 8;  // R_X86_64_RELATIVE
constexpr uint64_t kGlobDat = 6;   // R_X86_64_GLOB_DAT
constexpr uint64_t kAbsolute = 1;  // R_X86_64_64

void put(std::vector<uint8_t>& b, size_t at, uint64_t value, size_t width) {
  if (b.size() < at + width) b.resize(at + width);
  for (size_t i = 0; i < width; ++i) b[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

struct Phdr {
  uint32_t type;
  uint32_t flags;
  uint64_t offset;
  uint64_t vaddr;
  uint64_t filesz;
  uint64_t memsz;
  uint64_t align;
};

struct Rela {
  uint64_t offset;
  uint64_t info;
  int64_t addend;
};

// Builds an ELF64 image in memory: the header, the program headers right after it (at 64),
// then whatever raw writes the test adds, in a file of file_size bytes.
struct ElfBuilder {
  uint8_t elf_class = 2;
  uint8_t encoding = 1;
  uint16_t type = 2;  // ET_EXEC
  uint16_t machine = 62;
  uint16_t ehsize = 64;
  uint16_t phentsize = 56;
  uint64_t entry = 0;
  uint64_t phoff = 64;
  int64_t phnum = -1;  // -1: phdrs.size()
  std::vector<Phdr> phdrs;
  size_t file_size = 0x3000;
  struct Write {
    size_t at;
    uint64_t value;
    size_t width;
  };
  std::vector<Write> writes;

  void write(size_t at, uint64_t value, size_t width = 8) { writes.push_back({at, value, width}); }
  void write_dynamic(size_t at, const std::vector<std::pair<int64_t, uint64_t>>& entries) {
    for (size_t i = 0; i < entries.size(); ++i) {
      write(at + 16 * i, static_cast<uint64_t>(entries[i].first));
      write(at + 16 * i + 8, entries[i].second);
    }
  }
  void write_relas(size_t at, const std::vector<Rela>& relas) {
    for (size_t i = 0; i < relas.size(); ++i) {
      write(at + 24 * i, relas[i].offset);
      write(at + 24 * i + 8, relas[i].info);
      write(at + 24 * i + 16, static_cast<uint64_t>(relas[i].addend));
    }
  }

  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> b(file_size, 0);
    b[0] = 0x7f;
    b[1] = 'E';
    b[2] = 'L';
    b[3] = 'F';
    b[4] = elf_class;
    b[5] = encoding;
    b[6] = 1;
    put(b, 16, type, 2);
    put(b, 18, machine, 2);
    put(b, 20, 1, 4);
    put(b, 24, entry, 8);
    put(b, 32, phoff, 8);
    put(b, 52, ehsize, 2);
    put(b, 54, phentsize, 2);
    put(b, 56, phnum < 0 ? phdrs.size() : static_cast<uint64_t>(phnum), 2);
    for (size_t i = 0; i < phdrs.size(); ++i) {
      const size_t at = 64 + 56 * i;
      put(b, at, phdrs[i].type, 4);
      put(b, at + 4, phdrs[i].flags, 4);
      put(b, at + 8, phdrs[i].offset, 8);
      put(b, at + 16, phdrs[i].vaddr, 8);
      put(b, at + 24, phdrs[i].vaddr, 8);
      put(b, at + 32, phdrs[i].filesz, 8);
      put(b, at + 40, phdrs[i].memsz, 8);
      put(b, at + 48, phdrs[i].align, 8);
    }
    for (const Write& w : writes) put(b, w.at, w.value, w.width);
    b.resize(file_size);
    return b;
  }
};

// A static executable: text at 0x401000 (R+X), data+bss at 0x402000 (R+W), a GNU_STACK.
ElfBuilder static_exec() {
  ElfBuilder e;
  e.entry = 0x401010;
  e.phdrs = {{kPtLoad, kR | kX, 0x1000, 0x401000, 0x100, 0x100, 0x1000},
             {kPtLoad, kR | kW, 0x2000, 0x402000, 0x80, 0x2000, 0x1000},
             {kPtGnuStack, kR | kW, 0, 0, 0, 0, 16}};
  for (size_t i = 0; i < 0x100; ++i) e.write(0x1000 + i, 0xc3, 1);
  return e;
}

// A static PIE: text at 0x1000, data at 0x2000 holding the dynamic table (at 0x2000) and
// three RELATIVE relocations (table at 0x2100) that patch 0x2180, 0x2188 and 0x3000 (bss).
ElfBuilder static_pie() {
  ElfBuilder e;
  e.type = 3;
  e.entry = 0x1000;
  e.phdrs = {{kPtLoad, kR | kX, 0x1000, 0x1000, 0x100, 0x100, 0x1000},
             {kPtLoad, kR | kW, 0x2000, 0x2000, 0x200, 0x1100, 0x1000},
             {kPtDynamic, kR | kW, 0x2000, 0x2000, 0x50, 0x50, 8}};
  e.write_dynamic(
      0x2000,
      {{kDtDebug, 0}, {kDtRela, 0x2100}, {kDtRelaSz, 3 * 24}, {kDtRelaEnt, 24}, {kDtNull, 0}});
  e.write_relas(
      0x2100, {{0x2180, kRelative, 0x1000}, {0x2188, kRelative, 0x2000}, {0x3000, kRelative, -16}});
  return e;
}

Error parse_error(const std::vector<uint8_t>& b) {
  auto r = ElfImage::parse(b.data(), b.size());
  EXPECT_FALSE(r.ok()) << "parsed an invalid image";
  return r.ok() ? Error::NoMemory : r.error();
}
Error parse_error(const ElfBuilder& e) { return parse_error(e.bytes()); }

TEST(Elf, ParsesStaticExecutable) {
  const auto b = static_exec().bytes();
  auto r = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  const ElfImage& image = r.value();
  EXPECT_FALSE(image.is_pie());
  EXPECT_EQ(image.entry(), 0x401010u);
  ASSERT_EQ(image.segment_count(), 2u);
  const ElfSegment& text = image.segment(0);
  EXPECT_EQ(text.vaddr, 0x401000u);
  EXPECT_EQ(text.memsz, 0x100u);
  EXPECT_EQ(text.file_offset, 0x1000u);
  EXPECT_EQ(text.filesz, 0x100u);
  EXPECT_EQ(text.align, 0x1000u);
  EXPECT_EQ(text.flags, kR | kX);
  EXPECT_EQ(image.segment_data(0), b.data() + 0x1000);
  EXPECT_EQ(image.segment_data(0)[0], 0xc3);
  const ElfSegment& data = image.segment(1);
  EXPECT_EQ(data.vaddr, 0x402000u);
  EXPECT_EQ(data.memsz, 0x2000u);
  EXPECT_EQ(data.filesz, 0x80u);
  EXPECT_EQ(data.flags, kR | kW);
  EXPECT_EQ(image.image_start(), 0x401000u);
  EXPECT_EQ(image.image_end(), 0x404000u);
  EXPECT_EQ(image.max_align(), 0x1000u);
  EXPECT_EQ(image.relocation_count(), 0u);
}

TEST(Elf, SortsSegmentsAndDropsEmptyOnes) {
  ElfBuilder e = static_exec();
  e.phdrs = {{kPtNote, kR, 0x200, 0, 0x10, 0x10, 4},
             {kPtLoad, kR | kW, 0x2000, 0x402000, 0x80, 0x2000, 0x1000},
             {kPtLoad, kR, 0, 0x500000, 0, 0, 0x1000},  // empty: ignored
             {kPtLoad, kR | kX | 0xf0000000, 0x1000, 0x401000, 0x100, 0x100, 0x1000}};
  const auto b = e.bytes();
  auto r = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  ASSERT_EQ(r.value().segment_count(), 2u);
  EXPECT_EQ(r.value().segment(0).vaddr, 0x401000u);
  EXPECT_EQ(r.value().segment(0).flags, kR | kX);  // OS/processor bits dropped
  EXPECT_EQ(r.value().segment(1).vaddr, 0x402000u);
}

TEST(Elf, ParsesStaticPieAndItsRelocations) {
  const auto b = static_pie().bytes();
  auto r = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  const ElfImage& image = r.value();
  EXPECT_TRUE(image.is_pie());
  EXPECT_EQ(image.entry(), 0x1000u);
  ASSERT_EQ(image.segment_count(), 2u);
  EXPECT_EQ(image.image_start(), 0x1000u);
  EXPECT_EQ(image.image_end(), 0x4000u);
  ASSERT_EQ(image.relocation_count(), 3u);
  EXPECT_EQ(image.relocation(0).offset, 0x2180u);
  EXPECT_EQ(image.relocation(0).addend, 0x1000);
  EXPECT_EQ(image.relocation(1).offset, 0x2188u);
  EXPECT_EQ(image.relocation(1).addend, 0x2000);
  EXPECT_EQ(image.relocation(2).offset, 0x3000u);
  EXPECT_EQ(image.relocation(2).addend, -16);
}

TEST(Elf, PieWithoutDynamicOrRelocationsIsFine) {
  ElfBuilder e = static_pie();
  e.phdrs.pop_back();
  auto b = e.bytes();
  auto r = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().is_pie());
  EXPECT_EQ(r.value().relocation_count(), 0u);

  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, 0x2100}, {kDtRelaSz, 0}, {kDtNull, 0}});
  b = e.bytes();
  auto r2 = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2.value().relocation_count(), 0u);
}

TEST(Elf, RefusesWhatIsNotElf) {
  const auto good = static_exec().bytes();
  EXPECT_EQ(ElfImage::parse(nullptr, 100).error(), Error::InvalidArgument);
  EXPECT_EQ(ElfImage::parse(good.data(), 3).error(), Error::InvalidArgument);
  EXPECT_EQ(ElfImage::parse(good.data(), 0).error(), Error::InvalidArgument);
  EXPECT_EQ(ElfImage::parse(good.data(), 63).error(), Error::OutOfRange);  // truncated header
  auto b = good;
  b[1] = 'e';
  EXPECT_EQ(parse_error(b), Error::InvalidArgument);
}

TEST(Elf, RefusesOtherClassesEncodingsMachinesAndTypes) {
  ElfBuilder e = static_exec();
  e.elf_class = 1;
  EXPECT_EQ(parse_error(e), Error::NotSupported);
  e.elf_class = 3;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_exec();
  e.encoding = 2;
  EXPECT_EQ(parse_error(e), Error::NotSupported);
  e.encoding = 0;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_exec();
  e.machine = 183;  // AArch64
  EXPECT_EQ(parse_error(e), Error::NotSupported);
  e = static_exec();
  e.type = 1;  // ET_REL
  EXPECT_EQ(parse_error(e), Error::NotSupported);
  e.type = 4;  // ET_CORE
  EXPECT_EQ(parse_error(e), Error::NotSupported);
  e = static_exec();
  e.write(20, 2, 4);  // e_version
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_exec();
  e.write(6, 0, 1);  // EI_VERSION
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_exec();
  e.ehsize = 52;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
}

TEST(Elf, RefusesBadProgramHeaderTables) {
  ElfBuilder e = static_exec();
  e.phentsize = 64;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_exec();
  e.phoff = e.file_size - size_t{56} * 2;  // the third header runs off the end
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e.phoff = ~uint64_t{0} - 8;  // phoff + size overflows
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_exec();
  e.phnum = 0xffff;  // PN_XNUM
  EXPECT_EQ(parse_error(e), Error::NotSupported);
  e = static_exec();
  e.phnum = 0;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);  // no PT_LOAD
}

TEST(Elf, RefusesBadSegments) {
  ElfBuilder e = static_exec();
  e.phdrs[1].filesz = 0x2001;  // > memsz
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_exec();
  e.phdrs[1].filesz = 0x1001;  // the file ends at 0x3000
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_exec();
  e.phdrs[1].offset = ~uint64_t{0} - 0x3f;  // offset + filesz overflows
  e.phdrs[1].align = 0;
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_exec();
  e.phdrs[1].vaddr = ~uint64_t{0} - 0xfff;  // vaddr + memsz overflows
  e.phdrs[1].align = 0;
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_exec();
  e.phdrs[1].vaddr = 0xffffffff80002000;  // kernel half
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_exec();
  e.phdrs[1].vaddr = 0x0000900000002000;  // non-canonical
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_exec();
  e.phdrs[1].vaddr = ElfImage::kUserTop - 0x1000;  // ends one byte past the top
  e.phdrs[1].memsz = 0x1001;
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e.phdrs[1].memsz = 0x1000;  // ends exactly at the top: fine
  const auto b = e.bytes();
  auto r = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().image_end(), ElfImage::kUserTop);
}

TEST(Elf, RefusesBadAlignment) {
  ElfBuilder e = static_exec();
  e.phdrs[1].align = 0x1800;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.phdrs[1].align = 0x1000;
  e.phdrs[1].vaddr = 0x402010;  // not congruent with offset 0x2000
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.phdrs[1].align = 0;  // no constraint
  const auto b = e.bytes();
  EXPECT_TRUE(ElfImage::parse(b.data(), b.size()).ok());
}

TEST(Elf, RefusesSegmentsSharingAPage) {
  ElfBuilder e = static_exec();
  e.phdrs[1].vaddr = 0x401080;  // overlaps the text bytes
  e.phdrs[1].align = 0;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.phdrs[1].vaddr = 0x401100;  // no byte in common, but the same page
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.phdrs[1].vaddr = 0x400000;  // text inside data's range, listed first
  e.phdrs[1].memsz = 0x3000;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.phdrs[1].vaddr = 0x402000;  // the next page: fine
  e.phdrs[1].memsz = 0x80;
  const auto b = e.bytes();
  EXPECT_TRUE(ElfImage::parse(b.data(), b.size()).ok());
}

TEST(Elf, RefusesAnEntryOutsideExecutableSegments) {
  ElfBuilder e = static_exec();
  e.entry = 0x402000;  // data
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.entry = 0x401100;  // one past the end of text
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.entry = 0;
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.entry = 0x4010ff;  // the last byte of text
  const auto b = e.bytes();
  EXPECT_TRUE(ElfImage::parse(b.data(), b.size()).ok());
}

TEST(Elf, RefusesMissingLoadSegments) {
  ElfBuilder e = static_exec();
  e.phdrs = {{kPtGnuStack, kR | kW, 0, 0, 0, 0, 16}};
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.phdrs.push_back({kPtLoad, kR | kX, 0x1000, 0x401000, 0, 0, 0x1000});  // empty
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
}

TEST(Elf, AcceptsSixteenLoadSegmentsButNotSeventeen) {
  ElfBuilder e = static_exec();
  e.file_size = 0x1000;
  e.phdrs.clear();
  for (uint64_t i = 0; i < 16; ++i) {
    // One page apart, each in its own page, vaddr congruent to offset modulo 4 KiB.
    e.phdrs.push_back(
        {kPtLoad, kR | kX, 0x800 + i * 0x10, 0x400800 + i * 0x1010, 0x10, 0x10, 0x1000});
  }
  e.entry = 0x400800;
  auto b = e.bytes();
  auto r = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  EXPECT_EQ(r.value().segment_count(), 16u);
  EXPECT_EQ(r.value().segment(15).vaddr, 0x40f8f0u);
  e.phdrs.push_back({kPtLoad, kR, 0x900, 0x410900, 0x10, 0x10, 0x1000});
  EXPECT_EQ(parse_error(e), Error::NotSupported);
}

TEST(Elf, RefusesInterpreterAndTls) {
  ElfBuilder e = static_exec();
  e.phdrs.push_back({kPtInterp, kR, 0x200, 0x400200, 0x1c, 0x1c, 1});
  EXPECT_EQ(parse_error(e), Error::NotSupported);
  e = static_exec();
  e.phdrs.push_back({kPtTls, kR, 0x2000, 0x402000, 0x8, 0x10, 8});
  EXPECT_EQ(parse_error(e), Error::NotSupported);
}

TEST(Elf, AcceptsTlsForLinuxProgramsAndFindsTheProgramHeaders) {
  ElfBuilder e = static_exec();
  e.phdrs.push_back({kPtTls, kR, 0x2000, 0x402000, 0x8, 0x10, 8});
  auto b = e.bytes();
  auto r = ElfImage::parse(b.data(), b.size(), true);
  ASSERT_TRUE(r.ok()) << lib::error_name(r.error());
  EXPECT_EQ(r.value().phdr_vaddr(), 0u);  // no segment loads the headers
  EXPECT_EQ(r.value().phdr_count(), 4u);
  // A first segment from file offset 0 loads them: at its vaddr plus e_phoff.
  e.phdrs.push_back({kPtLoad, kR, 0, 0x400000, 0x200, 0x200, 0x1000});
  auto with_headers = e.bytes();
  auto loaded = ElfImage::parse(with_headers.data(), with_headers.size(), true);
  ASSERT_TRUE(loaded.ok()) << lib::error_name(loaded.error());
  EXPECT_EQ(loaded.value().phdr_vaddr(), 0x400040u);
  EXPECT_EQ(loaded.value().phdr_count(), 5u);
  EXPECT_EQ(parse_error(e), Error::NotSupported);  // not as a Linux program: as before
}

// lib::is_linux_elf: the marks that tell a Linux program from a Stellina one (the shell and
// the kernel's exec decide by it), and no read past the buffer whatever the header says.
TEST(Elf, TellsLinuxProgramsByTheirMarks) {
  ElfBuilder e = static_exec();
  e.phdrs.pop_back();  // its PT_GNU_STACK: PT_LOAD headers only, as a Stellina program
  auto plain = e.bytes();
  EXPECT_FALSE(lib::is_linux_elf(plain.data(), plain.size()));
  plain[7] = 3;  // ELFOSABI_GNU
  EXPECT_TRUE(lib::is_linux_elf(plain.data(), plain.size()));
  for (uint32_t type : {kPtNote, kPtGnuStack, kPtTls, kPtInterp}) {
    ElfBuilder marked = e;
    marked.phdrs.push_back({type, kR, 0x200, 0x400200, 0x8, 0x8, 1});
    auto b = marked.bytes();
    EXPECT_TRUE(lib::is_linux_elf(b.data(), b.size())) << type;
    // A mark past the bytes given is not seen (the header table is cut short).
    EXPECT_FALSE(lib::is_linux_elf(b.data(), 64 + 56 * (marked.phdrs.size() - 1))) << type;
  }
  EXPECT_FALSE(lib::is_linux_elf(plain.data(), 63));  // shorter than an ELF header
  auto bad = e.bytes();
  bad[0] = 0;
  EXPECT_FALSE(lib::is_linux_elf(bad.data(), bad.size()));
}

TEST(Elf, LinuxMarksSurviveHostileHeaderOffsets) {
  auto b = static_exec().bytes();
  for (uint64_t phoff : {~uint64_t{0}, ~uint64_t{0} - 2, uint64_t{1} << 63, uint64_t{b.size()},
                         uint64_t{b.size() - 3}}) {
    put(b, 32, phoff, 8);
    EXPECT_FALSE(lib::is_linux_elf(b.data(), b.size())) << phoff;
  }
  put(b, 32, 64, 8);
  put(b, 54, 0xffff, 2);  // e_phentsize
  put(b, 56, 0xffff, 2);  // e_phnum
  EXPECT_FALSE(lib::is_linux_elf(b.data(), b.size()));
}

TEST(Elf, LeavesALinuxPiesRelocationsToIt) {
  ElfBuilder e = static_pie();
  auto b = e.bytes();
  auto stellina = ElfImage::parse(b.data(), b.size());
  ASSERT_TRUE(stellina.ok());
  EXPECT_EQ(stellina.value().relocation_count(), 3u);
  auto linux_program = ElfImage::parse(b.data(), b.size(), true);
  ASSERT_TRUE(linux_program.ok());
  EXPECT_TRUE(linux_program.value().is_pie());
  EXPECT_EQ(linux_program.value().relocation_count(), 0u);
}

TEST(Elf, RefusesBadDynamicTables) {
  ElfBuilder e = static_pie();
  e.phdrs.push_back(e.phdrs.back());  // two PT_DYNAMIC
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_pie();
  e.phdrs[2].filesz = 0x48;  // not a multiple of 16
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e.phdrs[2].offset = 0x2ff0;  // runs off the end
  e.phdrs[2].filesz = 0x20;
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e.phdrs[2].offset = ~uint64_t{0} - 0xf;
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
}

TEST(Elf, RefusesWhatNeedsADynamicLinker) {
  const std::vector<std::pair<int64_t, uint64_t>> unsupported[] = {
      {{kDtNeeded, 1}, {kDtNull, 0}},
      {{kDtRel, 0x2100}, {kDtNull, 0}},
      {{kDtRelr, 0x2100}, {kDtNull, 0}},
      {{kDtPltRelSz, 24}, {kDtNull, 0}},
  };
  for (const auto& dynamic : unsupported) {
    ElfBuilder e = static_pie();
    e.write_dynamic(0x2000, dynamic);
    EXPECT_EQ(parse_error(e), Error::NotSupported) << "tag " << dynamic[0].first;
  }
}

TEST(Elf, RefusesBadRelocationTables) {
  ElfBuilder e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, 0x2100}, {kDtNull, 0}});  // no DT_RELASZ
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRelaSz, 24}, {kDtNull, 0}});  // no DT_RELA
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, 0x2100}, {kDtRelaSz, 72}, {kDtRelaEnt, 16}, {kDtNull, 0}});
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, 0x2100}, {kDtRelaSz, 70}, {kDtNull, 0}});
  EXPECT_EQ(parse_error(e), Error::InvalidArgument);
  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, 0x2f00}, {kDtRelaSz, 72}, {kDtNull, 0}});  // in bss
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, 0x21f0}, {kDtRelaSz, 72}, {kDtNull, 0}});  // crosses
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, ~uint64_t{0} - 8}, {kDtRelaSz, 72}, {kDtNull, 0}});
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
  e = static_pie();
  e.write_dynamic(0x2000, {{kDtRela, 0x2100}, {kDtRelaSz, ~uint64_t{0} / 24 * 24}, {kDtNull, 0}});
  EXPECT_EQ(parse_error(e), Error::OutOfRange);
}

TEST(Elf, RefusesBadRelocations) {
  struct Case {
    Rela rela;
    Error error;
  };
  const Case cases[] = {
      {{0x2180, kGlobDat | uint64_t{1} << 32, 0}, Error::NotSupported},
      {{0x2180, kAbsolute | uint64_t{1} << 32, 0}, Error::NotSupported},
      {{0x2180, 0, 0}, Error::NotSupported},                                 // R_X86_64_NONE
      {{0x2180, kRelative | uint64_t{3} << 32, 0}, Error::InvalidArgument},  // a symbol
      {{0x500, kRelative, 0}, Error::OutOfRange},                            // below every segment
      {{0x1800, kRelative, 0}, Error::OutOfRange},                           // between segments
      {{0x30fc, kRelative, 0}, Error::OutOfRange},  // straddles the end of data
      {{~uint64_t{0} - 3, kRelative, 0}, Error::OutOfRange},
  };
  for (const Case& c : cases) {
    ElfBuilder e = static_pie();
    e.write_relas(0x2100 + 24, {c.rela});
    EXPECT_EQ(parse_error(e), c.error) << std::hex << c.rela.offset << " " << c.rela.info;
  }
  ElfBuilder e = static_pie();
  e.write_relas(0x2100 + 24, {{0x30f8, kRelative, 0}});  // the last 8 bytes of data
  const auto b = e.bytes();
  EXPECT_TRUE(ElfImage::parse(b.data(), b.size()).ok());
}

TEST(Elf, RefusesRelocationsInAStaticExecutable) {
  ElfBuilder e = static_exec();
  e.phdrs.push_back({kPtDynamic, kR | kW, 0x2000, 0x402000, 0x40, 0x40, 8});
  e.write_dynamic(0x2000, {{kDtRela, 0x402040}, {kDtRelaSz, 24}, {kDtNull, 0}});
  e.write_relas(0x2040, {{0x402000, kRelative, 0}});
  EXPECT_EQ(parse_error(e), Error::NotSupported);
}

// Checks what a successful parse promises, reading only through the public API.
void check_invariants(const ElfImage& image, const uint8_t* data, size_t size) {
  ASSERT_GE(image.segment_count(), 1u);
  ASSERT_LE(image.segment_count(), ElfImage::kMaxSegments);
  bool entry_ok = false;
  for (size_t i = 0; i < image.segment_count(); ++i) {
    const ElfSegment& s = image.segment(i);
    ASSERT_GT(s.memsz, 0u);
    ASSERT_LE(s.filesz, s.memsz);
    ASSERT_LE(s.file_offset, size);
    ASSERT_LE(s.filesz, size - s.file_offset);
    ASSERT_LE(s.vaddr, ElfImage::kUserTop);
    ASSERT_LE(s.memsz, ElfImage::kUserTop - s.vaddr);
    ASSERT_EQ(image.segment_data(i), data + s.file_offset);
    if (i > 0) {
      const ElfSegment& p = image.segment(i - 1);
      ASSERT_LT((p.vaddr + p.memsz - 1) / 4096, s.vaddr / 4096);
    }
    volatile uint8_t sink = 0;  // touch the bytes so ASan checks them
    for (uint64_t k = 0; k < s.filesz; k += 97) sink = sink + image.segment_data(i)[k];
    if ((s.flags & SegmentFlags::kExecute) && image.entry() >= s.vaddr &&
        image.entry() - s.vaddr < s.memsz) {
      entry_ok = true;
    }
  }
  ASSERT_TRUE(entry_ok);
  ASSERT_LE(image.image_start(), image.segment(0).vaddr);
  ASSERT_LE(image.image_end(), ElfImage::kUserTop);
  if (!image.is_pie()) ASSERT_EQ(image.relocation_count(), 0u);
  for (size_t i = 0; i < image.relocation_count(); ++i) {
    const uint64_t at = image.relocation(i).offset;
    bool inside = false;
    for (size_t k = 0; k < image.segment_count(); ++k) {
      const ElfSegment& s = image.segment(k);
      inside = inside || (at >= s.vaddr && at - s.vaddr <= s.memsz - 8 && s.memsz >= 8);
    }
    ASSERT_TRUE(inside) << std::hex << at;
  }
}

// Mutates a valid image thousands of times (flipped bits, overwritten fields with boundary
// values, truncation); each mutant lives in a buffer of exactly its size, so ASan catches
// any read past the end. Every mutant must parse to a consistent image or be refused.
void fuzz(const std::vector<uint8_t>& seed_image, uint32_t seed, int iterations) {
  std::mt19937_64 rng(seed);
  const uint64_t interesting[] = {0,
                                  1,
                                  8,
                                  24,
                                  56,
                                  64,
                                  0xfff,
                                  0x1000,
                                  0x7fffffffffff,
                                  ElfImage::kUserTop,
                                  ElfImage::kUserTop - 1,
                                  0x7fffffffffffffff,
                                  0x8000000000000000,
                                  ~uint64_t{0},
                                  ~uint64_t{0} - 7,
                                  seed_image.size(),
                                  seed_image.size() - 1};
  int accepted = 0;
  for (int it = 0; it < iterations; ++it) {
    std::vector<uint8_t> m = seed_image;
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < mutations; ++k) {
      // Headers, program headers, the dynamic and relocation tables are where it matters.
      const size_t hot = rng() % 2 ? std::min<size_t>(m.size(), 0x200) : m.size();
      if (hot == 0) break;
      const size_t at = rng() % hot;
      switch (rng() % 5) {
        case 0: m[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: m[at] = static_cast<uint8_t>(rng()); break;
        case 2: {
          const uint64_t v = interesting[rng() % std::size(interesting)];
          for (size_t i = 0; i < 8 && at / 8 * 8 + i < m.size(); ++i) {
            m[at / 8 * 8 + i] = static_cast<uint8_t>(v >> (8 * i));
          }
          break;
        }
        case 3: m[at] = static_cast<uint8_t>(m[at] + (rng() % 2 ? 1 : -1)); break;
        case 4: m.resize(rng() % (m.size() + 1)); break;
      }
    }
    const std::vector<uint8_t> exact(m.begin(), m.end());  // capacity == size
    auto r = ElfImage::parse(exact.data(), exact.size());
    if (r.ok()) {
      ++accepted;
      check_invariants(r.value(), exact.data(), exact.size());
      if (testing::Test::HasFatalFailure()) {
        FAIL() << "iteration " << it;
      }
    }
  }
  // Some mutants must survive, or the invariant checks above test nothing.
  EXPECT_GT(accepted, iterations / 50);
}

TEST(Elf, FuzzStaticExecutable) { fuzz(static_exec().bytes(), 1, 20000); }
TEST(Elf, FuzzStaticPie) { fuzz(static_pie().bytes(), 2, 20000); }

// ---- Real executables, compiled by clang at test time, then loaded and run in-process. ----

// The program reaches its data through pointers (relocated in a PIE) and its bss.
constexpr char kProgram[] = R"(
static int counter = 5;
int* ptr = &counter;
const char* msgs[] = {"abc", "defg"};
long bss_array[64];
long _start(long x) {
  bss_array[3] += x;
  *ptr += 1;
  return *ptr * 1000 + msgs[1][2] + bss_array[3];
}
)";

using test::TempDir;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Compiles kProgram with the given flags; empty on failure.
std::vector<uint8_t> compile(const TempDir& dir, const std::string& name,
                             const std::string& flags) {
  const std::string src = dir.path() + "/prog.c";
  {
    std::ofstream out(src);
    out << kProgram;
  }
  const std::string exe = dir.path() + "/" + name;
  const std::string cmd = std::string(STELLINA_CLANG) +
                          " -O1 -nostdlib -ffreestanding -fno-stack-protector " + flags + " " +
                          src + " -o " + exe + " 2>" + dir.path() + "/" + name + ".log";
  if (std::system(cmd.c_str()) != 0) {
    const std::vector<uint8_t> log = read_file(exe + ".log");
    ADD_FAILURE() << cmd << "\n" << std::string(log.begin(), log.end());
    return {};
  }
  return read_file(exe);
}

// Maps the image as a loader would (at its link address, or anywhere for a PIE), applies
// the relocations, sets each segment's rights, and calls the entry point.
void load_and_run(const ElfImage& image) {
  const uint64_t span = image.image_end() - image.image_start();
  const uint64_t align = std::max<uint64_t>(image.max_align(), 4096);
  void* want = image.is_pie() ? nullptr : reinterpret_cast<void*>(image.image_start());
  const int fixed = image.is_pie() ? 0 : MAP_FIXED_NOREPLACE;
  const size_t reserve = span + (image.is_pie() ? align : 0);
  void* base =
      mmap(want, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
  if (base == MAP_FAILED) {
    GTEST_SKIP() << "cannot map the image at " << want;
  }
  uint64_t bias = 0;
  if (image.is_pie()) {
    const uint64_t start = (reinterpret_cast<uint64_t>(base) + align - 1) / align * align;
    bias = start - image.image_start();
  }
  for (size_t i = 0; i < image.segment_count(); ++i) {
    const ElfSegment& s = image.segment(i);
    std::memcpy(reinterpret_cast<void*>(bias + s.vaddr), image.segment_data(i), s.filesz);
  }
  for (size_t i = 0; i < image.relocation_count(); ++i) {
    const lib::ElfRelocation r = image.relocation(i);
    const uint64_t value = bias + static_cast<uint64_t>(r.addend);
    std::memcpy(reinterpret_cast<void*>(bias + r.offset), &value, sizeof(value));
  }
  // Segments never share a page, so each page gets exactly its segment's rights.
  for (size_t i = 0; i < image.segment_count(); ++i) {
    const ElfSegment& s = image.segment(i);
    const uint64_t first = (bias + s.vaddr) / 4096 * 4096;
    const uint64_t last = (bias + s.vaddr + s.memsz + 4095) / 4096 * 4096;
    const int prot = ((s.flags & kR) ? PROT_READ : 0) | ((s.flags & kW) ? PROT_WRITE : 0) |
                     ((s.flags & kX) ? PROT_EXEC : 0);
    ASSERT_EQ(mprotect(reinterpret_cast<void*>(first), last - first, prot), 0);
  }
  using Entry = long (*)(long);
  const auto entry = reinterpret_cast<Entry>(bias + image.entry());
  EXPECT_EQ(entry(7), 6000 + 'f' + 7);
  EXPECT_EQ(entry(1), 7000 + 'f' + 8);
  munmap(base, reserve);
}

void check_real(const std::string& name, const std::string& flags, bool pie) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::vector<uint8_t> file = compile(dir, name, flags);
  ASSERT_FALSE(file.empty());
  auto r = ElfImage::parse(file.data(), file.size());
  ASSERT_TRUE(r.ok()) << name << ": " << lib::error_name(r.error());
  const ElfImage& image = r.value();
  EXPECT_EQ(image.is_pie(), pie);
  check_invariants(image, file.data(), file.size());
  // A PIE stores ptr and the two msgs pointers as RELATIVE relocations.
  if (pie) EXPECT_GE(image.relocation_count(), 3u);
  load_and_run(image);
  fuzz(file, 3, 2000);
}

// The static executables are linked at 256 MiB, away from the test binary's own image.
TEST(Elf, RealStaticExecutableWithGnuLd) {
  check_real("exec_bfd", "-static -fno-pie -Wl,-Ttext-segment=0x10000000", false);
}
TEST(Elf, RealStaticExecutableWithLld) {
  check_real("exec_lld", "-static -fno-pie -fuse-ld=lld -Wl,--image-base=0x10000000", false);
}
TEST(Elf, RealStaticPieWithGnuLd) { check_real("pie_bfd", "-fPIE -static-pie", true); }
TEST(Elf, RealStaticPieWithLld) { check_real("pie_lld", "-fPIE -static-pie -fuse-ld=lld", true); }

}  // namespace
