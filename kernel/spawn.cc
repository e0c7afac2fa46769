#include "kernel/spawn.h"

#include <stellina/kernel_component.h>
#include <stellina/startup.h>
#include <stellina/syscalls.h>

#include <lib/archive.h>
#include <lib/elf.h>

#include "kernel/arch.h"
#include "kernel/boot_info.h"
#include "kernel/heap.h"
#include "kernel/kernel_folios.h"
#include "kernel/linux/linux_start.h"
#include "kernel/log.h"
#include "kernel/pmm.h"
#include "kernel/thread.h"

// NOLINTBEGIN(readability-identifier-naming): linker-script symbols
extern "C" const stellina::KernelComponent kcomponents_start[];
extern "C" const stellina::KernelComponent kcomponents_end[];
// NOLINTEND(readability-identifier-naming)

extern "C" int64_t stellina_kernel_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2,
                                           uint64_t a3, uint64_t a4, uint64_t a5);

namespace kernel {
namespace {

// A Stellina process's stack ends 1 MiB below where folios are mapped (AddressSpace's
// kFolioBase, 512 MiB), in the same 1 GiB as the code at 4 MiB: its page tables are one
// table more, not three as at the top of user space, and with the folios' below 1 GiB too a
// process pays 16 KiB less in tables. Below it lies nothing down to the program's data. A
// Linux process has its own stack, at the top (LinuxProcess::kStackTop).
constexpr uintptr_t kStackTop = 0x000000001ff00000;
constexpr size_t kStackSize = size_t{256} * 1024;

bool have_archive = false;
lib::BootArchive archive;
Folio* archive_folio = nullptr;  // its reference is never dropped

uint32_t region_flags(const lib::ElfSegment& s) {
  return ((s.flags & lib::SegmentFlags::kWrite) ? arch::kPageWrite : 0) |
         ((s.flags & lib::SegmentFlags::kExecute) ? arch::kPageExec : 0);
}

}  // namespace

namespace {

// Fills page with what page va of segment i holds once loaded: the file's bytes in
// [from, to), zeroes around them, PIE relocations applied. memcpy, not a loop of bytes:
// under TCG a byte stepped through costs about what rep movsq takes to move eight.
void fill_page(const lib::ElfImage& image, size_t i, uintptr_t bias, uintptr_t va, uint8_t* page) {
  const lib::ElfSegment& s = image.segment(i);
  const uintptr_t file_start = s.vaddr + bias;
  const uintptr_t file_end = file_start + s.filesz;
  const uintptr_t from = va > file_start ? va : file_start;
  const uintptr_t to = file_end < va + arch::kPageSize ? file_end : va + arch::kPageSize;
  __builtin_memset(page, 0, from - va);
  __builtin_memcpy(page + (from - va), image.segment_data(i) + (from - file_start), to - from);
  __builtin_memset(page + (to - va), 0, va + arch::kPageSize - to);
  for (size_t r = 0; r < image.relocation_count(); ++r) {
    const lib::ElfRelocation rel = image.relocation(r);
    const uintptr_t at = rel.offset + bias;
    if (at >= va && at + 8 <= va + arch::kPageSize) {
      const uint64_t value = bias + static_cast<uint64_t>(rel.addend);
      for (int k = 0; k < 8; ++k) page[at - va + k] = static_cast<uint8_t>(value >> (8 * k));
    }
  }
}

bool relocation_in(const lib::ElfImage& image, uintptr_t bias, uintptr_t va) {
  for (size_t r = 0; r < image.relocation_count(); ++r) {
    const uintptr_t at = image.relocation(r).offset + bias;
    if (at < va + arch::kPageSize && va < at + 8) return true;
  }
  return false;
}

// Whether the bytes of folio page index past the image's first in_image bytes (of the page)
// are zeroes: the mapped page then shows nothing of the next file (tools/mkarchive.py pads
// an ELF file's last page so).
bool zero_past_image(const ImageFrames& frames, size_t index, uint64_t in_image) {
  if (in_image >= arch::kPageSize) return true;
  const auto* bytes = static_cast<const uint8_t*>(arch::phys_to_virt(frames.folio->page(index)));
  for (size_t k = in_image; k < arch::kPageSize; ++k)
    if (bytes[k]) return false;
  return true;
}

// Whether page va of segment i can be a page of frames' folio as it lies, rather than a copy
// (load_elf_segments): then *index is that page. Any byte of the mapped page that the copy
// would hold differently must lie outside the segment: in the image's own file, or zero.
bool shareable_page(const lib::ElfImage& image, size_t i, uintptr_t bias, uintptr_t va,
                    const ImageFrames& frames, size_t* index) {
  const lib::ElfSegment& s = image.segment(i);
  if (s.flags & lib::SegmentFlags::kWrite) return false;
  const uintptr_t file_start = s.vaddr + bias;
  const uintptr_t file_end = file_start + s.filesz;
  const uintptr_t mem_end = file_start + s.memsz;
  const uintptr_t page_end = va + arch::kPageSize;
  if ((page_end < mem_end ? page_end : mem_end) > file_end) return false;  // zero-filled bytes
  // The page's first byte in the image, and in the folio: both within the image's bytes.
  if (va < file_start && s.file_offset < file_start - va) return false;
  const uint64_t in_image = s.file_offset + va - file_start;  // modulo 2^64, checked above
  if (in_image >= frames.size) return false;
  const uint64_t in_folio = frames.offset + in_image;
  if (in_folio & (arch::kPageSize - 1)) return false;  // not page-congruent
  if (in_folio / arch::kPageSize >= frames.folio->page_count()) return false;
  if (relocation_in(image, bias, va)) return false;
  *index = in_folio / arch::kPageSize;
  return zero_past_image(frames, *index, frames.size - in_image);
}

}  // namespace

lib::Result<void> load_elf_segments(const lib::ElfImage& image, uintptr_t bias, AddressSpace& as,
                                    uint8_t* page, const ImageFrames* frames) {
  for (size_t i = 0; i < image.segment_count(); ++i) {
    const lib::ElfSegment& s = image.segment(i);
    const uintptr_t start = (s.vaddr + bias) & ~(arch::kPageSize - 1);
    const uintptr_t end = (s.vaddr + bias + s.memsz + arch::kPageSize - 1) & ~(arch::kPageSize - 1);
    TRY(as.add_region(start, end - start, region_flags(s)));
    const uintptr_t file_end = s.vaddr + bias + s.filesz;
    for (uintptr_t va = start; va < file_end; va += arch::kPageSize) {
      size_t index = 0;
      if (frames && shareable_page(image, i, bias, va, *frames, &index)) {
        TRY(as.map_static_page(va, *frames->folio, index));
        continue;
      }
      fill_page(image, i, bias, va, page);
      TRY(as.populate(va, page, arch::kPageSize));
    }
  }
  return {};
}

namespace {

// The stack's region is the loader's own: an image with a segment reaching into it is
// refused before anything is made for it. Segments may lie on either side of it (up to the
// top of user space).
bool reaches_stack(const lib::ElfImage& image, uintptr_t bias, uintptr_t stack_top,
                   size_t stack_size) {
  for (size_t i = 0; i < image.segment_count(); ++i) {
    const lib::ElfSegment& s = image.segment(i);
    const uintptr_t start = (s.vaddr + bias) & ~(arch::kPageSize - 1);
    const uintptr_t end = s.vaddr + bias + s.memsz;
    if (start < stack_top && stack_top - stack_size < end) return true;
  }
  return false;
}

// Pages [start, end) overlap the rounded-out pages of [phys, phys + size).
bool shares_pages(uintptr_t start, uintptr_t end, uintptr_t phys, size_t size) {
  const uintptr_t first = phys & ~(arch::kPageSize - 1);
  const uintptr_t last = (phys + size + arch::kPageSize - 1) & ~(arch::kPageSize - 1);
  return first < end && start < last;
}

// The archive (module 0) lent as a read-only folio. The folio is the module's own pages when
// they hold nothing else: it begins on a page boundary, and no other module nor the kernel
// image shares its pages. The allocator reserved them whole with the module, so the bytes
// after its end in its last page are its own: they are zeroed, and a reader sees only the
// archive. Otherwise a copy in pages of its own (up to the allocator's largest block).
lib::Result<Folio*> lend_archive(const BootInfo& boot) {
  const BootModule& m = boot.modules[0];
  const uintptr_t end = (m.phys + m.size + arch::kPageSize - 1) & ~(arch::kPageSize - 1);
  bool alone = (m.phys & (arch::kPageSize - 1)) == 0;
  for (size_t i = 1; i < boot.module_count; ++i)
    if (shares_pages(m.phys, end, boot.modules[i].phys, boot.modules[i].size)) alone = false;
  const arch::PhysRange image = arch::kernel_image();
  if (shares_pages(m.phys, end, image.start, image.end - image.start)) alone = false;
  if (alone) {
    auto* tail = static_cast<uint8_t*>(arch::phys_to_virt(m.phys + m.size));
    for (size_t k = 0; k < end - (m.phys + m.size); ++k) tail[k] = 0;
    return Folio::create_static(m.phys, m.size);
  }
  unsigned order = 0;
  while ((arch::kPageSize << order) < m.size) ++order;
  if (order > lib::BuddyAllocator::kMaxOrder) return lib::Error::TooLarge;
  const uintptr_t copy = TRY(pmm::alloc_pages(order));
  auto* bytes = static_cast<uint8_t*>(arch::phys_to_virt(copy));
  __builtin_memcpy(bytes, arch::phys_to_virt(m.phys), m.size);
  __builtin_memset(bytes + m.size, 0, (arch::kPageSize << order) - m.size);
  log_info("boot archive copied to be lent: its module shares a page with other data");
  return Folio::create_static(copy, m.size);
}

}  // namespace

void boot_archive_init(const BootInfo& boot) {
  if (boot.module_count == 0) return;
  const BootModule& m = boot.modules[0];
  auto opened =
      lib::BootArchive::open(static_cast<const uint8_t*>(arch::phys_to_virt(m.phys)), m.size);
  if (!opened.ok()) {
    log_warn("boot archive refused: {}", lib::error_name(opened.error()));
    return;
  }
  archive = opened.value();
  have_archive = true;
  log_info("boot archive: {} files, {} KiB", archive.count(), m.size / 1024);
  auto lent = lend_archive(boot);
  if (lent.ok()) {
    archive_folio = lent.value();
  } else {
    log_warn("boot archive cannot be lent to the startup server: {}",
             lib::error_name(lent.error()));
  }
}

lib::Result<Ref<Folio>> boot_archive_folio() {
  if (!archive_folio) return lib::Error::NotFound;
  return Ref<Folio>(archive_folio);
}

// Everything after the handles are installed; the caller cleans up on failure.
lib::Result<void> start_process(Process& process, const lib::ElfImage& image,
                                const stellina::abi::StartupBlock& block, uint8_t* page,
                                const ImageFrames* frames) {
  const uintptr_t bias = image.is_pie() ? kPieBias : 0;
  AddressSpace& as = process.address_space();
  TRY(load_elf_segments(image, bias, as, page, frames));
  TRY(as.add_region(kStackTop - kStackSize, kStackSize, arch::kPageWrite));

  // The startup block sits at the top of the stack.
  const uintptr_t top_page = kStackTop - arch::kPageSize;
  const size_t block_offset = arch::kPageSize - sizeof(block);
  for (size_t k = 0; k < arch::kPageSize; ++k) page[k] = 0;
  const auto* raw = reinterpret_cast<const uint8_t*>(&block);
  for (size_t k = 0; k < sizeof(block); ++k) page[block_offset + k] = raw[k];
  TRY(as.populate(top_page, page, arch::kPageSize));
  const uintptr_t block_addr = top_page + block_offset;
  const uintptr_t rsp = (block_addr - 64) & ~uintptr_t{15};

  Thread* thread = TRY(Thread::create_user(&process, image.entry() + bias, rsp, block_addr));
  thread->detach();
  thread->start();
  return {};
}

namespace {

// spawn, with the frames elf lies in when it is the archive's (a Stellina program only).
lib::Result<Ref<Process>> spawn_image(const char* name, const uint8_t* elf, size_t size,
                                      const ImageFrames* frames, const SpawnHandle* handles,
                                      size_t handle_count, Ref<Channel> exit_channel,
                                      Ref<Silo> silo, const LinuxStart* linux_start) {
  if (handle_count > stellina::abi::kMaxStartupHandles) return lib::Error::TooLarge;
  // A Linux program's C library sets up its own thread-local storage and relocates a PIE.
  const lib::ElfImage image = TRY(lib::ElfImage::parse(elf, size, linux_start != nullptr));
  const uintptr_t bias = image.is_pie() ? kPieBias : 0;
  const bool stack_reached =
      linux_start ? reaches_stack(image, bias, LinuxProcess::kStackTop, LinuxProcess::kStackSize)
                  : reaches_stack(image, bias, kStackTop, kStackSize);
  if (stack_reached) return lib::Error::InvalidArgument;
  Ref<Process> process = Ref<Process>::adopt(TRY(Process::create(
      name, static_cast<Ref<Channel>&&>(exit_channel), static_cast<Ref<Silo>&&>(silo))));
  auto* page = static_cast<uint8_t*>(TRY(heap::alloc(arch::kPageSize)));

  stellina::abi::StartupBlock block{};
  block.handle_count = static_cast<uint32_t>(handle_count);
  lib::Result<void> result;
  {
    SpinlockGuard guard(sched_lock);
    for (size_t i = 0; i < handle_count && result.ok(); ++i) {
      if (!handles[i].object) {
        block.handles[i] = stellina::abi::kInvalidHandle;
        continue;
      }
      auto h = process->handles().install(handles[i].object, handles[i].rights);
      if (h.ok()) {
        block.handles[i] = h.value();
      } else {
        result = h.error();
      }
    }
  }
  if (result.ok()) {
    result = linux_start ? start_linux_process(*process, image, bias, block, *linux_start, page)
                         : start_process(*process, image, block, page, frames);
  }
  heap::free(page);
  if (!result.ok()) {
    SpinlockGuard guard(sched_lock);
    process->terminate(-1, ExitReason::Killed, "could not start", 0, 0);
    return result.error();
  }
  return process;
}

}  // namespace

lib::Result<Ref<Process>> spawn(const char* name, const uint8_t* elf, size_t size,
                                const SpawnHandle* handles, size_t handle_count,
                                Ref<Channel> exit_channel, Ref<Silo> silo,
                                const LinuxStart* linux_start) {
  return spawn_image(name, elf, size, nullptr, handles, handle_count,
                     static_cast<Ref<Channel>&&>(exit_channel), static_cast<Ref<Silo>&&>(silo),
                     linux_start);
}

namespace {

struct ComponentStart {
  int64_t (*run)(const stellina::abi::StartupBlock&);
  stellina::abi::StartupBlock block;
};

void component_thread(void* arg) {
  const ComponentStart start = *static_cast<ComponentStart*>(arg);
  heap::free(arg);
  const int64_t code = start.run(start.block);
  stellina_kernel_syscall(stellina::abi::kSysProcessExit, static_cast<uint64_t>(code), 0, 0, 0, 0,
                          0);
}

const stellina::KernelComponent* find_component(const char* name) {
  for (const auto* c = kcomponents_start; c < kcomponents_end; ++c) {
    size_t i = 0;
    while (name[i] && c->name[i] == name[i]) ++i;
    if (name[i] == '\0' && c->name[i] == '\0') return c;
  }
  return nullptr;
}

}  // namespace

lib::Result<Ref<Process>> spawn_in_kernel(const char* name, const SpawnHandle* handles,
                                          size_t handle_count, Ref<Channel> exit_channel,
                                          Ref<Silo> silo) {
  if (handle_count > stellina::abi::kMaxStartupHandles) return lib::Error::TooLarge;
  const stellina::KernelComponent* component = find_component(name);
  if (!component) return lib::Error::NotFound;
  Ref<Process> process = Ref<Process>::adopt(TRY(Process::create_in_kernel(
      name, static_cast<Ref<Channel>&&>(exit_channel), static_cast<Ref<Silo>&&>(silo))));
  auto* start = static_cast<ComponentStart*>(TRY(heap::alloc(sizeof(ComponentStart))));
  *start = ComponentStart{component->run, {}};
  TRY(start_kernel_thread(*process, handles, handle_count, start->block, component_thread, start,
                          false));
  return process;
}

lib::Result<void> start_kernel_thread(Process& process, const SpawnHandle* handles,
                                      size_t handle_count, stellina::abi::StartupBlock& block,
                                      Thread::Entry entry, void* start, bool uses_fpu) {
  block.handle_count = static_cast<uint32_t>(handle_count);
  lib::Result<void> result;
  {
    SpinlockGuard guard(sched_lock);
    for (size_t i = 0; i < handle_count && result.ok(); ++i) {
      block.handles[i] = stellina::abi::kInvalidHandle;
      if (!handles[i].object) continue;
      auto h = process.handles().install(handles[i].object, handles[i].rights);
      if (h.ok()) {
        block.handles[i] = h.value();
      } else {
        result = h.error();
      }
    }
  }
  auto thread = result.ok() ? Thread::create_in_process(&process, entry, start)
                            : lib::Result<Thread*>(result.error());
  if (!thread.ok()) {
    heap::free(start);
    SpinlockGuard guard(sched_lock);
    process.terminate(-1, ExitReason::Killed, "could not start", 0, 0);
    return thread.error();
  }
  if (uses_fpu) thread.value()->set_uses_fpu();
  thread.value()->detach();
  thread.value()->start();
  return {};
}

lib::Result<lib::ByteSpan> boot_archive_file(const char* name) {
  if (!have_archive) return lib::Error::NotFound;
  return archive.find(name);
}

lib::Result<Ref<Process>> spawn_from_archive(const char* name, const SpawnHandle* handles,
                                             size_t handle_count, Ref<Channel> exit_channel,
                                             Ref<Silo> silo) {
  return spawn_from_archive(name, handles, handle_count, static_cast<Ref<Channel>&&>(exit_channel),
                            static_cast<Ref<Silo>&&>(silo), nullptr);
}

lib::Result<Ref<Process>> spawn_from_archive(const char* name, const SpawnHandle* handles,
                                             size_t handle_count, Ref<Channel> exit_channel,
                                             Ref<Silo> silo, const LinuxStart* linux_start) {
  const lib::ByteSpan file = TRY(boot_archive_file(name));
  // The lent folio holds the archive byte for byte from its first page (a copy or not).
  const ImageFrames frames{archive_folio, static_cast<size_t>(file.data - archive.bytes().data),
                           file.size};
  const bool map = archive_folio && !linux_start;
  return spawn_image(name, file.data, file.size, map ? &frames : nullptr, handles, handle_count,
                     static_cast<Ref<Channel>&&>(exit_channel), static_cast<Ref<Silo>&&>(silo),
                     linux_start);
}

lib::Result<Ref<Process>> spawn_from_folio(const char* name, Folio& image, size_t size,
                                           Silo* charge, const SpawnHandle* handles,
                                           size_t handle_count, Ref<Channel> exit_channel,
                                           Ref<Silo> silo, const LinuxStart* linux_start) {
  // Device memory is not read through the direct map: a read may have side effects.
  if (size == 0 || size > image.page_count() * arch::kPageSize || image.is_device())
    return lib::Error::InvalidArgument;
  // A private copy first: whoever holds image may write it while the parser checks it, and
  // the loader must read the very bytes that were checked.
  Ref<Folio> copy = Ref<Folio>::adopt(TRY(Folio::create(size, charge)));
  for (size_t done = 0, i = 0; done < size; done += arch::kPageSize, ++i) {
    const size_t n = size - done < arch::kPageSize ? size - done : arch::kPageSize;
    __builtin_memcpy(arch::phys_to_virt(copy->page(i)), arch::phys_to_virt(image.page(i)), n);
  }
  // The copy's pages are scattered: a kernel window shows them as one read-only run.
  KernelFolios view;
  const auto mapped = view.map(copy.get(), 0);
  auto spawned = mapped.ok()
                     ? spawn(name, reinterpret_cast<const uint8_t*>(mapped.value()), size, handles,
                             handle_count, static_cast<Ref<Channel>&&>(exit_channel),
                             static_cast<Ref<Silo>&&>(silo), linux_start)
                     : lib::Result<Ref<Process>>(mapped.error());
  SpinlockGuard guard(sched_lock);  // the copy goes, and gives its charge back
  view.unmap_all();
  copy = Ref<Folio>();
  return spawned;
}

}  // namespace kernel
