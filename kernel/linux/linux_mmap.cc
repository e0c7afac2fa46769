// mmap of a file and shared anonymous memory.
//
// A private file mapping is the file's bytes copied into private pages at mmap: demand-zero
// memory of the process's own, made writable while the bytes are read into it (Read
// requests on the descriptor's file channel, as pread's), then given the rights asked for.
// After that it is anonymous memory like any other: copy-on-write across fork, dropped by
// munmap. Reading at mmap rather than at the first touch keeps the fault path free of file
// requests (a fault cannot wait for a file server), at the price of reading what is never
// touched: hence kMaxFileMapping. A shared file mapping would need the file server's pages
// themselves, which the file protocol does not lend: it is refused (ENODEV).
//
// Shared anonymous memory is a folio charged to the silo, mapped whole (AddressSpace::
// map_folio_at): a fork maps the same frames in the child, so parent and children see each
// other's writes, as on Linux.

#include "kernel/linux/linux_mmap.h"

#include "kernel/linux/linux_calls.h"
#include "kernel/syscall.h"

namespace kernel::linux_calls {

using namespace linux_abi;

namespace {

AddressSpace& space() { return current_process().address_space(); }

// Reads the file's bytes from offset into [at, at + size): whatever is past the file's end
// stays zero. Returns 0 or -errno.
int64_t fill_from_file(LinuxProcess& lp, LinuxOpenFile& file, uint64_t at, uint64_t size,
                       uint64_t offset) {
  const int64_t got = read_at(lp, file, at, size, &offset);
  return got < 0 ? got : 0;
}

// A private mapping of a regular file: placed, filled and given its rights. The fill waits
// for the file server, so sched_lock is not held across it: another thread of the process
// that unmaps or replaces the range meanwhile (a race Linux's mmap lock would order) gets
// the file's bytes or these rights in its own memory, never anything of another process.
int64_t map_file_private(LinuxProcess& lp, LinuxOpenFile& file, uint64_t address, uint64_t size,
                         uint64_t prot, uint64_t flags, uint64_t offset) {
  if (size > kMaxFileMapping) return -kEnomem;
  int64_t at;
  {
    SpinlockGuard guard(sched_lock);
    at = place_mapping(space(), address, size, flags);
    if (at < 0) return at;
    if (auto mapped = space().map_anonymous(uint64_t(at), size, arch::kPageWrite); !mapped.ok())
      return errno_of(mapped.error());
  }
  int64_t error = fill_from_file(lp, file, uint64_t(at), size, offset);
  SpinlockGuard guard(sched_lock);
  if (!error) {
    auto given = space().protect_range(uint64_t(at), size, region_flags(prot));
    if (given.ok()) return at;
    error = errno_of(given.error());
  }
  (void)space().unmap_range(uint64_t(at), size);
  return error;
}

}  // namespace

int64_t map_file(LinuxProcess& lp, uint64_t address, uint64_t size, uint64_t prot, uint64_t flags,
                 uint64_t fd, uint64_t offset) {
  FileRef file(lp, fd);
  if (!file) return -kEbadf;
  // Linux refuses a descriptor not open for reading first (EACCES), then what it cannot map.
  if (!file->readable()) return -kEacces;
  const bool shared = flags & kMapShared;
  switch (file->kind) {
    case LinuxFileKind::Zero:  // /dev/zero: anonymous memory, shared or not
      if (shared) return map_shared_anonymous(address, size, prot, flags);
      return mmap(lp, address, size, prot, flags | kMapAnonymous, 0, 0);
    case LinuxFileKind::File:
      if (shared) return -kEnodev;
      if (int64_t(offset) < 0 || offset + size < offset) return -kEinval;
      return map_file_private(lp, *file, address, size, prot, flags, offset);
    default: return -kEnodev;  // streams, sockets, directories, the other devices
  }
}

int64_t map_shared_anonymous(uint64_t address, uint64_t size, uint64_t prot, uint64_t flags) {
  if (size > kMaxSharedMapping) return -kEnomem;
  if (prot & kProtExec) return -kEacces;  // a shared folio is never executable here
  auto made = Folio::create(size, &current_process().silo());
  if (!made.ok()) return -kEnomem;
  Folio* folio = made.value();
  SpinlockGuard guard(sched_lock);
  int64_t at = place_mapping(space(), address, size, flags);
  if (at >= 0) {
    const uint32_t rights = (prot & kProtWrite) ? arch::kPageWrite : 0;
    if (auto mapped = space().map_folio_at(uint64_t(at), folio, rights); !mapped.ok())
      at = errno_of(mapped.error());
  }
  folio->release();  // the mapping holds its own reference
  return at;
}

}  // namespace kernel::linux_calls
