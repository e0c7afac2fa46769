// SMEP and SMAP: the kernel cannot execute user pages, and touches them only through the
// user copies (arch::copy_from_user, copy_to_user).

#include "kernel/arch.h"
#include "kernel/ktest/ktest.h"
#include "kernel/pmm.h"

namespace kernel {
namespace {

constexpr uintptr_t kUserPage = 0x10000000;
constexpr uintptr_t kKernelView = arch::kTestRegionBase + 0x100000;

// Page tables straight from the physical allocator (user_root_destroy frees them).
struct PlainTables final : arch::PageTableSource {
  lib::Result<uintptr_t> alloc_table() override { return pmm::alloc_zeroed_page(); }
  void free_table(uintptr_t phys) override { (void)pmm::free_pages(phys); }
};

KTEST(user_pages_guarded_outside_the_copies) {
  // The CPU must have SMEP and SMAP (tools/qemu_run.py asks QEMU for them).
  KREQUIRE(arch::user_pages_guarded());
  auto page = pmm::alloc_zeroed_page();
  KREQUIRE(page.ok());
  auto* bytes = static_cast<uint8_t*>(arch::phys_to_virt(page.value()));
  bytes[0] = arch::kReturnInstruction;
  bytes[1] = 0x5a;
  // The page as kernel memory: there every probe succeeds. (The kernel half keeps the page
  // tables this makes: the count starts after them.)
  KREQUIRE(arch::map_page(kKernelView, page.value(), arch::kPageWrite | arch::kPageExec).ok());
  const size_t free_before = pmm::free_page_count();
  auto root = arch::user_root_create();
  KREQUIRE(root.ok());
  PlainTables tables;
  KREQUIRE(arch::user_map(root.value(), kUserPage, page.value(), arch::kPageWrite | arch::kPageExec,
                          tables)
               .ok());
  uint8_t byte = 0;
  KEXPECT(arch::probe_read(kKernelView + 1, &byte) && byte == 0x5a);
  KEXPECT(arch::probe_execute(kKernelView));

  // Interrupts off: the scheduler would load another root at a switch.
  const arch::IrqState irq = arch::irq_save();
  arch::switch_root(root.value());
  const bool read_outside = arch::probe_read(kUserPage + 1, &byte);
  const bool written_outside = arch::probe_write(kUserPage + 1, 0x11);
  const bool executed = arch::probe_execute(kUserPage);
  byte = 0;
  const bool copied_in = arch::copy_from_user(&byte, kUserPage + 1, 1).ok();
  const uint8_t value = 0x77;
  const bool copied_out = arch::copy_to_user(kUserPage + 2, &value, 1).ok();
  arch::switch_root(0);
  arch::irq_restore(irq);

  KEXPECT(!read_outside);
  KEXPECT(!written_outside && bytes[1] == 0x5a);
  KEXPECT(!executed);
  KEXPECT(copied_in && byte == 0x5a);
  KEXPECT(copied_out && bytes[2] == 0x77);

  arch::user_root_destroy(root.value());  // the page is not the address space's: ours to free
  KEXPECT(pmm::free_page_count() == free_before);
  KEXPECT(arch::unmap_page(kKernelView).ok());
  KEXPECT(pmm::free_pages(page.value()).ok());
}

// A plain kernel read of a mapped user page, outside the copies: a fatal fault, reported as
// such (qemu.*.user_page_touched_reported).
KTEST(manual_kernel_touches_user_page) {
  auto root = arch::user_root_create();
  auto page = pmm::alloc_zeroed_page();
  KREQUIRE(root.ok() && page.ok());
  PlainTables tables;
  KREQUIRE(arch::user_map(root.value(), kUserPage, page.value(), arch::kPageWrite, tables).ok());
  arch::irq_save();
  arch::switch_root(root.value());
  const uint8_t byte = *reinterpret_cast<volatile uint8_t*>(kUserPage);
  arch::switch_root(0);
  KEXPECT(!"the kernel read a user page outside the copies");
  KEXPECT(byte == 0);
}

}  // namespace
}  // namespace kernel
