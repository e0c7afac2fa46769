#pragma once
// Starting a user process from an ELF image: the kernel's one loader, for images in the boot
// archive (the first processes, components by name) and images a caller holds in a folio
// (process_spawn with an image), and starting components built into the kernel.

#include <lib/archive.h>
#include <lib/elf.h>
#include <lib/result.h>

#include "kernel/channel.h"
#include "kernel/folio.h"
#include "kernel/process.h"
#include "kernel/thread.h"

namespace kernel {

// Where a position-independent image is loaded (spawn, and a Linux process's exec).
constexpr uintptr_t kPieBias = 0x0000000040000000;

struct SpawnHandle {
  Object* object;
  uint32_t rights;
};

// A process started with the Linux personality (kernel/linux/linux_start.h): its arguments
// and environment, in kernel memory. Passed to the spawn functions below, it makes the new
// process Linux's: Linux's initial stack instead of a StartupBlock, its handles 0, 1 and 2
// its stdin, stdout and stderr, and its syscalls served with Linux's numbers.
struct LinuxStart;

// Where an image's bytes lie in a static folio (the boot archive), for the loader to map its
// read-only pages rather than copy them: byte 0 of the image is byte offset of folio, and the
// image is size bytes long.
struct ImageFrames {
  const Folio* folio;
  size_t offset;
  size_t size;
};

// Maps every segment of image (loaded at bias) into as: a region for each, the pages with
// file bytes filled now (PIE relocations applied), the rest left to demand-zero faults.
// With frames, a page of a read-only segment whose bytes are a whole page of the folio, as
// they lie (page-congruent, no relocation, no zero-filled bytes of the segment in it, not
// reaching past the image), is that page of the folio, shared by every process of the
// program and charged to none (AddressSpace::map_static_page); other pages are copies.
// page is a page of scratch memory. Errors: those of AddressSpace::add_region, populate and
// map_static_page.
lib::Result<void> load_elf_segments(const lib::ElfImage& image, uintptr_t bias, AddressSpace& as,
                                    uint8_t* page, const ImageFrames* frames = nullptr);

// Loads elf into a new process in silo (empty: the root silo), installs the handles (in
// order: the process finds them in its StartupBlock; a null object leaves kInvalidHandle in
// its place, so the handles after it keep their numbers), and starts its thread. The ProcessExit
// goes to exit_channel's peer. elf must not change while spawn runs (the boot archive, or a
// private copy). Errors: the ELF parser's (InvalidArgument, OutOfRange, NotSupported),
// InvalidArgument (a segment overlapping the stack, or outside user space once biased),
// TooLarge (more than kMaxStartupHandles handles), QuotaExceeded (the silo cannot hold the
// loaded pages or the thread), NoMemory; with linux, those of start_linux_process.
lib::Result<Ref<Process>> spawn(const char* name, const uint8_t* elf, size_t size,
                                const SpawnHandle* handles, size_t handle_count,
                                Ref<Channel> exit_channel, Ref<Silo> silo = {},
                                const LinuxStart* linux_start = nullptr);

// Spawns a program from the boot archive. A Stellina program's code and read-only data are
// the archive's own pages, mapped read-only (load_elf_segments with the archive's folio):
// every process of the program shares them, and no silo is charged for them (the archive is
// the kernel's, resident for good); a Linux program's are copied. Errors: NotFound (no
// archive or no such file), and those of spawn.
lib::Result<Ref<Process>> spawn_from_archive(const char* name, const SpawnHandle* handles,
                                             size_t handle_count, Ref<Channel> exit_channel,
                                             Ref<Silo> silo = {});
// The same, with the Linux personality when linux_start is given.
lib::Result<Ref<Process>> spawn_from_archive(const char* name, const SpawnHandle* handles,
                                             size_t handle_count, Ref<Channel> exit_channel,
                                             Ref<Silo> silo, const LinuxStart* linux_start);

// Spawns the ELF image in the first size bytes of image, a folio over RAM that others may
// keep writing: the bytes are first copied into pages of the kernel's own (charged to
// charge, when given, until the spawn returns), and only that copy is parsed and loaded, so
// a change to image during the spawn or after it reaches neither the loader nor the new
// process. Errors: InvalidArgument (size 0 or past the folio's end, a device folio),
// NoResources (no kernel window to read the copy through), those of Folio::create
// (QuotaExceeded, NoMemory) and those of spawn.
lib::Result<Ref<Process>> spawn_from_folio(const char* name, Folio& image, size_t size,
                                           Silo* charge, const SpawnHandle* handles,
                                           size_t handle_count, Ref<Channel> exit_channel,
                                           Ref<Silo> silo = {},
                                           const LinuxStart* linux_start = nullptr);

// Starts a component built into the kernel (isolation = kernel) as a kernel thread with its
// own handle table, the same handles in the same order as spawn would give it, in silo
// (empty: the root silo). Errors: NotFound (no such component), TooLarge, NoMemory,
// NoResources, QuotaExceeded.
lib::Result<Ref<Process>> spawn_in_kernel(const char* name, const SpawnHandle* handles,
                                          size_t handle_count, Ref<Channel> exit_channel,
                                          Ref<Silo> silo = {});

// The common end of spawn_in_kernel and spawn_wasm_module: installs handles in the new
// in-kernel process's table and writes them into block (an empty one stays
// kInvalidHandle), then starts a detached thread of process running entry(start), marked as
// using the FPU if uses_fpu. start is a heap block holding block, which the thread frees;
// on failure it is freed here and the process ended.
lib::Result<void> start_kernel_thread(Process& process, const SpawnHandle* handles,
                                      size_t handle_count, stellina::abi::StartupBlock& block,
                                      Thread::Entry entry, void* start, bool uses_fpu);

// The boot archive (the first boot module), opened at boot; null if there is none.
struct BootInfo;
void boot_archive_init(const BootInfo& boot);
// A file of the boot archive. Errors: NotFound (no archive or no such file).
lib::Result<lib::ByteSpan> boot_archive_file(const char* name);
// The whole boot archive as a read-only folio (Folio::create_static), for the startup
// server's boot: scheme; made at boot. Its first byte is the archive's first. Errors:
// NotFound (no archive, or it could not be lent: see the boot log).
lib::Result<Ref<Folio>> boot_archive_folio();

}  // namespace kernel
