// The kernel mechanisms under Linux's fork and threads: an address space's copy for a fork
// (frames shared copy-on-write until either side writes, untouched pages left untouched,
// charges given back when the silo cannot take the copy) and futexes (the value check, bitsets,
// deadlines, and the waiters' bound per process at and beyond kMaxWaiters).

#include "kernel/address_space.h"
#include "kernel/futex.h"
#include "kernel/ktest/ktest.h"
#include "kernel/linux/linux_family.h"
#include "kernel/shared_frames.h"
#include "kernel/thread.h"

namespace kernel {
namespace {

constexpr uint64_t kPage = arch::kPageSize;
constexpr uintptr_t kBase = uintptr_t{0x10} << 32;

Ref<Silo> make_silo(const SiloLimits& limits) {
  auto created = Silo::create(Silo::root(), limits);
  KASSERT(created.ok());
  return Ref<Silo>::adopt(created.value());
}

// The byte at va in as, read through its frame (0xff: not mapped).
uint8_t byte_at(AddressSpace* as, uintptr_t va) {
  auto frame = arch::user_page_frame(as->root(), va & ~(kPage - 1));
  if (!frame.ok()) return 0xff;
  return static_cast<const uint8_t*>(arch::phys_to_virt(frame.value()))[va & (kPage - 1)];
}

bool copy_on_write(AddressSpace* as, uintptr_t va) {
  auto flags = arch::user_page_flags(as->root(), va);
  return flags.ok() && (flags.value() & arch::kPageCopyOnWrite) &&
         !(flags.value() & arch::kPageWrite);
}

void set_byte(AddressSpace* as, uintptr_t va, uint8_t value) {
  auto frame = arch::user_page_frame(as->root(), va & ~(kPage - 1));
  KASSERT(frame.ok());
  static_cast<uint8_t*>(arch::phys_to_virt(frame.value()))[va & (kPage - 1)] = value;
}

// clone_for_fork under the lock: the copy, or null with *error set.
AddressSpace* clone_of(AddressSpace* as, lib::Error* error) {
  SpinlockGuard guard(sched_lock);
  auto cloned = as->clone_for_fork();
  if (cloned.ok()) return cloned.value();
  *error = cloned.error();
  return nullptr;
}

void drop(AddressSpace* as) {
  SpinlockGuard guard(sched_lock);
  as->release();
}

}  // namespace

KTEST(address_space_clone_for_fork) {
  Ref<Silo> silo = make_silo({64, 0, 0});
  auto created = AddressSpace::create(silo);
  KREQUIRE(created.ok());
  AddressSpace* parent = created.value();
  const uint8_t first = 0x5a, third = 0x77;
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(parent->map_anonymous(kBase, 4 * kPage, arch::kPageWrite).ok());
    KEXPECT(parent->populate(kBase, &first, 1).ok());
    KEXPECT(parent->populate(kBase + 2 * kPage, &third, 1).ok());
  }
  lib::Error error = lib::Error::Busy;
  AddressSpace* child = clone_of(parent, &error);
  KREQUIRE(child);
  // The same frames, read-only and shared on both sides; a page never touched stays so.
  const uintptr_t frame = arch::user_page_frame(parent->root(), kBase).value();
  KEXPECT(arch::user_page_frame(child->root(), kBase).value() == frame);
  KEXPECT(copy_on_write(parent, kBase) && copy_on_write(child, kBase) &&
          shared_frames::shared(frame));
  KEXPECT(!arch::user_page_frame(child->root(), kBase + kPage).ok());
  KEXPECT(byte_at(child, kBase) == first && byte_at(child, kBase + 2 * kPage) == third);
  KEXPECT(child->owned_pages() == 2);  // charged as its own, shared or not
  // The child writes first: it gets a copy, and the parent's frame is the parent's alone.
  KEXPECT(child->handle_fault(kBase, true, false) == AddressSpace::FaultResult::Mapped);
  KEXPECT(arch::user_page_frame(child->root(), kBase).value() != frame);
  KEXPECT(byte_at(child, kBase) == first && !copy_on_write(child, kBase));
  KEXPECT(!shared_frames::shared(frame));
  // The parent writes then: no copy, its mapping turns writable.
  KEXPECT(parent->handle_fault(kBase, true, false) == AddressSpace::FaultResult::Mapped);
  KEXPECT(arch::user_page_frame(parent->root(), kBase).value() == frame);
  KEXPECT(!copy_on_write(parent, kBase));
  set_byte(child, kBase, 1);
  KEXPECT(byte_at(parent, kBase) == first);
  // A read does not break the sharing.
  KEXPECT(child->handle_fault(kBase + 2 * kPage, false, false) ==
          AddressSpace::FaultResult::Refused);  // mapped already: nothing to do on a read
  KEXPECT(copy_on_write(child, kBase + 2 * kPage));
  // The child keeps the region: it can fault pages in as the parent could.
  KEXPECT(child->handle_fault(kBase + 3 * kPage, true, false) == AddressSpace::FaultResult::Mapped);
  // The child goes while page 2 is still shared: the parent's frame stays.
  const size_t shared_before = shared_frames::count();
  drop(child);
  KEXPECT(shared_frames::count() == shared_before - 1);
  KEXPECT(byte_at(parent, kBase + 2 * kPage) == third);
  KEXPECT(parent->handle_fault(kBase + 2 * kPage, true, false) ==
          AddressSpace::FaultResult::Mapped);
  KEXPECT(!copy_on_write(parent, kBase + 2 * kPage));
  drop(parent);
  KEXPECT(silo->stats().memory_bytes == 0);
}

KTEST(address_space_clone_for_fork_over_quota) {
  // Room for the parent (root, tables, 8 pages) but not for a second copy: the copy fails
  // with QuotaExceeded and gives back everything it took.
  Ref<Silo> silo = make_silo({16, 0, 0});
  auto created = AddressSpace::create(silo);
  KREQUIRE(created.ok());
  AddressSpace* parent = created.value();
  const uint8_t byte = 1;
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(parent->map_anonymous(kBase, 8 * kPage, arch::kPageWrite).ok());
    for (uintptr_t va = kBase; va < kBase + 8 * kPage; va += kPage)
      KEXPECT(parent->populate(va, &byte, 1).ok());
  }
  const uint64_t before = silo->stats().memory_bytes;
  lib::Error error = lib::Error::Busy;
  KEXPECT(!clone_of(parent, &error) && error == lib::Error::QuotaExceeded);
  KEXPECT(silo->stats().memory_bytes == before);
  drop(parent);
  KEXPECT(silo->stats().memory_bytes == 0);
}

KTEST(shared_frames_bounded) {
  // Frame numbers no page has (above any RAM QEMU gives the test kernel): the table counts
  // them without touching them.
  constexpr uintptr_t kFake = uintptr_t{1} << 40;
  const size_t before = shared_frames::count();
  size_t added = 0;
  while (shared_frames::count() < shared_frames::kCapacity &&
         shared_frames::share(kFake + added * kPage).ok())
    ++added;
  KEXPECT(shared_frames::count() == shared_frames::kCapacity);
  // Full: a new frame is refused, one already shared gets one more mapping.
  KEXPECT(shared_frames::share(kFake + added * kPage).error() == lib::Error::NoResources);
  KEXPECT(shared_frames::share(kFake).ok());
  KEXPECT(!shared_frames::unshare(kFake) && shared_frames::shared(kFake));
  // Two mappings each: the first unshare leaves one (the frame is no longer shared, and
  // not freed), which the caller would then free.
  bool all_kept = true;
  for (size_t i = 0; i < added; ++i) all_kept &= !shared_frames::unshare(kFake + i * kPage);
  KEXPECT(all_kept);
  KEXPECT(shared_frames::count() == before);
  KEXPECT(shared_frames::unshare(kFake));  // not shared: its only mapping
}

namespace {

// Futex waiters are threads of a component built into the kernel: its "user" memory is
// kernel memory, so the words below serve as user words.
uint32_t futex_word;
const void* const kSpace = &futex_word;

struct Waiter {
  uint32_t bitset;
  bool woken;  // the wait returned without an error
};

void wait_on_word(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->woken = futex::wait(kSpace, reinterpret_cast<uintptr_t>(&futex_word), 0, w->bitset, 0).ok();
}

// The value check, the arguments refused and a deadline, from a thread of the component.
void refusals(void* arg) {
  const auto word = reinterpret_cast<uintptr_t>(&futex_word);
  bool* ok = static_cast<bool*>(arg);
  ok[0] = futex::wait(kSpace, word, 1, futex::kAllBits, 0).error() == lib::Error::WouldBlock;
  ok[1] =
      futex::wait(kSpace, word + 1, 0, futex::kAllBits, 0).error() == lib::Error::InvalidArgument;
  ok[2] = futex::wait(kSpace, word, 0, 0, 0).error() == lib::Error::InvalidArgument;
  ok[3] = futex::wait(kSpace, word, 0, futex::kAllBits, arch::now_ns() + 5'000'000).error() ==
          lib::Error::TimedOut;
}

void one_too_many(void* arg) {
  *static_cast<bool*>(arg) =
      futex::wait(kSpace, reinterpret_cast<uintptr_t>(&futex_word), 0, futex::kAllBits, 0)
          .error() == lib::Error::NoResources;
}

bool wait_for_waiters(size_t n) {
  for (int i = 0; i < 500 && futex::waiting() != n; ++i) sched::sleep_ns(2'000'000);
  return futex::waiting() == n;
}

}  // namespace

// Loops over a range's pages skip what has no table: a 16 TiB region with three pages mapped
// (two in one table, one far off) is forked, protected and unmapped in a few steps.
KTEST(address_space_huge_sparse_region) {
  constexpr uintptr_t kHugeBase = uintptr_t{1} << 40;
  constexpr size_t kHuge = size_t{16} << 40;
  const uintptr_t touched[3] = {kHugeBase + kPage, kHugeBase + 7 * kPage,
                                kHugeBase + kHuge - kPage};
  Ref<Silo> silo = make_silo({64, 0, 0});
  auto created = AddressSpace::create(silo);
  KREQUIRE(created.ok());
  AddressSpace* parent = created.value();
  const uint8_t value = 0x3c;
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(parent->map_anonymous(kHugeBase, kHuge, arch::kPageWrite).ok());
    for (uintptr_t va : touched) KEXPECT(parent->populate(va, &value, 1).ok());
  }
  // The helper itself: each mapped page in order, then the end (also past kUserTop).
  const uintptr_t root = parent->root();
  uintptr_t at = kHugeBase;
  for (uintptr_t va : touched) {
    at = arch::user_next_mapped(root, at, kHugeBase + kHuge);
    KEXPECT(at == va);
    at += kPage;
  }
  KEXPECT(arch::user_next_mapped(root, at, kHugeBase + kHuge) == kHugeBase + kHuge);
  KEXPECT(arch::user_next_mapped(root, touched[2] + kPage, ~uintptr_t{0}) == arch::kUserTop);
  lib::Error error = lib::Error::Busy;
  AddressSpace* child = clone_of(parent, &error);
  KREQUIRE(child);
  for (uintptr_t va : touched) KEXPECT(byte_at(child, va) == value && copy_on_write(child, va));
  KEXPECT(child->owned_pages() == 3);
  {
    SpinlockGuard guard(sched_lock);
    KEXPECT(parent->protect_range(kHugeBase, kHuge, 0).ok());
    KEXPECT(arch::user_page_flags(root, touched[1]).ok() &&
            !(arch::user_page_flags(root, touched[1]).value() & arch::kPageWrite));
    KEXPECT(parent->unmap_range(kHugeBase, kHuge).ok());
  }
  KEXPECT(parent->owned_pages() == 0);
  KEXPECT(arch::user_next_mapped(root, kHugeBase, kHugeBase + kHuge) == kHugeBase + kHuge);
  KEXPECT(byte_at(child, touched[2]) == value);  // the child's copy stays
  drop(child);
  drop(parent);
}

// A fork takes its child's slot before it makes the child: slots reserved count as taken, so
// forks at once cannot go past the bound together.
KTEST(family_reserved_children) {
  LinuxFamily family;
  SpinlockGuard guard(sched_lock);
  size_t reserved = 0;
  while (reserved < LinuxFamily::kMaxChildren + 1 && family.reserve_child().ok()) ++reserved;
  KEXPECT(reserved == LinuxFamily::kMaxChildren);
  KEXPECT(family.reserve_child().error() == lib::Error::NoResources);
  family.cancel_child();
  KEXPECT(family.reserve_child().ok());
  for (size_t i = 0; i < LinuxFamily::kMaxChildren; ++i) family.cancel_child();
  KEXPECT(family.reserve_child().ok());
  family.cancel_child();
}

KTEST(futex_wait_wake_bitsets_and_deadlines) {
  const auto word = reinterpret_cast<uintptr_t>(&futex_word);
  futex_word = 0;
  auto made = Process::create_in_kernel("futex", {});
  KREQUIRE(made.ok());
  Ref<Process> process = Ref<Process>::adopt(made.value());
  Waiter waiters[2] = {{0x1, false}, {0x2, false}};
  Thread* threads[2];
  for (int i = 0; i < 2; ++i) {
    auto t = Thread::create_in_process(process.get(), wait_on_word, &waiters[i]);
    KREQUIRE(t.ok());
    threads[i] = t.value();
    threads[i]->start();
  }
  KREQUIRE(wait_for_waiters(2));
  // While they wait (a process whose last thread ends is over: the checks come second).
  bool refused[4] = {};
  auto checker = Thread::create_in_process(process.get(), refusals, refused);
  KREQUIRE(checker.ok());
  checker.value()->start();
  (void)checker.value()->join();
  KEXPECT(refused[0] && refused[1] && refused[2] && refused[3]);
  KEXPECT(futex::waiting() == 2);
  // A wake reaches only waiters whose bitset shares a bit; another address, nobody.
  KEXPECT(futex::wake(kSpace, word, 2, 0x4) == 0);
  KEXPECT(futex::wake(kSpace, word + 4, 2, futex::kAllBits) == 0);
  KEXPECT(futex::wake(&word, word, 2, futex::kAllBits) == 0);  // another space
  KEXPECT(futex::wake(kSpace, word, 2, 0x2) == 1);
  (void)threads[1]->join();
  KEXPECT(waiters[1].woken);
  KEXPECT(futex::waiting() == 1);
  KEXPECT(futex::wake(kSpace, word, 1, futex::kAllBits) == 1);
  (void)threads[0]->join();
  KEXPECT(waiters[0].woken && futex::waiting() == 0);
  SpinlockGuard guard(sched_lock);
  process = Ref<Process>();
}

KTEST(futex_waiters_bounded) {
  const auto word = reinterpret_cast<uintptr_t>(&futex_word);
  futex_word = 0;
  auto made = Process::create_in_kernel("futex", {});
  KREQUIRE(made.ok());
  Ref<Process> process = Ref<Process>::adopt(made.value());
  static Waiter waiters[futex::kMaxWaiters];
  static Thread* threads[futex::kMaxWaiters];
  size_t started = 0;
  for (; started < futex::kMaxWaiters; ++started) {
    waiters[started] = {futex::kAllBits, false};
    auto t = Thread::create_in_process(process.get(), wait_on_word, &waiters[started]);
    if (!t.ok()) break;
    threads[started] = t.value();
    threads[started]->start();
  }
  KEXPECT(started == futex::kMaxWaiters);
  // At the limit every one waits; one more is refused at once.
  KEXPECT(wait_for_waiters(started));
  bool refused = false;
  auto extra = Thread::create_in_process(process.get(), one_too_many, &refused);
  KREQUIRE(extra.ok());
  extra.value()->start();
  (void)extra.value()->join();
  KEXPECT(refused);
  // The bound is the process's: a thread of another process still waits.
  auto made_other = Process::create_in_kernel("futex-other", {});
  KREQUIRE(made_other.ok());
  Ref<Process> other = Ref<Process>::adopt(made_other.value());
  Waiter other_waiter{futex::kAllBits, false};
  auto other_thread = Thread::create_in_process(other.get(), wait_on_word, &other_waiter);
  KREQUIRE(other_thread.ok());
  other_thread.value()->start();
  KEXPECT(wait_for_waiters(started + 1));
  KEXPECT(futex::wake(kSpace, word, UINT32_MAX, futex::kAllBits) == started + 1);
  size_t woken = 0;
  for (size_t i = 0; i < started; ++i) {
    (void)threads[i]->join();
    woken += waiters[i].woken;
  }
  (void)other_thread.value()->join();
  KEXPECT(woken == started && other_waiter.woken && futex::waiting() == 0);
  SpinlockGuard guard(sched_lock);
  process = Ref<Process>();
  other = Ref<Process>();
}

}  // namespace kernel
