#pragma once
// Starting a user process from an ELF image: the kernel's own loader, used to start the first
// processes (and by tests). Later the startup server loads components itself.

#include <lib/archive.h>
#include <lib/result.h>

#include "kernel/channel.h"
#include "kernel/folio.h"
#include "kernel/process.h"

namespace kernel {

struct SpawnHandle {
  Object* object;
  uint32_t rights;
};

// Loads elf into a new process in silo (empty: the root silo), installs the handles (in
// order: the process finds them in its StartupBlock), and starts its thread. The ProcessExit
// goes to exit_channel's peer. Errors: the ELF parser's (InvalidArgument, OutOfRange,
// NotSupported), TooLarge (more than kMaxStartupHandles handles), QuotaExceeded (the silo
// cannot hold the loaded pages or the thread), NoMemory.
lib::Result<Ref<Process>> spawn(const char* name, const uint8_t* elf, size_t size,
                                const SpawnHandle* handles, size_t handle_count,
                                Ref<Channel> exit_channel, Ref<Silo> silo = {});

// Spawns a program from the boot archive. Errors: NotFound (no archive or no such file),
// and those of spawn.
lib::Result<Ref<Process>> spawn_from_archive(const char* name, const SpawnHandle* handles,
                                             size_t handle_count, Ref<Channel> exit_channel,
                                             Ref<Silo> silo = {});

// Starts a component built into the kernel (isolation = kernel) as a kernel thread with its
// own handle table, the same handles in the same order as spawn would give it, in silo
// (empty: the root silo). Errors: NotFound (no such component), TooLarge, NoMemory,
// NoResources, QuotaExceeded.
lib::Result<Ref<Process>> spawn_in_kernel(const char* name, const SpawnHandle* handles,
                                          size_t handle_count, Ref<Channel> exit_channel,
                                          Ref<Silo> silo = {});

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
