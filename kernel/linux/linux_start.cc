#include "kernel/linux/linux_start.h"

#include "kernel/linux/linux_tty.h"

#include <lib/linux_stack.h>
#include <lib/string_view.h>

#include "kernel/arch.h"
#include "kernel/heap.h"
#include "kernel/spawn.h"
#include "kernel/thread.h"

namespace kernel {

namespace {

// Room for the largest stack the limits allow: the strings, their pointers, the auxiliary
// vector and AT_EXECFN's copy of argv[0].
constexpr size_t kStackImageBytes = size_t{48} * 1024;
static_assert(kLinuxMaxStrings + size_t{lib::kLinuxMaxArgs + lib::kLinuxMaxEnv + 3} * 8 +
                  (lib::kLinuxMaxAux + 3) * 16 + lib::kLinuxMaxExecfn + 64 <=
              kStackImageBytes);

constexpr uint64_t kClockTicks = 100;  // what times() counts in: Linux's USER_HZ
constexpr size_t kPhdrEntrySize = 56;

// The auxiliary vector's entries besides AT_RANDOM, AT_EXECFN and AT_NULL.
size_t auxiliary_vector(const lib::ElfImage& image, uintptr_t bias, lib::LinuxAux* aux) {
  size_t n = 0;
  if (image.phdr_vaddr()) aux[n++] = {lib::kAtPhdr, image.phdr_vaddr() + bias};
  aux[n++] = {lib::kAtPhent, kPhdrEntrySize};
  aux[n++] = {lib::kAtPhnum, image.phdr_count()};
  aux[n++] = {lib::kAtPagesz, arch::kPageSize};
  aux[n++] = {lib::kAtEntry, image.entry() + bias};
  aux[n++] = {lib::kAtUid, 0};
  aux[n++] = {lib::kAtEuid, 0};
  aux[n++] = {lib::kAtGid, 0};
  aux[n++] = {lib::kAtEgid, 0};
  aux[n++] = {lib::kAtSecure, 0};
  aux[n++] = {lib::kAtHwcap, arch::cpu_feature_word()};
  aux[n++] = {lib::kAtClktck, kClockTicks};
  return n;
}

// Lays the stack out and maps its pages: returns the initial stack pointer.
lib::Result<uintptr_t> build_stack(AddressSpace& as, const lib::ElfImage& image, uintptr_t bias,
                                   const LinuxStart& start) {
  if (start.strings_size > kLinuxMaxStrings || start.argc == 0) return lib::Error::InvalidArgument;
  // argv[0] is the program's name: AT_EXECFN, and the execfn Linux would copy.
  size_t name_length = 0;
  while (name_length < start.strings_size && start.strings[name_length]) ++name_length;
  if (name_length >= lib::kLinuxMaxExecfn) return lib::Error::InvalidArgument;

  lib::LinuxAux aux[lib::kLinuxMaxAux];
  uint8_t random[16];
  linux_random_bytes(random, sizeof(random));
  const lib::LinuxStackInput in{start.strings, start.strings_size,
                                start.argc,    start.envc,
                                start.strings, random,
                                aux,           auxiliary_vector(image, bias, aux)};
  auto* buffer = static_cast<uint8_t*>(TRY(heap::alloc(kStackImageBytes)));
  const uintptr_t base = LinuxProcess::kStackTop - kStackImageBytes;
  auto built = lib::build_linux_stack(in, LinuxProcess::kStackTop, buffer, kStackImageBytes);
  lib::Result<void> mapped;
  if (built.ok()) {
    const uintptr_t first = built.value() & ~(arch::kPageSize - 1);
    for (uintptr_t va = first; va < LinuxProcess::kStackTop && mapped.ok(); va += arch::kPageSize)
      mapped = as.populate(va, buffer + (va - base), arch::kPageSize);
  }
  heap::free(buffer);
  if (!built.ok())
    return built.error() == lib::Error::TooLarge ? lib::Error::InvalidArgument : built.error();
  TRY(mapped);
  return built.value();
}

// The environment's PWD, if it is an absolute path: the directory the process starts in, as
// a shell's child inherits its directory on Linux (the spawn ABI carries no other).
lib::StringView initial_directory(const LinuxStart& start) {
  size_t at = 0;
  for (uint32_t i = 0; i < start.argc + start.envc && at < start.strings_size; ++i) {
    const lib::StringView s(start.strings + at);
    at += s.size() + 1;
    if (i >= start.argc && s.starts_with("PWD=/")) return s.substr(4);
  }
  return lib::StringView();
}

}  // namespace

lib::Result<uintptr_t> load_linux_image(AddressSpace& as, const lib::ElfImage& image,
                                        uintptr_t bias, const LinuxStart& start, uint8_t* page) {
  TRY(load_elf_segments(image, bias, as, page));
  TRY(as.add_region(LinuxProcess::kStackTop - LinuxProcess::kStackSize, LinuxProcess::kStackSize,
                    arch::kPageWrite));
  return build_stack(as, image, bias, start);
}

namespace {

// A new terminal for start's descriptors: it writes to the first of stdout and stderr that
// is on it, and its window is the environment's COLUMNS and LINES.
lib::Result<LinuxTty*> make_terminal(Process& process, const stellina::abi::Handle stdio[3],
                                     const LinuxStart& start) {
  Ref<Channel> output;
  {
    SpinlockGuard guard(sched_lock);
    for (int fd = 1; fd < 3 && !output; ++fd) {
      if (!(start.terminal & (1u << fd)) || stdio[fd] == stellina::abi::kInvalidHandle) continue;
      output =
          Ref<Channel>(TRY(process.handles().get<Channel>(stdio[fd], stellina::abi::kRightWrite)));
    }
  }
  auto tty = LinuxTty::create(process.silo(), static_cast<Ref<Channel>&&>(output), process.id(),
                              linux_window_from_environment(start.strings, start.strings_size));
  if (!tty.ok()) {
    SpinlockGuard guard(sched_lock);
    output = Ref<Channel>();
  }
  return tty;
}

}  // namespace

lib::Result<void> start_linux_process(Process& process, const lib::ElfImage& image, uintptr_t bias,
                                      const stellina::abi::StartupBlock& block,
                                      const LinuxStart& start, uint8_t* page) {
  const uintptr_t rsp = TRY(load_linux_image(process.address_space(), image, bias, start, page));

  stellina::abi::Handle stdio[3];
  for (uint32_t fd = 0; fd < 3; ++fd)
    stdio[fd] = fd < block.handle_count ? block.handles[fd] : stellina::abi::kInvalidHandle;
  // The break starts on the page after the image, as Linux's does without randomization.
  const uintptr_t brk_start = image.image_end() + bias;
  // Its parent is the process whose thread spawns it (the kernel's tests: 0).
  const Process* spawner = sched::current()->process();
  // The fourth handle is its file: namespace session; argv[0] the program's path.
  const stellina::abi::Handle files = block.handle_count > kLinuxFilesHandle
                                          ? block.handles[kLinuxFilesHandle]
                                          : stellina::abi::kInvalidHandle;
  LinuxTty* tty = start.terminal ? TRY(make_terminal(process, stdio, start)) : nullptr;
  auto made = LinuxProcess::create(process.silo(), stdio, files, start.strings, brk_start,
                                   spawner ? spawner->id() : 0, tty, start.terminal);
  {
    SpinlockGuard guard(sched_lock);
    // Its own group and session, which the terminal (if any) is the controlling one of.
    if (made.ok()) made.value()->join(process, process.id(), process.id(), tty);
    if (tty) tty->release();  // the process and its descriptors hold it now
  }
  if (!made.ok()) return made.error();
  process.set_linux_process(made.value());
  if (block.handle_count > kLinuxNamesHandle)
    process.linux_process()->set_names(block.handles[kLinuxNamesHandle]);
  const lib::StringView directory = initial_directory(start);
  if (!directory.empty()) process.linux_process()->set_cwd(directory.data(), directory.size());

  // Linux enters a program with rdx = 0 (no function for atexit) and the stack as built;
  // enter_user clears every register but the first argument's, which is 0 here too.
  Thread* thread = TRY(Thread::create_user(&process, image.entry() + bias, rsp, 0));
  thread->detach();
  thread->start();
  return {};
}

}  // namespace kernel
