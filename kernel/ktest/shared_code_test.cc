// Programs' code and read-only data mapped from the boot archive (load_elf_segments with the
// archive's folio): two processes of one program map the same frames, the archive's; the
// silo is charged for none of them; a write to them kills the writer and leaves the archive
// as it was; and when every process has ended, no archive frame went to the page allocator.

#include <lib/archive.h>
#include <lib/elf.h>

#include "kernel/arch.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"

namespace kernel {
namespace {

using namespace ktest_user;

constexpr uintptr_t kCodeStart = 0x400000;  // sdk/arch/x86_64/user.ld
constexpr uintptr_t kCodeEnd = 0x800000;

// A "faults" process (tests/user/faults.cc), waiting for the number of its fault, in a silo
// of its own.
struct Faulter {
  Pair control, exit;
  Ref<Silo> silo;
  Ref<Process> process;
};

bool start_faulter(Faulter& f, bool from_archive) {
  f.control = make_pair();
  f.exit = make_pair();
  auto silo = Silo::create(Silo::root(), {});
  if (!silo.ok()) return false;
  f.silo = Ref<Silo>::adopt(silo.value());
  const SpawnHandle handles[] = {log_handle(), {f.control.user_end.get(), abi::kRightsAll}};
  if (from_archive) {
    auto p = spawn_from_archive("faults", handles, 2, f.exit.user_end, f.silo);
    if (!p.ok()) return false;
    f.process = p.release_value();
    return true;
  }
  // The same bytes through spawn: a private copy of every page.
  auto file = boot_archive_file("faults");
  if (!file.ok()) return false;
  auto p =
      spawn("faults", file.value().data, file.value().size, handles, 2, f.exit.user_end, f.silo);
  if (!p.ok()) return false;
  f.process = p.release_value();
  return true;
}

// Ends f with fault mode (4: a write to its own code); whether it died of a page fault.
bool fault_and_reap(Faulter& f, uint64_t mode) {
  send_u64(f.control.kernel_end.get(), mode);
  abi::ProcessExit info{};
  const bool faulted = wait_exit(f.exit.kernel_end.get(), &info) &&
                       info.reason == abi::ExitReason::Fault && info.pc >= kCodeStart &&
                       info.pc < kCodeEnd && info.address >= kCodeStart && info.address < kCodeEnd;
  drop(f.process, f.silo, f.control.kernel_end, f.control.user_end, f.exit.kernel_end,
       f.exit.user_end);
  return faulted;
}

// The silo's charge once the process has stopped touching new pages (it blocks at once,
// waiting for its first message).
uint64_t settled_charge(const Silo& silo) {
  uint64_t last = silo.stats().memory_bytes;
  for (int i = 0; i < 100; ++i) {
    sched::sleep_ns(20'000'000);
    const uint64_t now = silo.stats().memory_bytes;
    if (now == last) return now;
    last = now;
  }
  return last;
}

struct CodePage {
  uintptr_t va;
  uintptr_t frame;
  uint32_t flags;
};

// The first mapped page of the program's code.
CodePage first_code_page(Process& p) {
  AddressSpace& as = p.address_space();
  const uintptr_t va = arch::user_next_mapped(as.root(), kCodeStart, kCodeEnd);
  if (va >= kCodeEnd) return {0, 0, 0};
  return {va, arch::user_page_frame(as.root(), va).value(),
          arch::user_page_flags(as.root(), va).value()};
}

// Mapped pages of [kCodeStart, kCodeEnd) whose frame is not the address space's own.
size_t pages_not_owned(Process& p) {
  AddressSpace& as = p.address_space();
  size_t count = 0;
  for (uintptr_t va = arch::user_next_mapped(as.root(), kCodeStart, kCodeEnd); va < kCodeEnd;
       va = arch::user_next_mapped(as.root(), va + arch::kPageSize, kCodeEnd))
    if (!(arch::user_page_flags(as.root(), va).value() & arch::kPageOwned)) ++count;
  return count;
}

bool in_folio(const Folio& folio, uintptr_t frame) {
  for (size_t i = 0; i < folio.page_count(); ++i)
    if (folio.page(i) == frame) return true;
  return false;
}

// Three processes of "faults", two mapping the archive's pages and one copying them, then
// each killed by a write to its code, and one more started after.
void share_and_fault(const Folio& archive) {
  Faulter a, b, copied;
  KREQUIRE(start_faulter(a, true) && start_faulter(b, true) && start_faulter(copied, false));
  const uint64_t charge_shared = settled_charge(*a.silo);
  const uint64_t charge_copied = settled_charge(*copied.silo);

  // One frame for both, the archive's, mapped read-only and executable, owned by neither.
  const CodePage pa = first_code_page(*a.process), pb = first_code_page(*b.process);
  const CodePage pc = first_code_page(*copied.process);
  KEXPECT(pa.va == kCodeStart && pa.va == pb.va && pa.frame == pb.frame);
  KEXPECT(in_folio(archive, pa.frame));
  KEXPECT(!(pa.flags & (arch::kPageWrite | arch::kPageOwned)) && (pa.flags & arch::kPageExec));
  // The copy is a page of its own, with the same bytes of the program (the rest of the
  // copy's page is zeroes; the rest of the archive's page, the file's next bytes).
  auto file = boot_archive_file("faults");
  KREQUIRE(file.ok());
  auto image = lib::ElfImage::parse(file.value().data, file.value().size);
  KREQUIRE(image.ok() && image.value().segment(0).vaddr == kCodeStart);
  const size_t code_bytes = image.value().segment(0).filesz < arch::kPageSize
                                ? image.value().segment(0).filesz
                                : arch::kPageSize;
  KEXPECT(pc.va == kCodeStart && pc.frame != pa.frame && (pc.flags & arch::kPageOwned));
  KEXPECT(__builtin_memcmp(arch::phys_to_virt(pa.frame), arch::phys_to_virt(pc.frame),
                           code_bytes) == 0);
  const uint32_t crc =
      lib::crc32_ieee(static_cast<const uint8_t*>(arch::phys_to_virt(pa.frame)), arch::kPageSize);
  // The silo pays for the copy's pages only: the same process, less the shared pages.
  const size_t shared = pages_not_owned(*a.process);
  KEXPECT(shared >= 2 && shared == pages_not_owned(*b.process));  // code and read-only data
  KEXPECT(pages_not_owned(*copied.process) == 0);
  print("ktest:   faults: {} pages shared; silo charged {} KiB, {} KiB with copies\n", shared,
        charge_shared / 1024, charge_copied / 1024);
  KEXPECT(charge_copied - charge_shared == shared * arch::kPageSize);

  // A write to the shared code kills the writer; the other process still maps the archive's
  // unchanged bytes, and so does a process started after.
  KEXPECT(fault_and_reap(a, 4));
  KEXPECT(first_code_page(*b.process).frame == pb.frame);
  KEXPECT(fault_and_reap(b, 4));
  KEXPECT(fault_and_reap(copied, 4));
  Faulter later;
  KREQUIRE(start_faulter(later, true));
  KEXPECT(first_code_page(*later.process).frame == pa.frame);
  KEXPECT(fault_and_reap(later, 4));
  KEXPECT(lib::crc32_ieee(static_cast<const uint8_t*>(arch::phys_to_virt(pa.frame)),
                          arch::kPageSize) == crc);
}

KTEST(user_code_shared_from_the_archive) {
  auto archive = boot_archive_folio();
  KREQUIRE(archive.ok());
  // Twice: the first round may leave lasting kernel structures (heap, page tables of the
  // kernel's own); the second must give back exactly what it took.
  share_and_fault(*archive.value());
  sched::sleep_ns(10'000'000);  // let the exited threads be reaped first
  const size_t pages_before = pmm::free_page_count();
  share_and_fault(*archive.value());
  // Everything the processes owned is back, and nothing more: an archive frame freed with
  // them would have raised the count.
  for (int spin = 0; spin < 100 && pmm::free_page_count() != pages_before; ++spin)
    sched::sleep_ns(1'000'000);
  KEXPECT(pmm::free_page_count() == pages_before);
  Ref<Folio> folio = archive.release_value();
  drop(folio);
}

}  // namespace
}  // namespace kernel
