// The ELF parser (lib/src/elf.cc) on any bytes: it must refuse or return an image whose every
// promise (lib/elf.h) holds, which is checked here, reading every byte it points at.
#include <lib/elf.h>

#include <cstdlib>

namespace {

void check(bool holds) {
  if (!holds) std::abort();
}

// Every promise of lib/elf.h about an image parsed from size bytes.
unsigned check_image(const lib::ElfImage& image, size_t size) {
  // The program headers' address, when there is one, is inside a segment's file bytes.
  bool phdr_inside = image.phdr_vaddr() == 0;
  for (size_t i = 0; i < image.segment_count(); ++i) {
    const lib::ElfSegment& s = image.segment(i);
    phdr_inside |= image.phdr_vaddr() >= s.vaddr && image.phdr_vaddr() - s.vaddr < s.filesz;
  }
  check(phdr_inside);
  check(image.segment_count() >= 1 && image.segment_count() <= lib::ElfImage::kMaxSegments);
  uint64_t previous_end = 0;
  unsigned sum = 0;
  for (size_t i = 0; i < image.segment_count(); ++i) {
    const lib::ElfSegment& s = image.segment(i);
    check(s.memsz > 0 && s.filesz <= s.memsz);
    check(s.file_offset <= size && s.filesz <= size - s.file_offset);
    check(s.vaddr + s.memsz <= lib::ElfImage::kUserTop);
    check(i == 0 || s.vaddr >= previous_end);
    previous_end = s.vaddr + s.memsz;
    const uint8_t* bytes = image.segment_data(i);
    for (uint64_t b = 0; b < s.filesz; ++b) sum += bytes[b];
  }
  check(image.image_start() <= image.image_end());
  for (size_t i = 0; i < image.relocation_count(); ++i) {
    const lib::ElfRelocation r = image.relocation(i);
    bool inside = false;
    for (size_t s = 0; s < image.segment_count(); ++s) {
      const lib::ElfSegment& seg = image.segment(s);
      inside |= r.offset >= seg.vaddr && r.offset + 8 <= seg.vaddr + seg.memsz;
    }
    check(inside);
  }
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Both ways: Stellina's programs, and Linux programs (PT_TLS accepted, relocations left
  // to the program); what the first accepts, the second does, with no relocation.
  auto strict = lib::ElfImage::parse(data, size);
  auto linux_program = lib::ElfImage::parse(data, size, true);
  check(!strict.ok() || linux_program.ok());
  unsigned sum = 0;
  if (strict.ok()) sum += check_image(strict.value(), size);
  if (linux_program.ok()) {
    check(linux_program.value().relocation_count() == 0);
    sum += check_image(linux_program.value(), size);
  }
  return static_cast<int>(sum & 0);
}
