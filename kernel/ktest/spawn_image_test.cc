// Programs started from images in folios (process_spawn with an image, spawn_from_folio):
// the image is copied before it is read, charged to the caller only while the spawn runs,
// refused when it is not loadable, and everything a spawn made or refused is given back.

#include <stellina/process.h>

#include "kernel/folio.h"
#include "kernel/heap.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/log_object.h"
#include "kernel/pmm.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr size_t kFolioBytes = size_t{64} * 1024;  // room for hello and pie

Ref<Silo> make_silo(const SiloLimits& limits) {
  auto created = Silo::create(Silo::root(), limits);
  KASSERT(created.ok());
  return Ref<Silo>::adopt(created.value());
}

// A folio of folio_size bytes holding a copy of the archive's file name.
Ref<Folio> folio_with(const char* name, size_t folio_size, size_t* file_size) {
  auto file = boot_archive_file(name);
  KASSERT(file.ok() && file.value().size <= folio_size);
  auto created = Folio::create(folio_size);
  KASSERT(created.ok());
  Ref<Folio> folio = Ref<Folio>::adopt(created.value());
  for (size_t done = 0; done < file.value().size; done += arch::kPageSize) {
    const size_t left = file.value().size - done;
    __builtin_memcpy(arch::phys_to_virt(folio->page(done / arch::kPageSize)),
                     file.value().data + done, left < arch::kPageSize ? left : arch::kPageSize);
  }
  *file_size = file.value().size;
  return folio;
}

void scribble(Folio& folio) {
  for (size_t i = 0; i < folio.page_count(); ++i)
    __builtin_memset(arch::phys_to_virt(folio.page(i)), 0xcc, arch::kPageSize);
}

bool refused(const lib::Result<Ref<Process>>& r, lib::Error e) { return !r.ok() && r.error() == e; }

// Spawns hello from a copy in a folio, paid for by a silo of its own, scribbles over the
// folio at once, and checks the process ran and the copy's charge went with the spawn.
void spawn_hello_from_folio() {
  size_t size = 0;
  Ref<Folio> folio = folio_with("hello", kFolioBytes, &size);
  Ref<Silo> payer = make_silo({});
  Pair exit = make_pair();
  const SpawnHandle handles[] = {log_handle()};
  auto p = spawn_from_folio("hello-folio", *folio, size, payer.get(), handles, 1, exit.user_end);
  KREQUIRE(p.ok());
  KEXPECT(payer->stats().memory_bytes == 0 && payer->stats().memory_peak_bytes > size);
  scribble(*folio);
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  KEXPECT(__builtin_memcmp(info.name, "hello-folio", sizeof("hello-folio")) == 0);
  // The folio, scribbled over, is no longer an ELF image.
  KEXPECT(refused(spawn_from_folio("x", *folio, size, nullptr, nullptr, 0, {}),
                  lib::Error::InvalidArgument));
  Ref<Process> process = p.release_value();
  drop(process, folio, payer, exit.kernel_end, exit.user_end);
}

KTEST(spawn_from_folio_copies_the_image) {
  // Two rounds: the first may make page tables (for the kernel window the copy is read
  // through, for new kernel stacks) that stay; the second must give back all it took.
  size_t pages_before = 0;
  for (int round = 0; round < 2; ++round) {
    sched::sleep_ns(10'000'000);  // let earlier exited threads be reaped first
    pages_before = pmm::free_page_count();
    spawn_hello_from_folio();
  }
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(pmm::free_page_count() == pages_before);
}

KTEST(spawn_from_folio_refuses) {
  Ref<Folio> empty = Ref<Folio>::adopt(Folio::create(kFolioBytes).value());
  // Nothing to read, past the folio's end, not an ELF (zeroes).
  KEXPECT(refused(spawn_from_folio("x", *empty, 0, nullptr, nullptr, 0, {}),
                  lib::Error::InvalidArgument));
  KEXPECT(refused(spawn_from_folio("x", *empty, kFolioBytes + 1, nullptr, nullptr, 0, {}),
                  lib::Error::InvalidArgument));
  KEXPECT(refused(spawn_from_folio("x", *empty, kFolioBytes, nullptr, nullptr, 0, {}),
                  lib::Error::InvalidArgument));
  // Device memory is never read through the direct map.
  auto device = Folio::create_device(0xfeb00000, arch::kPageSize);
  KREQUIRE(device.ok());
  Ref<Folio> device_folio = Ref<Folio>::adopt(device.value());
  KEXPECT(refused(spawn_from_folio("x", *device_folio, 64, nullptr, nullptr, 0, {}),
                  lib::Error::InvalidArgument));
  // A copy the paying silo cannot hold: refused before anything is loaded.
  Ref<Silo> poor = make_silo({1, 0, 0});
  size_t pie_size = 0;
  Ref<Folio> pie = folio_with("pie", kFolioBytes, &pie_size);
  KEXPECT(refused(spawn_from_folio("x", *pie, pie_size, poor.get(), nullptr, 0, {}),
                  lib::Error::QuotaExceeded));
  KEXPECT(poor->stats().memory_bytes == 0 && poor->stats().quota_failures == 1);
  // An image reaching into the stack (the last segment's memsz up to the last page of user
  // space) is refused before anything is made for it, not when the stack is.
  size_t hello_size = 0;
  Ref<Folio> hello = folio_with("hello", kFolioBytes, &hello_size);
  auto* elf = static_cast<uint8_t*>(arch::phys_to_virt(hello->page(0)));
  uint64_t phoff = 0, vaddr = 0, highest = 0, phnum = 0;
  __builtin_memcpy(&phoff, elf + 32, 8);  // e_phoff
  __builtin_memcpy(&phnum, elf + 56, 2);  // e_phnum
  KREQUIRE(phoff + 56 * phnum <= arch::kPageSize);
  uint8_t* last = nullptr;
  for (uint64_t i = 0; i < phnum; ++i) {
    uint8_t* ph = elf + phoff + 56 * i;
    __builtin_memcpy(&vaddr, ph + 16, 8);                            // p_vaddr
    if (ph[0] == 1 && vaddr >= highest) last = ph, highest = vaddr;  // PT_LOAD
  }
  KREQUIRE(last);
  const uint64_t memsz = 0x00007ffffffff000 - highest;
  __builtin_memcpy(last + 40, &memsz, 8);  // p_memsz
  KEXPECT(refused(spawn_from_folio("x", *hello, hello_size, nullptr, nullptr, 0, {}),
                  lib::Error::InvalidArgument));
  drop(empty, pie, device_folio, poor, hello);
}

// Runs tests/user/spawnimage.cc in silo; true if it passed every step.
bool run_spawnimage(Folio* archive, Ref<Silo> silo) {
  Pair exit = make_pair();
  constexpr uint32_t kLogRights = abi::kRightWrite | abi::kRightDuplicate | abi::kRightTransfer;
  const SpawnHandle handles[] = {{LogObject::get(), kLogRights},
                                 {silo.get(), abi::kRightManage | abi::kRightRead},
                                 {archive, abi::kRightRead | abi::kRightMap}};
  auto p = spawn_from_archive("spawnimage", handles, 3, exit.user_end, silo);
  KASSERT(p.ok());
  abi::ProcessExit info{};
  const bool ended = wait_exit(exit.kernel_end.get(), &info, 120 * kSecond);
  if (info.code) print("ktest:   spawnimage: step {} failed ({})\n", info.code, info.detail);
  Ref<Process> process = p.release_value();
  drop(process, exit.kernel_end, exit.user_end, silo);
  return ended && info.reason == abi::ExitReason::Exited && info.code == 0;
}

// tests/user/spawnimage.cc: a user program spawns from folios through process_spawn, into a
// silo it makes, and offers hostile images; afterwards every page and allocation is back.
KTEST(user_spawn_from_folio) {
  (void)LogObject::get();  // the log object lives forever: make it first
  auto lent = boot_archive_folio();
  KREQUIRE(lent.ok());
  Ref<Folio> archive = lent.release_value();
  // Twice, as above: the second run must give back everything it took.
  lib::Heap::Stats heap_before{};
  size_t pages_before = 0;
  for (int round = 0; round < 2; ++round) {
    sched::sleep_ns(10'000'000);
    heap_before = heap::stats();
    pages_before = pmm::free_page_count();
    Ref<Silo> silo = make_silo({});
    KEXPECT(run_spawnimage(archive.get(), silo));
    // The silo it spawned into, and the ones it made, are empty once their processes are
    // gone.
    SiloStats after{};
    for (int spin = 0; spin < 1000; ++spin) {
      after = silo->stats();
      if (after.memory_bytes == 0 && after.threads == 0 && after.processes == 0) break;
      sched::sleep_ns(1'000'000);
    }
    KEXPECT(after.memory_bytes == 0 && after.threads == 0 && after.processes == 0);
    drop(silo);
  }
  KEXPECT(log_contains("imagechild: answered from an image in a folio"));
  KEXPECT(log_contains("pie: relocated"));
  drop(archive);
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  const auto heap_after = heap::stats();
  if (heap_after.live_allocations != heap_before.live_allocations ||
      pmm::free_page_count() != pages_before) {
    print("ktest:   heap allocations {} -> {}, free pages {} -> {}\n", heap_before.live_allocations,
          heap_after.live_allocations, pages_before, pmm::free_page_count());
  }
  KEXPECT(heap_after.live_allocations == heap_before.live_allocations);
  KEXPECT(pmm::free_page_count() == pages_before);
}

}  // namespace
}  // namespace kernel
