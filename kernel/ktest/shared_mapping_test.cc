// A folio mapped at a chosen address (AddressSpace::map_folio_at), as the Linux personality
// maps MAP_SHARED | MAP_ANONYMOUS memory: the same frames in a forked copy, refused over
// another region, taken away whole by unmap_range (never in part), found by folio_at at the
// same offset in both, and the folio freed with its last mapping.

#include "kernel/address_space.h"
#include "kernel/folio.h"
#include "kernel/ktest/ktest.h"

namespace kernel {
namespace {

constexpr uint64_t kPage = arch::kPageSize;
constexpr uintptr_t kBase = uintptr_t{0x20} << 32;

uintptr_t frame_at(AddressSpace* as, uintptr_t va) {
  auto frame = arch::user_page_frame(as->root(), va);
  return frame.ok() ? frame.value() : 0;
}

}  // namespace

KTEST(address_space_shared_folio_at) {
  auto made_silo = Silo::create(Silo::root(), {256, 0, 0});
  KREQUIRE(made_silo.ok());
  Ref<Silo> silo = Ref<Silo>::adopt(made_silo.value());
  auto created = AddressSpace::create(silo);
  KREQUIRE(created.ok());
  AddressSpace* as = created.value();
  auto made = Folio::create(4 * kPage, silo.get());
  KREQUIRE(made.ok());
  Folio* folio = made.value();
  const size_t objects_before = Object::live_count();
  SpinlockGuard guard(sched_lock);
  // At the address given, every page the folio's, writable as asked.
  KEXPECT(as->map_folio_at(kBase, folio, arch::kPageWrite).ok());
  for (size_t i = 0; i < 4; ++i) KEXPECT(frame_at(as, kBase + i * kPage) == folio->page(i));
  auto flags = arch::user_page_flags(as->root(), kBase);
  KEXPECT(flags.ok() && (flags.value() & arch::kPageWrite));
  // Over it, or over anonymous memory, refused; unaligned refused.
  KEXPECT(as->map_anonymous(kBase + 4 * kPage, 2 * kPage, arch::kPageWrite).ok());
  KEXPECT(as->map_folio_at(kBase + 2 * kPage, folio, 0).error() == lib::Error::AlreadyExists);
  KEXPECT(as->map_folio_at(kBase + 4 * kPage, folio, 0).error() == lib::Error::AlreadyExists);
  KEXPECT(as->map_folio_at(kBase + 1, folio, 0).error() == lib::Error::InvalidArgument);
  // A fork's copy maps the same frames: a write on one side is seen on the other.
  auto cloned = as->clone_for_fork();
  KREQUIRE(cloned.ok());
  AddressSpace* child = cloned.value();
  for (size_t i = 0; i < 4; ++i) KEXPECT(frame_at(child, kBase + i * kPage) == folio->page(i));
  // folio_at names the folio and the offset in it alike in both (a shared futex's name).
  size_t offset = 0;
  KEXPECT(as->folio_at(kBase + 2 * kPage + 8, &offset) == folio && offset == 2 * kPage + 8);
  KEXPECT(child->folio_at(kBase + 3 * kPage, &offset) == folio && offset == 3 * kPage);
  KEXPECT(as->folio_at(kBase + 4 * kPage, &offset) == nullptr);  // anonymous memory
  KEXPECT(as->folio_at(kBase - kPage, &offset) == nullptr);      // nothing
  // Part of it cannot go; a range holding all of it (and anonymous memory) takes it whole.
  KEXPECT(as->unmap_range(kBase, 2 * kPage).error() == lib::Error::InvalidArgument);
  KEXPECT(as->unmap_range(kBase + 2 * kPage, 4 * kPage).error() == lib::Error::InvalidArgument);
  KEXPECT(as->unmap_range(kBase, 6 * kPage).ok());
  KEXPECT(frame_at(as, kBase) == 0 && frame_at(as, kBase + 4 * kPage) == 0);
  KEXPECT(as->folio_at(kBase, &offset) == nullptr);
  KEXPECT(as->free_range_below(kBase + 6 * kPage, 6 * kPage, kBase).ok());
  // The child's mapping still holds the folio; the creator's reference goes, then the
  // child's mapping, and the folio with it.
  KEXPECT(frame_at(child, kBase + 3 * kPage) == folio->page(3));
  folio->release();
  KEXPECT(Object::live_count() == objects_before + 1);  // the child, holding the folio
  KEXPECT(child->unmap_range(kBase, 4 * kPage).ok());
  KEXPECT(Object::live_count() == objects_before);  // the folio freed
  child->release();
  as->release();
}

}  // namespace kernel
