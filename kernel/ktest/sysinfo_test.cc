// What the kernel reports about itself, read-only: its log's records (log_read), the
// machine's memory (memory_info), and the boot archive lent as a static folio.

#include <stellina/sysinfo.h>

#include "kernel/arch.h"
#include "kernel/folio.h"
#include "kernel/ktest/ktest.h"
#include "kernel/ktest/user_helpers.h"
#include "kernel/log.h"
#include "kernel/silo.h"
#include "kernel/spawn.h"

namespace kernel {
namespace {

using namespace ktest_user;

bool same_text(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

KTEST(log_read_copies_records_from_a_sequence_number) {
  lib::LogRecord records[4];
  uint64_t next = 0;
  KEXPECT(log_read(0, records, 0, &next) == 0);
  const uint64_t first = next;
  log_info("log_read test {}", 1);
  log_info("log_read test {}", 2);
  uint64_t after = 0;
  KREQUIRE(log_read(first, records, 4, &after) == 2);
  KEXPECT(after == first + 2);
  KEXPECT(records[0].seq == first && records[1].seq == first + 1);
  KEXPECT(same_text(records[1].text, "log_read test 2"));
  KEXPECT(records[1].level == lib::LogLevel::Info);
  // Older than the ring holds: from the oldest; past the newest: nothing.
  KEXPECT(log_read(0, records, 1, &after) == 1 && records[0].seq <= first);
  KEXPECT(log_read(after + 5, records, 4, &after) == 0);
}

KTEST(static_folio_arguments) {
  constexpr size_t kPage = arch::kPageSize;
  KEXPECT(Folio::create_static(0x200001, kPage).error() == lib::Error::InvalidArgument);
  KEXPECT(Folio::create_static(0x200000, 0).error() == lib::Error::InvalidArgument);
  KEXPECT(Folio::create_static(~uintptr_t{0} - kPage + 1, 2 * kPage).error() ==
          lib::Error::InvalidArgument);
}

// The boot archive's folio: one page past the archive at most, its first bytes the
// archive's, read-only, and the bytes after the archive in its last page zero.
KTEST(boot_archive_is_lent_read_only) {
  auto folio = boot_archive_folio();
  KREQUIRE(folio.ok());
  KEXPECT(folio.value()->read_only());
  KEXPECT(!folio.value()->is_device());
  auto manifest = boot_archive_file("manifest");
  KREQUIRE(manifest.ok());
  const auto* bytes = static_cast<const uint8_t*>(arch::phys_to_virt(folio.value()->page(0)));
  KEXPECT(__builtin_memcmp(bytes, "STLARCH1", 8) == 0);
  uint64_t total = 0;
  __builtin_memcpy(&total, bytes + 16, sizeof(total));
  const size_t size = folio.value()->page_count() * arch::kPageSize;
  KEXPECT(total <= size && size - total < arch::kPageSize);
  // What follows the archive in its last page is zero, whatever was there at boot.
  const auto* last = static_cast<const uint8_t*>(
      arch::phys_to_virt(folio.value()->page(folio.value()->page_count() - 1)));
  bool zero = true;
  for (size_t k = total % arch::kPageSize; k && k < arch::kPageSize; ++k) zero &= last[k] == 0;
  KEXPECT(zero);
  Ref<Folio> f = folio.release_value();
  drop(f);
}

// tests/user/logread.cc checks every refusal of log_read and memory_info, and that the
// archive's folio cannot be mapped writable through a handle with every right.
KTEST(user_log_read_memory_info_refusals) {
  Pair exit = make_pair();
  Pair other = make_pair();
  auto archive = boot_archive_folio();
  KREQUIRE(archive.ok());
  auto created = Silo::create(Silo::root(), {64, 4, 0});
  KREQUIRE(created.ok());
  Ref<Silo> child = Ref<Silo>::adopt(created.value());
  const SpawnHandle handles[] = {
      {LogObject::get(), abi::kRightWrite},     {other.user_end.get(), abi::kRightsAll},
      {LogObject::get(), abi::kRightRead},      {&Silo::root(), abi::kRightRead},
      {&Silo::root(), abi::kRightManage},       {child.get(), abi::kRightsAll},
      {archive.value().get(), abi::kRightsAll},
  };
  auto p = spawn_from_archive("logread", handles, 7, exit.user_end);
  KREQUIRE(p.ok());
  abi::ProcessExit info{};
  KREQUIRE(wait_exit(exit.kernel_end.get(), &info));
  if (info.reason != abi::ExitReason::Exited || info.code != 0)
    print("ktest:   logread ended with code {} ({})\n", info.code, info.detail);
  KEXPECT(info.reason == abi::ExitReason::Exited && info.code == 0);
  KEXPECT(log_contains("[logread] logread: all checks passed"));
  Ref<Process> process = p.release_value();
  Ref<Folio> folio = archive.release_value();
  drop(process, folio, child, exit.kernel_end, exit.user_end, other.kernel_end, other.user_end);
}

}  // namespace
}  // namespace kernel
