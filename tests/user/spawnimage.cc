// Starts programs from ELF images held in folios (process_spawn with request.image), as a
// client of a file server would: it finds the programs in the boot archive, copies each into
// a fresh folio of its own (so the image is not the archive's), and spawns it into a silo it
// makes. Then it offers hostile images and bad requests, each of which must be refused with
// the documented error while the handles it offered stay its own.
// Handles: log, a silo (manage, read), the boot archive (a read-only folio: read, map).
// Exits 0 if every step did what abi/syscalls.toml says, else the number of the failed step.
#include "user_test.h"

using namespace test;

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint32_t kPtLoad = 1;

struct File {
  const uint8_t* data;
  uint64_t size;
};

uint64_t read64(const uint8_t* p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}
void write64(uint8_t* p, uint64_t v) {
  for (int k = 0; k < 8; ++k) p[k] = static_cast<uint8_t>(v >> (8 * k));
}
uint32_t read32(const uint8_t* p) { return static_cast<uint32_t>(read64(p)); }
uint16_t read16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
void write16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// The file called name in the archive mapped at archive (lib/archive.h: a 24-byte header
// with the entry count at 12, then 80-byte entries: a NUL-padded name, its offset at 56 and
// its size at 64).
bool find(const uint8_t* archive, uint64_t archive_size, const char* name, File* out) {
  const uint32_t count = read32(archive + 12);
  for (uint64_t i = 0; i < count && 24 + 80 * (i + 1) <= archive_size; ++i) {
    const uint8_t* entry = archive + 24 + 80 * i;
    size_t k = 0;
    while (name[k] && entry[k] == static_cast<uint8_t>(name[k])) ++k;
    if (name[k] != '\0' || entry[k] != '\0') continue;
    const uint64_t offset = read64(entry + 56), size = read64(entry + 64);
    if (offset > archive_size || size > archive_size - offset) return false;
    *out = File{archive + offset, size};
    return true;
  }
  return false;
}

// A fresh folio of folio_size bytes (all rights), mapped writable at *mapped.
bool make_folio(uint64_t folio_size, abi::Handle* folio, uint8_t** mapped) {
  const int64_t made = sys::folio_create(folio_size);
  if (made <= 0) return false;
  *folio = static_cast<abi::Handle>(made);
  uint64_t address = 0;
  if (sys::folio_map(*folio, true, &address) != abi::kOk) return false;
  *mapped = reinterpret_cast<uint8_t*>(address);
  return true;
}

void fill(uint8_t* to, uint8_t value, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) to[i] = value;
}
void copy(uint8_t* to, const uint8_t* from, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) to[i] = from[i];
}

// Malformed requests for the Linux personality (abi/stellina/process.h), around a good
// image: each is refused with InvalidArgument, or Fault for strings it cannot read.
int linux_requests_refused(abi::Handle box, abi::SpawnRequest request, abi::Handle image,
                           uint64_t image_size) {
  const char args[] = "prog";
  request.image = image;
  request.image_size = image_size;
  const auto refused = [&](abi::Status expected) {
    return sys::process_spawn(box, &request) == expected;
  };
  request.linux_argc = 1;  // a Linux field on a Stellina request
  if (!refused(abi::kErrInvalidArgument)) return 1;
  request.personality = static_cast<abi::Personality>(2);
  request.linux_strings = args;
  request.linux_strings_size = sizeof(args);
  if (!refused(abi::kErrInvalidArgument)) return 2;
  request.personality = abi::Personality::Linux;
  request.linux_argc = 2;  // one string for two arguments
  if (!refused(abi::kErrInvalidArgument)) return 3;
  request.linux_argc = 1;
  request.linux_strings_size = abi::kLinuxMaxStrings + 1;
  if (!refused(abi::kErrInvalidArgument)) return 4;
  request.linux_strings_size = sizeof(args);
  request.reserved2 = 1;
  if (!refused(abi::kErrInvalidArgument)) return 5;
  request.reserved2 = 0;
  // Linux in the kernel (by name: an image in the kernel is refused before, NotSupported).
  request.image = abi::kInvalidHandle;
  request.image_size = 0;
  request.isolation = abi::Isolation::Kernel;
  if (!refused(abi::kErrInvalidArgument)) return 6;
  request.isolation = abi::Isolation::User;
  request.image = image;
  request.image_size = image_size;
  request.linux_strings = reinterpret_cast<const char*>(8);
  return refused(abi::kErrFault) ? 0 : 7;
}

// Waits for the process to end; its exit through process_info.
bool wait_ended(abi::Handle process, abi::ProcessInfo* info) {
  if (sys::object_wait(process, abi::kSignalTerminated) < 0) return false;
  return sys::process_info(process, info) == abi::kOk && info->running == 0;
}

// The program headers of an image: where the first and last PT_LOAD are.
struct Loads {
  uint8_t* first = nullptr;
  uint8_t* second = nullptr;
  uint8_t* last = nullptr;  // the highest vaddr
};
Loads loads_of(uint8_t* image) {
  Loads l;
  const uint64_t phoff = read64(image + 32);
  const uint64_t phnum = read16(image + 56);
  for (uint64_t i = 0; i < phnum; ++i) {
    uint8_t* ph = image + phoff + 56 * i;
    if (read32(ph) != kPtLoad) continue;
    if (!l.first) {
      l.first = ph;
    } else if (!l.second) {
      l.second = ph;
    }
    if (!l.last || read64(ph + 16) > read64(l.last + 16)) l.last = ph;
  }
  return l;
}

// Ways to spoil a good image (Elf64_Ehdr: e_entry at 24, e_phoff at 32, e_phnum at 56;
// Elf64_Phdr: p_offset at 8, p_vaddr at 16, p_filesz at 32, p_memsz at 40). Each sets the
// size to offer; false if the image lacks what the case needs.
enum Hostile : int {
  kTruncatedHeader,
  kTruncatedProgramHeaders,
  kTruncatedSegment,
  kBadMagic,
  kProgramHeadersOutside,
  kNoProgramHeaders,
  kSegmentPastImage,
  kHugeMemsz,
  kMemszOverTheStack,
  kEntryOutside,
  kOverlappingSegments,
  kHostileCount,
};

bool spoil(uint8_t* image, uint64_t* size, int how) {
  const Loads l = loads_of(image);
  if (!l.first || !l.second) return false;
  const uint64_t phoff = read64(image + 32), phnum = read16(image + 56);
  switch (how) {
    case kTruncatedHeader: *size = 40; return true;
    case kTruncatedProgramHeaders: *size = phoff + 56 * phnum - 1; return true;
    case kTruncatedSegment: {
      uint64_t end = 0;  // where the last file bytes of any segment end
      const uint8_t* const loads[] = {l.first, l.second, l.last};
      for (const uint8_t* ph : loads)
        if (read64(ph + 8) + read64(ph + 32) > end) end = read64(ph + 8) + read64(ph + 32);
      if (end <= phoff + 56 * phnum) return false;
      *size = end - 1;
      return true;
    }
    case kBadMagic: image[1] = 'X'; return true;
    case kProgramHeadersOutside: write64(image + 32, ~uint64_t{0} - 0xff); return true;
    case kNoProgramHeaders: write16(image + 56, 0); return true;
    case kSegmentPastImage:
      // A whole number of MiB further on keeps the offset congruent to the vaddr.
      if (read64(l.first + 32) == 0) return false;
      write64(l.first + 8, read64(l.first + 8) + ((*size + 0xfffff) & ~uint64_t{0xfffff}));
      return true;
    case kHugeMemsz: write64(l.last + 40, ~uint64_t{0} - 0xfff); return true;
    case kMemszOverTheStack:
      // Up to the last page of user space: over the stack, and still below its top.
      write64(l.last + 40, 0x00007ffffffff000 - read64(l.last + 16));
      return true;
    case kEntryOutside: write64(image + 24, 0x1000); return true;
    case kOverlappingSegments:
      copy(l.second + 8, l.first + 8, 40);  // the same offset, vaddr, paddr and sizes
      return true;
    default: return false;
  }
}

// The handles a refused spawn was given are still the caller's.
bool still_held(abi::Handle h) {
  abi::HandleInfo info{};
  return sys::handle_query(h, &info) == abi::kOk;
}

}  // namespace

int64_t stellina_main(const abi::StartupBlock& startup) {
  if (startup.handle_count != 3) return 1;
  const abi::Handle log_h = startup.handles[0], silo = startup.handles[1],
                    archive = startup.handles[2];

  // The programs, found in the archive.
  uint64_t archive_at = 0;
  if (sys::folio_map(archive, false, &archive_at) != abi::kOk) return 2;
  const int64_t archive_size = sys::folio_size(archive);
  if (archive_size <= 0) return 3;
  File child{}, pie{};
  const auto* bytes = reinterpret_cast<const uint8_t*>(archive_at);
  if (!find(bytes, static_cast<uint64_t>(archive_size), "imagechild", &child) ||
      !find(bytes, static_cast<uint64_t>(archive_size), "pie", &pie))
    return 4;

  // A silo of its own for what it starts.
  const abi::SiloLimits limits{512, 4, 0};
  const int64_t made_silo = sys::silo_create(silo, &limits);
  if (made_silo <= 0) return 5;
  const auto box = static_cast<abi::Handle>(made_silo);

  // imagechild, copied into a folio two pages larger than it, the rest garbage.
  abi::Handle image = 0;
  uint8_t* image_at = nullptr;
  if (!make_folio(child.size + 2 * kPage, &image, &image_at)) return 6;
  copy(image_at, child.data, child.size);
  fill(image_at + child.size, 0xcc, 2 * kPage);
  abi::Handle link[2];
  if (sys::channel_create(link) != abi::kOk) return 7;
  const int64_t child_log = sys::handle_duplicate(log_h, abi::kRightWrite | abi::kRightTransfer);
  if (child_log <= 0) return 8;
  const abi::Handle given[] = {static_cast<abi::Handle>(child_log), link[1]};
  const int64_t spawned = sys::process_spawn_image(box, "imagechild", image, child.size, given, 2);
  if (spawned <= 0) return 9;
  const auto process = static_cast<abi::Handle>(spawned);
  // The folio is the caller's again at once: scribbling over it reaches nothing of the child.
  fill(image_at, 0xcc, child.size);
  // The handles moved; the child lives in the new silo.
  if (still_held(link[1]) || still_held(given[0])) return 10;
  abi::SiloStats stats{};
  if (sys::silo_stats(box, &stats) != abi::kOk || stats.processes != 1 || stats.memory_bytes == 0)
    return 11;
  uint64_t n = 42, answer = 0;
  abi::MessageBuffer ask = data_message(&n, sizeof(n));
  if (sys::channel_send(link[0], &ask) != abi::kOk) return 12;
  abi::MessageBuffer reply = data_message(&answer, sizeof(answer));
  if (receive(link[0], reply) != abi::kOk || answer != 43) return 13;
  abi::ProcessInfo info{};
  if (!wait_ended(process, &info)) return 14;
  if (info.exit.reason != abi::ExitReason::Exited || info.exit.code != 42) return 15;
  if (info.exit.name[0] != 'i' || info.exit.name[9] != 'd' || info.exit.name[10] != '\0') return 16;
  sys::handle_close(process);
  sys::handle_close(link[0]);

  // A static PIE from a folio exactly its size: the loader relocates it as from the archive.
  abi::Handle pie_image = 0;
  uint8_t* pie_at = nullptr;
  if (!make_folio(pie.size, &pie_image, &pie_at)) return 17;
  copy(pie_at, pie.data, pie.size);
  const int64_t pie_log = sys::handle_duplicate(log_h, abi::kRightWrite | abi::kRightTransfer);
  const abi::Handle pie_handles[] = {static_cast<abi::Handle>(pie_log)};
  const int64_t pie_process =
      sys::process_spawn_image(box, "pie-from-folio", pie_image, pie.size, pie_handles, 1);
  if (pie_log <= 0 || pie_process <= 0) return 18;
  if (!wait_ended(static_cast<abi::Handle>(pie_process), &info)) return 19;
  if (info.exit.reason != abi::ExitReason::Exited || info.exit.code != 0) return 20;
  sys::handle_close(static_cast<abi::Handle>(pie_process));

  // Hostile images: each a spoiled copy of imagechild in a scratch folio, refused with
  // kErrInvalidArgument; the channel end offered stays the caller's.
  abi::Handle scratch = 0;
  uint8_t* scratch_at = nullptr;
  if (!make_folio(child.size, &scratch, &scratch_at)) return 21;
  abi::Handle offered[2];
  if (sys::channel_create(offered) != abi::kOk) return 22;
  for (int how = 0; how < kHostileCount; ++how) {
    copy(scratch_at, child.data, child.size);
    uint64_t size = child.size;
    if (!spoil(scratch_at, &size, how)) return 100 + how;
    const int64_t r = sys::process_spawn_image(box, "hostile", scratch, size, &offered[1], 1);
    if (r != abi::kErrInvalidArgument) {
      char text[64] = "spawnimage: hostile image ";
      number(how, text + 26);
      log(log_h, text);
      return 200 + how;
    }
    if (!still_held(offered[1])) return 300 + how;
  }

  // Bad requests around a good image.
  copy(scratch_at, child.data, child.size);
  const int64_t scratch_size = sys::folio_size(scratch);
  const auto refused = [&](abi::Handle with_image, uint64_t size, abi::Status expected) {
    return sys::process_spawn_image(box, "bad", with_image, size, &offered[1], 1) == expected &&
           still_held(offered[1]);
  };
  // Past the folio's end, or empty.
  if (!refused(scratch, static_cast<uint64_t>(scratch_size) + 1, abi::kErrInvalidArgument))
    return 23;
  if (!refused(scratch, 0, abi::kErrInvalidArgument)) return 24;
  // Not a folio, and no handle at all.
  if (!refused(offered[0], child.size, abi::kErrWrongType)) return 25;
  if (!refused(0x7777, child.size, abi::kErrBadHandle)) return 26;
  // A folio handle that may be mapped but not read.
  const int64_t unreadable =
      sys::handle_duplicate(scratch, abi::kRightMap | abi::kRightTransfer | abi::kRightWait);
  if (unreadable <= 0) return 27;
  if (!refused(static_cast<abi::Handle>(unreadable), child.size, abi::kErrAccessDenied)) return 28;
  // An image is a user program: not for isolation kernel.
  abi::SpawnRequest request{};
  request.name = "bad";
  request.name_size = 3;
  request.isolation = abi::Isolation::Kernel;
  request.image = scratch;
  request.image_size = child.size;
  if (sys::process_spawn(box, &request) != abi::kErrNotSupported) return 29;
  // reserved must be 0; image_size means nothing without an image.
  request.isolation = abi::Isolation::User;
  request.reserved = 1;
  if (sys::process_spawn(box, &request) != abi::kErrInvalidArgument) return 30;
  request.reserved = 0;
  request.image = abi::kInvalidHandle;
  if (sys::process_spawn(box, &request) != abi::kErrInvalidArgument) return 31;
  if (const int failed = linux_requests_refused(box, request, scratch, child.size))
    return 370 + failed;
  // A silo too small for the image's pages.
  const abi::SiloLimits tiny{1, 1, 0};
  const int64_t small = sys::silo_create(silo, &tiny);
  if (small <= 0) return 32;
  if (sys::process_spawn_image(static_cast<abi::Handle>(small), "small", scratch, child.size,
                               &offered[1], 1) != abi::kErrQuotaExceeded)
    return 33;
  // Nothing of the refused spawns is left in the silo; the good image still starts.
  if (sys::silo_stats(box, &stats) != abi::kOk || stats.processes != 0) return 34;
  const int64_t again =
      sys::process_spawn_image(box, "imagechild", scratch, child.size, &offered[1], 1);
  if (again <= 0) return 35;
  // With one handle, imagechild exits at once with -1: what matters is that it ran.
  if (!wait_ended(static_cast<abi::Handle>(again), &info) || info.exit.code != -1) return 36;
  log(log_h, "spawnimage: all checks passed");
  return 0;
}
